import Foundation

/// Charts drawn on the server as SVG (no script, no style attribute: the page's CSP allows neither inline), each
/// with a title and a description for screen readers; pages show the same numbers in a table beside them.
public enum SVGChart {
    /// Escapes text for XML and HTML.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func number(_ value: Double) -> String {
        String(format: "%.1f", value)
    }

    /// A column chart: one bar per label (visits per week, visits by hour).
    public static func columns(
        id: String, title: String, labels: [String], values: [Int], labelEvery: Int = 1, width: Int = 640,
        height: Int = 260
    ) -> String {
        let top = 16.0
        let bottom = 36.0
        let left = 44.0
        let plotHeight = Double(height) - top - bottom
        let plotWidth = Double(width) - left - 8
        let maximum = max(values.max() ?? 0, 1)
        let scaleTop = niceCeiling(maximum)
        let slot = plotWidth / Double(max(values.count, 1))
        let total = values.reduce(0, +)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" role="img" \
            aria-labelledby="\(id)-t \(id)-d"><title id="\(id)-t">\(escape(title))</title>\
            <desc id="\(id)-d">\(escape(describe(labels: labels, values: values, total: total)))</desc>
            """
        // Gridlines on whole numbers: a top of 1, 2 or 5 has that many; 10ⁿ five, 2·10ⁿ four, 5·10ⁿ five.
        let leading = String(scaleTop).first.map { Int(String($0)) ?? 1 } ?? 1
        let steps = scaleTop <= 5 ? scaleTop : (leading == 2 ? 4 : 5)
        for step in 0...steps {
            let value = Double(scaleTop) * Double(step) / Double(steps)
            let y = top + plotHeight - plotHeight * Double(step) / Double(steps)
            svg +=
                "<line x1=\"\(number(left))\" x2=\"\(width - 8)\" y1=\"\(number(y))\" y2=\"\(number(y))\" "
                + "stroke=\"#d0d0d0\" stroke-width=\"1\"/>"
            svg +=
                "<text x=\"\(number(left - 6))\" y=\"\(number(y + 5))\" font-size=\"13\" text-anchor=\"end\" "
                + "fill=\"#333\">\(Int(value))</text>"
        }
        for (index, value) in values.enumerated() {
            let barHeight = plotHeight * Double(value) / Double(scaleTop)
            let x = left + slot * Double(index) + slot * 0.15
            let y = top + plotHeight - barHeight
            svg +=
                "<rect x=\"\(number(x))\" y=\"\(number(y))\" width=\"\(number(slot * 0.7))\" "
                + "height=\"\(number(barHeight))\" fill=\"#0b5cad\"><title>\(escape(labels[index])): \(value)</title></rect>"
            if index % max(labelEvery, 1) == 0 {
                svg +=
                    "<text x=\"\(number(x + slot * 0.35))\" y=\"\(height - 14)\" font-size=\"13\" "
                    + "text-anchor=\"middle\" fill=\"#333\">\(escape(labels[index]))</text>"
            }
        }
        return svg + "</svg>"
    }

    /// A bar per category, across (the needs mix).
    public static func bars(id: String, title: String, labels: [String], values: [Int], width: Int = 640) -> String {
        let row = 34.0
        let left = 170.0
        let right = 60.0
        let height = Int(row * Double(max(values.count, 1)) + 12)
        let maximum = Double(max(values.max() ?? 0, 1))
        let total = values.reduce(0, +)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" role="img" \
            aria-labelledby="\(id)-t \(id)-d"><title id="\(id)-t">\(escape(title))</title>\
            <desc id="\(id)-d">\(escape(describe(labels: labels, values: values, total: total)))</desc>
            """
        for (index, value) in values.enumerated() {
            let y = 6 + row * Double(index)
            let barWidth = (Double(width) - left - right) * Double(value) / maximum
            svg +=
                "<text x=\"\(number(left - 8))\" y=\"\(number(y + 21))\" font-size=\"14\" text-anchor=\"end\" "
                + "fill=\"#1b1b1b\">\(escape(labels[index]))</text>"
            svg +=
                "<rect x=\"\(number(left))\" y=\"\(number(y + 4))\" width=\"\(number(barWidth))\" height=\"24\" "
                + "fill=\"#2e7d32\"/>"
            svg +=
                "<text x=\"\(number(left + barWidth + 6))\" y=\"\(number(y + 21))\" font-size=\"14\" "
                + "fill=\"#1b1b1b\">\(value)</text>"
        }
        return svg + "</svg>"
    }

    /// A grid of cells shaded by value (hour of day × hub, or × weekday).
    public static func heatmap(
        id: String, title: String, rows: [String], columns: [String], values: [[Int]], width: Int = 720
    ) -> String {
        let left = 150.0
        let top = 24.0
        let cell = (Double(width) - left - 8) / Double(max(columns.count, 1))
        let rowHeight = 26.0
        let height = Int(top + rowHeight * Double(max(rows.count, 1)) + 8)
        let maximum = Double(max(values.flatMap { $0 }.max() ?? 0, 1))
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" role="img" \
            aria-labelledby="\(id)-t \(id)-d"><title id="\(id)-t">\(escape(title))</title>\
            <desc id="\(id)-d">\(escape("\(rows.count) rows by \(columns.count) columns; the darker, the more visits. The table below has the numbers."))</desc>
            """
        for (index, column) in columns.enumerated() where index % 3 == 0 {
            svg +=
                "<text x=\"\(number(left + cell * (Double(index) + 0.5)))\" y=\"16\" font-size=\"12\" "
                + "text-anchor=\"middle\" fill=\"#333\">\(escape(column))</text>"
        }
        for (rowIndex, row) in rows.enumerated() {
            let y = top + rowHeight * Double(rowIndex)
            svg +=
                "<text x=\"\(number(left - 8))\" y=\"\(number(y + 18))\" font-size=\"13\" text-anchor=\"end\" "
                + "fill=\"#1b1b1b\">\(escape(row))</text>"
            for (columnIndex, value) in (values[safe: rowIndex] ?? []).enumerated() {
                let shade = Double(value) / maximum
                let channel = Int(245 - 200 * shade)
                let color = String(
                    format: "#%02x%02x%02x", max(channel - 40, 0), max(channel - 10, 0), 250 - Int(60 * shade))
                svg +=
                    "<rect x=\"\(number(left + cell * Double(columnIndex)))\" y=\"\(number(y + 2))\" "
                    + "width=\"\(number(cell - 1))\" height=\"\(number(rowHeight - 3))\" fill=\"\(color)\">"
                    + "<title>\(escape(row)), \(escape(columns[safe: columnIndex] ?? "")): \(value)</title></rect>"
            }
        }
        return svg + "</svg>"
    }

    static func describe(labels: [String], values: [Int], total: Int) -> String {
        guard let maximum = values.max(), let index = values.firstIndex(of: maximum), !values.isEmpty else {
            return "No data."
        }
        return "\(values.count) bars, \(total) in all; the highest is \(labels[index]) with \(maximum)."
            + " The table below has every number."
    }

    /// 1, 2, 5 × 10ⁿ at or above `value`: the top of the axis.
    static func niceCeiling(_ value: Int) -> Int {
        var step = 1
        while true {
            for factor in [1, 2, 5] where factor * step >= value { return factor * step }
            step *= 10
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
