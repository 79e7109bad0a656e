import Foundation

/// A GPIO line as the configuration names it: by line name (`GPIO17`, found on whichever chip has it; the
/// Raspberry Pi 5 moved the header from gpiochip4 to gpiochip0), or by chip and offset (`gpiochip0:17`, or `17` on
/// the board's default chip).
public enum GPIOLineSpec: Hashable, Sendable, CustomStringConvertible {
    case name(String)
    case offset(chip: String?, Int)

    /// Parses `GPIO17`, `gpiochip0:17` or `17`.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if let offset = Int(trimmed) {
            guard offset >= 0 else { return nil }
            self = .offset(chip: nil, offset)
        } else if let colon = trimmed.lastIndex(of: ":"), let offset = Int(trimmed[trimmed.index(after: colon)...]) {
            let chip = String(trimmed[..<colon])
            guard offset >= 0, !chip.isEmpty else { return nil }
            self = .offset(chip: chip, offset)
        } else {
            self = .name(trimmed)
        }
    }

    public init(offset: Int, chip: String? = nil) {
        self = .offset(chip: chip, offset)
    }

    public var description: String {
        switch self {
        case .name(let name): return name
        case .offset(let chip?, let offset): return "\(chip):\(offset)"
        case .offset(nil, let offset): return String(offset)
        }
    }
}
