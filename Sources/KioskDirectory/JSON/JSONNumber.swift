/// A JSON number as the file writes it, with the one checked conversion to `Int` that every reader uses.
///
/// The parser keeps the text (`42`, `-1.5e3`, `1e999`) beside the nearest `Double`, so a whole number of any size
/// converts exactly or not at all: nothing that reads a number can trap on a magnitude `Int` cannot hold.
public struct JSONNumber: Hashable, Sendable, CustomStringConvertible {
    /// The number as written in the file.
    public let text: String
    /// The nearest `Double`: infinite beyond `Double`'s range (`1e999`), rounded beyond 2^53.
    public let double: Double

    /// A number written as `text` (RFC 8259 syntax: the parser has checked it).
    public init(text: String) {
        self.text = text
        self.double = Double(text) ?? .nan
    }

    /// A number from a value (for tests and for values built in code).
    public init(_ value: Int) {
        self.init(text: String(value))
    }

    /// The number as an `Int` when it is a whole number `Int` holds exactly; nil for a fraction (`1.5`), for a
    /// magnitude beyond `Int` (`1e300`, `-1e300`, `1e999`, `99999999999999999999`) and for anything not finite.
    public var integer: Int? {
        // A plain integer literal converts exactly, even beyond 2^53 where `Double` rounds; one Int cannot hold
        // is out of range, whatever `Double` rounds it to.
        if let exact = Int(text) { return exact }
        if text.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) }) { return nil }
        // Other forms (`2.0`, `1e3`) only where `Double` is exact.
        guard double.isFinite, double.rounded(.towardZero) == double, double.magnitude <= 9_007_199_254_740_992 else {
            return nil
        }
        return Int(exactly: double)
    }

    /// Whether the number is whole (`3`, `3.0`, `1e300`), whatever its size.
    public var isWhole: Bool { double.isFinite && double.rounded(.towardZero) == double }

    public var description: String { text }
}
