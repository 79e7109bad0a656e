import Foundation

/// Charts drawn on the server as SVG (no script, no style attribute: the page's CSP allows neither inline), each
/// with a title and a description for screen readers; pages show the same numbers in a table beside them.
///
/// A value of nil is a suppressed count (1 to 7 on a partner's page): it is drawn as a dashed outline at the
/// height of the threshold, never as 0 or as its real value, and its tooltip and the description say so.
public enum SVGChart {
    /// A suppressed value's label beside its bar: the exports' marker (`TallyCell.suppressedMarker`).
    public static let suppressedMarker = "[c]"
    /// What a suppressed value is called in a tooltip and the description.
    public static let suppressedText = "[c], 1 to 7"
    /// The largest suppressed count: a suppressed bar's outline reaches this high, so the chart shows "a few".
    static let suppressedHeight = 7

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
        id: String, title: String, labels: [String], values: [Int?], labelEvery: Int = 1, width: Int = 640,
        height: Int = 260
    ) -> String {
        let top = 16.0
        let bottom = 36.0
        let left = 44.0
        let plotHeight = Double(height) - top - bottom
        let plotWidth = Double(width) - left - 8
        let hasSuppressed = values.contains(nil)
        let maximum = max(values.compactMap { $0 }.max() ?? 0, hasSuppressed ? Self.suppressedHeight : 1)
        let scaleTop = niceCeiling(maximum)
        let slot = plotWidth / Double(max(values.count, 1))
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" role="img" \
            aria-labelledby="\(id)-t \(id)-d"><title id="\(id)-t">\(escape(title))</title>\
            <desc id="\(id)-d">\(escape(describe(labels: labels, values: values)))</desc>
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
            let barHeight = plotHeight * Double(value ?? Self.suppressedHeight) / Double(scaleTop)
            let x = left + slot * Double(index) + slot * 0.15
            let y = top + plotHeight - barHeight
            let tip =
                "<title>\(escape(labels[safe: index] ?? "")): \(value.map(String.init) ?? Self.suppressedText)</title>"
            svg +=
                "<rect x=\"\(number(x))\" y=\"\(number(y))\" width=\"\(number(slot * 0.7))\" "
                + "height=\"\(number(barHeight))\" "
                + (value == nil ? Self.suppressedPaint : "fill=\"#0b5cad\"") + ">\(tip)</rect>"
            if index % max(labelEvery, 1) == 0 {
                svg +=
                    "<text x=\"\(number(x + slot * 0.35))\" y=\"\(height - 14)\" font-size=\"13\" "
                    + "text-anchor=\"middle\" fill=\"#333\">\(escape(labels[safe: index] ?? ""))</text>"
            }
        }
        return svg + "</svg>"
    }

    /// A bar per category, across (the needs mix).
    public static func bars(id: String, title: String, labels: [String], values: [Int?], width: Int = 640) -> String {
        let row = 34.0
        let left = 170.0
        let right = 60.0
        let height = Int(row * Double(max(values.count, 1)) + 12)
        let hasSuppressed = values.contains(nil)
        let maximum = Double(max(values.compactMap { $0 }.max() ?? 0, hasSuppressed ? Self.suppressedHeight : 1))
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" role="img" \
            aria-labelledby="\(id)-t \(id)-d"><title id="\(id)-t">\(escape(title))</title>\
            <desc id="\(id)-d">\(escape(describe(labels: labels, values: values)))</desc>
            """
        for (index, value) in values.enumerated() {
            let y = 6 + row * Double(index)
            let barWidth = (Double(width) - left - right) * Double(value ?? Self.suppressedHeight) / maximum
            svg +=
                "<text x=\"\(number(left - 8))\" y=\"\(number(y + 21))\" font-size=\"14\" text-anchor=\"end\" "
                + "fill=\"#1b1b1b\">\(escape(labels[safe: index] ?? ""))</text>"
            svg +=
                "<rect x=\"\(number(left))\" y=\"\(number(y + 4))\" width=\"\(number(barWidth))\" height=\"24\" "
                + (value == nil ? Self.suppressedPaint : "fill=\"#2e7d32\"") + "/>"
            svg +=
                "<text x=\"\(number(left + barWidth + 6))\" y=\"\(number(y + 21))\" font-size=\"14\" "
                + "fill=\"#1b1b1b\">\(value.map(String.init) ?? Self.suppressedMarker)</text>"
        }
        return svg + "</svg>"
    }

    /// A grid of cells shaded by value (hour of day × hub, or × weekday).
    public static func heatmap(
        id: String, title: String, rows: [String], columns: [String], values: [[Int?]], width: Int = 720
    ) -> String {
        let left = 150.0
        let top = 24.0
        let cell = (Double(width) - left - 8) / Double(max(columns.count, 1))
        let rowHeight = 26.0
        let height = Int(top + rowHeight * Double(max(rows.count, 1)) + 8)
        let maximum = Double(max(values.flatMap { $0 }.compactMap { $0 }.max() ?? 0, 1))
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" role="img" \
            aria-labelledby="\(id)-t \(id)-d"><title id="\(id)-t">\(escape(title))</title>\
            <desc id="\(id)-d">\(escape("\(rows.count) rows by \(columns.count) columns; the darker, the more visits\(values.joined().contains(nil) ? "; cells with a dashed outline are suppressed counts (\(suppressedText))" : ""). The table below has the numbers."))</desc>
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
                let paint: String
                if let value {
                    let shade = Double(value) / maximum
                    let channel = Int(245 - 200 * shade)
                    paint =
                        "fill=\""
                        + String(
                            format: "#%02x%02x%02x", max(channel - 40, 0), max(channel - 10, 0),
                            250 - Int(60 * shade)) + "\""
                } else {
                    paint = Self.suppressedPaint
                }
                let shown = value.map(String.init) ?? Self.suppressedText
                svg +=
                    "<rect x=\"\(number(left + cell * Double(columnIndex)))\" y=\"\(number(y + 2))\" "
                    + "width=\"\(number(cell - 1))\" height=\"\(number(rowHeight - 3))\" \(paint)>"
                    + "<title>\(escape(row)), \(escape(columns[safe: columnIndex] ?? "")): \(shown)</title></rect>"
            }
        }
        return svg + "</svg>"
    }

    /// A suppressed bar or cell: an outline with a dashed edge, no fill (its height says "a few", not how many).
    static let suppressedPaint = "fill=\"none\" stroke=\"#555\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\""

    /// The chart in words: how many bars, the highest shown, and how many are suppressed. No total when any is
    /// suppressed: a total beside the shown bars would give the suppressed ones away.
    static func describe(labels: [String], values: [Int?]) -> String {
        let shown = values.compactMap { $0 }
        let suppressed = values.count - shown.count
        guard !values.isEmpty else { return "No data." }
        var text = "\(values.count) bars"
        if suppressed == 0 { text += ", \(shown.reduce(0, +)) in all" }
        if let maximum = shown.max(), let index = values.firstIndex(of: maximum) {
            text += "; the highest is \(labels[safe: index] ?? "") with \(maximum)"
        }
        if suppressed > 0 { text += "; \(suppressed) suppressed (\(suppressedText))" }
        return text + ". The table below has every number."
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
