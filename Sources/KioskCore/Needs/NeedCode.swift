/// The short code of a need a visitor can press, such as `food` or `money`.
///
/// Codes are lower-case ASCII words; they are what the database stores and what exports name.
public struct NeedCode: RawRepresentable, Hashable, Comparable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    public var description: String { rawValue }

    public static func < (lhs: NeedCode, rhs: NeedCode) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether `text` is usable as a code: 1–32 characters of `a-z`, `0-9`, `-` and `_`, starting with a letter.
    public static func isValid(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first), text.count <= 32 else {
            return false
        }
        return text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
    }
}

/// The name of a physical (or simulated) button, such as `food` or `checkin`.
public struct ButtonID: RawRepresentable, Hashable, Comparable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    public var description: String { rawValue }

    public static func < (lhs: ButtonID, rhs: ButtonID) -> Bool { lhs.rawValue < rhs.rawValue }
}
