import Foundation

/// Converts between instants and the hub's local dates and times, across daylight-saving changes.
public struct HubTimeZone: Sendable, Hashable {
    public let timeZone: TimeZone

    public init(_ timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// The time zone named `identifier` (`Europe/London`), or nil if the system does not know it.
    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.timeZone = zone
    }

    public static let london = HubTimeZone(TimeZone(identifier: "Europe/London")!)

    public var identifier: String { timeZone.identifier }

    /// Local seconds since 1970-01-01T00:00 for the instant `date`.
    public func localSeconds(of date: Date) -> Int {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        return seconds + timeZone.secondsFromGMT(for: date)
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
    public func instant(localSeconds: Int) -> Date {
        let local = Double(localSeconds)
        // The offset an hour earlier picks the first of two instants in the autumn overlap.
        let before = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: local - 3600 * 2))
        let candidate = Date(timeIntervalSince1970: local - Double(before))
        let offset = timeZone.secondsFromGMT(for: candidate)
        if offset == before { return candidate }
        let second = Date(timeIntervalSince1970: local - Double(offset))
        // Keep the candidate when the second guess falls back across the change (the spring gap).
        return timeZone.secondsFromGMT(for: second) == offset ? second : candidate
    }
}

extension LocalDate {
    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }
}
