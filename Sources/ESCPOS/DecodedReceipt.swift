/// What a stream of ESC/POS bytes prints, as structure: lines of text with their style, QR codes, images, cuts.
public struct DecodedReceipt: Hashable, Sendable {
    public struct Style: Hashable, Sendable {
        public var bold = false
        public var widthMultiplier = 1
        public var heightMultiplier = 1
        /// 0 left, 1 centre, 2 right.
        public var alignment = 0
        public var underline = false

        public init() {}
    }

    public enum Element: Hashable, Sendable {
        /// A printed line of text (the bytes before a line feed).
        case line(String, Style)
        /// Blank lines fed by `ESC d`.
        case feed(Int)
        /// Paper fed by `ESC J n`, in dots (the white space around a QR image).
        case space(dots: Int)
        /// A QR code printed by `GS ( k`.
        case qrCode(payload: String, moduleSize: Int, errorCorrection: Character)
        /// A raster image printed by `GS v 0`.
        case image(width: Int, height: Int, bitmap: [UInt8])
        /// A paper cut.
        case cut(partial: Bool)
    }

    /// Bytes the decoder does not understand, where they are and why.
    public struct Unknown: Hashable, Sendable, CustomStringConvertible {
        public var offset: Int
        public var bytes: [UInt8]
        public var reason: String

        public var description: String {
            "offset \(offset): \(bytes.map { String(format2: $0) }.joined(separator: " ")) (\(reason))"
        }
    }

    public var elements: [Element] = []
    public var unknown: [Unknown] = []
    /// Text after the last line feed: bytes a printer holds in its buffer and has not printed yet.
    public var unterminatedText = ""

    /// The printed text lines, in order.
    public var lines: [String] {
        elements.compactMap {
            if case .line(let text, _) = $0 { return text }
            return nil
        }
    }

    /// The payloads of the QR codes, in order.
    public var qrPayloads: [String] {
        elements.compactMap {
            if case .qrCode(let payload, _, _) = $0 { return payload }
            return nil
        }
    }

    public var cutCount: Int {
        elements.filter {
            if case .cut = $0 { return true }
            return false
        }.count
    }

    /// A plain-text picture of the slip `columns` wide: alignment applied, QR codes and cuts marked.
    public func rendered(columns: Int) -> String {
        var out: [String] = []
        for element in elements {
            switch element {
            case .line(let text, let style):
                let width = text.count * style.widthMultiplier
                let shown = style.widthMultiplier > 1 ? text.map { String($0) }.joined(separator: " ") : text
                let pad: Int
                switch style.alignment {
                case 1: pad = max(0, (columns - width) / 2)
                case 2: pad = max(0, columns - width)
                default: pad = 0
                }
                out.append(String(repeating: " ", count: pad) + shown)
            case .feed(let n):
                out += Array(repeating: "", count: n)
            case .space:
                break
            case .qrCode(let payload, _, _):
                out.append("[QR: \(payload)]")
            case .image(let width, let height, _):
                out.append("[image \(width)x\(height) dots]")
            case .cut(let partial):
                out.append(partial ? "--- partial cut ---" : "--- cut ---")
            }
        }
        if !unterminatedText.isEmpty { out.append(unterminatedText + "  [not printed: no line feed]") }
        for item in unknown { out.append("[unknown bytes at \(item)]") }
        return out.joined(separator: "\n") + "\n"
    }
}

extension String {
    init(format2 byte: UInt8) {
        let hex = String(byte, radix: 16, uppercase: true)
        self = hex.count == 1 ? "0" + hex : hex
    }
}
