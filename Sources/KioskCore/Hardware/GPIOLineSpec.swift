import Foundation

/// A GPIO line as the configuration names it: by line name (`GPIO17`, found on whichever chip has it; the
/// Raspberry Pi 5 moved the header from gpiochip4 to gpiochip0), or by chip and offset (`gpiochip0:17`, or `17` on
/// the board's default chip).
public enum GPIOLineSpec: Hashable, Sendable, CustomStringConvertible {
    case name(String)
    case offset(chip: String?, Int)

    /// The offsets a line can have: the kernel counts a chip's lines in 16 bits (`gpio_chip.ngpio`), so anything
    /// larger is a typo, and every offset here converts to the `UInt32` libgpiod takes.
    public static let offsets = 0...65_535

    /// Parses `GPIO17`, `gpiochip0:17` or `17`; nil when it is empty or an offset outside `offsets`.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if GPIOLineSpec.isSignedDigits(Substring(trimmed)) {
            guard let offset = Int(trimmed), GPIOLineSpec.offsets.contains(offset) else { return nil }
            self = .offset(chip: nil, offset)
        } else if let colon = trimmed.lastIndex(of: ":"),
            GPIOLineSpec.isSignedDigits(trimmed[trimmed.index(after: colon)...])
        {
            let chip = String(trimmed[..<colon])
            guard let offset = Int(trimmed[trimmed.index(after: colon)...]), GPIOLineSpec.offsets.contains(offset),
                !chip.isEmpty
            else { return nil }
            self = .offset(chip: chip, offset)
        } else {
            self = .name(trimmed)
        }
    }

    public init(offset: Int, chip: String? = nil) {
        self = .offset(chip: chip, offset)
    }

    /// Whether `text` is written as an offset (`17`, `-3`, `gpiochip0:99999`), valid or not.
    public static func looksLikeOffset(_ text: String) -> Bool {
        let trimmed = Substring(text.trimmingCharacters(in: .whitespaces))
        if isSignedDigits(trimmed) { return true }
        guard let colon = trimmed.lastIndex(of: ":") else { return false }
        return isSignedDigits(trimmed[trimmed.index(after: colon)...])
    }

    /// `17`, `+17` or `-17`.
    private static func isSignedDigits(_ text: Substring) -> Bool {
        isDigits(text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : text)
    }

    private static func isDigits(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    private static func isDigits(_ text: String) -> Bool { isDigits(Substring(text)) }

    public var description: String {
        switch self {
        case .name(let name): return name
        case .offset(let chip?, let offset): return "\(chip):\(offset)"
        case .offset(nil, let offset): return String(offset)
        }
    }

    /// Which line this is, as far as the configuration alone can tell: a name, or a chip and an offset.
    public enum Identity: Hashable, Sendable, CustomStringConvertible {
        case name(String)
        /// `chip` as written without a leading `/dev/` (`gpiochip0`, or a label such as `pinctrl-rp1`).
        case offset(chip: String, Int)

        public var description: String {
            switch self {
            case .name(let name): return name
            case .offset(let chip, let offset): return "\(chip):\(offset)"
            }
        }
    }

    /// The line's identity, with bare offsets on `defaultChip` (`[board] chip`); nil for a bare offset without one.
    public func identity(defaultChip: String?) -> Identity? {
        switch self {
        case .name(let name): return .name(name)
        case .offset(let chip, let offset):
            guard let chip = chip ?? defaultChip else { return nil }
            let device = chip.hasPrefix("/dev/") ? String(chip.dropFirst(5)) : chip
            return .offset(chip: device, offset)
        }
    }
}
