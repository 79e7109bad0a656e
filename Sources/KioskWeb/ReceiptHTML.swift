import ESCPOS
import Foundation
import HubWeb

/// A slip drawn as a receipt from its real ESC/POS bytes (decoded, never the document it was made from): each
/// line with its size, weight and alignment, QR codes and raster images as SVG, cuts as a dashed line. Every text
/// is escaped: a slip's lines come from the directory file, which is untrusted.
public struct ReceiptHTML: Sendable {
    /// Draws a QR code's modules (libqrencode on the daemon); nil draws its payload as text instead.
    public let qrModules: (@Sendable (String) -> QRModules?)?

    public init(qrModules: (@Sendable (String) -> QRModules?)? = nil) {
        self.qrModules = qrModules
    }

    public func render(_ bytes: [UInt8], label: String) -> String {
        let receipt = ESCPOSDecoder().decode(bytes)
        var html = "<figure class=\"receipt\" aria-label=\"\(SVGChart.escape(label))\">"
        for element in receipt.elements {
            switch element {
            case .line(let text, let style):
                var classes: [String] = []
                if style.bold { classes.append("bold") }
                if style.underline { classes.append("under") }
                if style.widthMultiplier > 1 { classes.append("wide") }
                if style.heightMultiplier > 1 { classes.append("tall") }
                if style.alignment == 1 { classes.append("center") }
                if style.alignment == 2 { classes.append("right") }
                let attribute = classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\""
                html += "<p\(attribute)>\(SVGChart.escape(text))</p>"
            case .feed(let count):
                html += String(repeating: "<p></p>", count: min(max(count, 0), 10))
            case .space(let dots):
                if dots >= 12 { html += "<p></p>" }
            case .qrCode(let payload, _, _):
                if let modules = qrModules?(payload) {
                    html += "<div class=\"image\">" + Self.svg(modules, label: "QR code: \(payload)") + "</div>"
                }
                html += "<p class=\"center\">[QR: \(SVGChart.escape(payload))]</p>"
            case .image(let width, let height, let bitmap):
                html += "<div class=\"image\">" + Self.svg(width: width, height: height, bitmap: bitmap) + "</div>"
            case .cut:
                html += "<div class=\"cut\" role=\"separator\" aria-label=\"paper cut\"></div>"
            }
        }
        if !receipt.unterminatedText.isEmpty {
            html += "<p>\(SVGChart.escape(receipt.unterminatedText))</p>"
        }
        return html + "</figure>"
    }

    static func svg(_ modules: QRModules, label: String) -> String {
        let quiet = QRModules.quietZone
        let side = modules.size + 2 * quiet
        var path = ""
        for y in 0..<modules.size {
            var x = 0
            while x < modules.size {
                guard modules.isDark(x: x, y: y) else {
                    x += 1
                    continue
                }
                var run = 1
                while x + run < modules.size && modules.isDark(x: x + run, y: y) { run += 1 }
                path += "M\(x + quiet) \(y + quiet)h\(run)v1h-\(run)z"
                x += run
            }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(side) \(side)\" role=\"img\" "
            + "aria-label=\"\(SVGChart.escape(label))\" shape-rendering=\"crispEdges\">"
            + "<rect width=\"\(side)\" height=\"\(side)\" fill=\"#fff\"/><path d=\"\(path)\" fill=\"#000\"/></svg>"
    }

    /// A `GS v 0` raster: rows of `width` dots, 8 to a byte, most significant bit first.
    static func svg(width: Int, height: Int, bitmap: [UInt8]) -> String {
        let rowBytes = (width + 7) / 8
        guard width > 0, height > 0, bitmap.count >= rowBytes * height else { return "" }
        var path = ""
        for y in 0..<height {
            var x = 0
            func dark(_ x: Int) -> Bool { bitmap[y * rowBytes + x / 8] & (0x80 >> UInt8(x % 8)) != 0 }
            while x < width {
                guard dark(x) else {
                    x += 1
                    continue
                }
                var run = 1
                while x + run < width && dark(x + run) { run += 1 }
                path += "M\(x) \(y)h\(run)v1h-\(run)z"
                x += run
            }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" "
            + "aria-label=\"printed image\" shape-rendering=\"crispEdges\"><path d=\"\(path)\" fill=\"#000\"/></svg>"
    }
}
