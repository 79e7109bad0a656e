/// How a line of a slip looks.
public struct SlipTextStyle: Hashable, Sendable {
    public enum Size: String, Hashable, Sendable {
        case normal
        /// Double width and double height: half as many columns.
        case double
    }

    public enum Alignment: String, Hashable, Sendable {
        case left
        case center
        case right
    }

    public var bold: Bool
    public var size: Size
    public var alignment: Alignment

    public init(bold: Bool = false, size: Size = .normal, alignment: Alignment = .left) {
        self.bold = bold
        self.size = size
        self.alignment = alignment
    }

    public static let plain = SlipTextStyle()
}

/// One part of a slip.
public enum SlipBlock: Hashable, Sendable {
    /// A paragraph, wrapped to the printer's width.
    case text(String, SlipTextStyle)
    /// A QR code holding `payload` (a service's web address).
    case qrCode(String)
    /// A full-width separator line.
    case rule
    /// Blank lines.
    case feed(Int)
}

/// A printer-independent slip: what to print, not how. The ESC/POS encoder turns it into bytes for a profile.
public struct SlipDocument: Hashable, Sendable {
    public var blocks: [SlipBlock]

    public init(blocks: [SlipBlock] = []) {
        self.blocks = blocks
    }

    public mutating func text(_ text: String, _ style: SlipTextStyle = .plain) {
        blocks.append(.text(text, style))
    }

    /// The slip as plain text lines (no wrapping), for logs and tests.
    public var plainText: String {
        blocks.map { block -> String in
            switch block {
            case .text(let text, _): return text
            case .qrCode(let payload): return "[QR \(payload)]"
            case .rule: return "----"
            case .feed(let lines): return String(repeating: "\n", count: max(0, lines - 1))
            }
        }.joined(separator: "\n")
    }
}
