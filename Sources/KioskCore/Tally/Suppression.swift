/// A count as it may leave the device: exact, or suppressed.
public enum TallyCell: Hashable, Sendable, CustomStringConvertible {
    case count(Int)
    /// A count from 1 to 7: small enough to single someone out.
    case suppressed

    /// The marker exports print for a suppressed count (the UK statistical `[c]`, "confidential").
    public static let suppressedMarker = "[c]"

    public var description: String {
        switch self {
        case .count(let value): return String(value)
        case .suppressed: return TallyCell.suppressedMarker
        }
    }
}

/// The small-count rule for anything meant for partners (DESIGN.md): 0 stays 0, 1–7 are suppressed, larger counts
/// are rounded to the nearest 5. Totals are summed from the exact counts and then suppressed like any count.
public enum Suppression {
    /// The largest count that is suppressed.
    public static let threshold = 7

    public static func apply(_ count: Int) -> TallyCell {
        precondition(count >= 0, "counts are never negative")
        if count == 0 { return .count(0) }
        if count <= threshold { return .suppressed }
        return .count(((count + 2) / 5) * 5)
    }
}
