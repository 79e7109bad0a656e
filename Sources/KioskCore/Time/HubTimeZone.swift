import Foundation

/// Converts between instants and the hub's local dates and times, across daylight-saving changes.
///
/// The zone's UTC offsets are read once into a table of transitions (1970 to 2100), so conversions on the press
/// path are a binary search rather than a call into the system's time zone library.
public struct HubTimeZone: Sendable, Hashable {
    public let timeZone: TimeZone
    /// Instants (Unix seconds) at which the offset changes, ascending, and the offset from each on.
    private let transitions: [Int]
    private let offsets: [Int]
    /// The offset before the first transition.
    private let initialOffset: Int

    static let tableStart = 0  // 1970-01-01
    static let tableEnd = 4_102_444_800  // 2100-01-01

    public init(_ timeZone: TimeZone) {
        self.timeZone = timeZone
        var transitions: [Int] = []
        var offsets: [Int] = []
        let first = Date(timeIntervalSince1970: Double(HubTimeZone.tableStart))
        initialOffset = timeZone.secondsFromGMT(for: first)
        var cursor = first
        while let next = timeZone.nextDaylightSavingTimeTransition(after: cursor),
            next.timeIntervalSince1970 < Double(HubTimeZone.tableEnd), next > cursor
        {
            transitions.append(Int(next.timeIntervalSince1970.rounded(.down)))
            offsets.append(timeZone.secondsFromGMT(for: next))
            cursor = next
        }
        self.transitions = transitions
        self.offsets = offsets
    }

    /// The time zone named `identifier` (`Europe/London`), or nil if the system does not know it.
    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.init(zone)
    }

    public static let london = HubTimeZone(TimeZone(identifier: "Europe/London")!)

    public var identifier: String { timeZone.identifier }

    public static func == (lhs: HubTimeZone, rhs: HubTimeZone) -> Bool { lhs.identifier == rhs.identifier }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(identifier)
    }

    /// The offset from UTC, in seconds, at the instant `seconds` (Unix time).
    public func offset(atUnixSeconds seconds: Int) -> Int {
        guard seconds >= HubTimeZone.tableStart, seconds < HubTimeZone.tableEnd else {
            return timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))
        }
        // The last transition at or before `seconds`.
        var low = 0
        var high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle] <= seconds { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? initialOffset : offsets[low - 1]
    }

    /// The offset from UTC at `date`.
    public func secondsFromGMT(for date: Date) -> Int {
        offset(atUnixSeconds: Int(date.timeIntervalSince1970.rounded(.down)))
    }

    /// Local seconds since 1970-01-01T00:00 for the instant `date`.
    public func localSeconds(of date: Date) -> Int {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        return seconds + offset(atUnixSeconds: seconds)
    }

    /// The local date of `date`.
    public func localDate(of date: Date) -> LocalDate {
        LocalDate(daysSinceEpoch: LocalDate.floorDiv(localSeconds(of: date), 86_400))
    }

    /// The local date and the time of day of `date`.
    public func local(of date: Date) -> (date: LocalDate, time: LocalTime) {
        let seconds = localSeconds(of: date)
        let day = LocalDate.floorDiv(seconds, 86_400)
        let minutes = (seconds - day * 86_400) / 60
        return (LocalDate(daysSinceEpoch: day), LocalTime(hour: minutes / 60, minute: minutes % 60)!)
    }

    /// The instant at which the wall clocks of the hub show `time` on `date`.
    ///
    /// In the spring gap (a time that does not exist) this is the instant an hour later on the clock; in the
    /// autumn overlap (a time that happens twice) it is the first of the two.
    public func instant(of date: LocalDate, at time: LocalTime) -> Date {
        instant(localSeconds: date.daysSinceEpoch * 86_400 + time.minutes * 60)
    }

    /// The instant at which the hub's local time is `localSeconds` since the local epoch.
    public func instant(localSeconds local: Int) -> Date {
        // The offset two hours earlier picks the first of two instants in the autumn overlap.
        let before = offset(atUnixSeconds: local - 7200)
        let candidate = local - before
        let offset = offset(atUnixSeconds: candidate)
        if offset == before { return Date(timeIntervalSince1970: Double(candidate)) }
        let second = local - offset
        // Keep the candidate when the second guess falls back across the change (the spring gap).
        let chosen = self.offset(atUnixSeconds: second) == offset ? second : candidate
        return Date(timeIntervalSince1970: Double(chosen))
    }
}

extension LocalDate {
    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }
}
