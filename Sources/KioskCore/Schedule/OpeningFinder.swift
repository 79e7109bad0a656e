import Foundation

/// One opening of a service: from `start` to `end`, both instants.
public struct Opening: Hashable, Sendable {
    public var start: Date
    public var end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }
}

/// Finds when a service is next open, in the hub's time zone.
public struct OpeningFinder: Sendable {
    public let timeZone: HubTimeZone
    /// How far ahead to look, in days. The default, 800 days, finds every monthly pattern of up to two years'
    /// interval, and the rarest day-and-date pattern (Friday the 13th is up to 14 months away).
    public let horizonDays: Int

    /// The default ``horizonDays``.
    public static let defaultHorizonDays = 800

    public init(timeZone: HubTimeZone, horizonDays: Int = OpeningFinder.defaultHorizonDays) {
        self.timeZone = timeZone
        // At most the 400-year Gregorian cycle, after which every pattern repeats.
        self.horizonDays = min(max(0, horizonDays), 146_097)
    }

    /// The opening that is under way at `now`, or else the next one to start; nil if none within the horizon.
    ///
    /// No opening starts on a day its schedule is closed (``ServiceSchedule/closures``): the first one after the
    /// closure is found instead, and a service closed for all its openings within the horizon has none.
    public func nextOpening(of schedules: [ServiceSchedule], after now: Date) -> Opening? {
        let usable = schedules.filter(\.isUsable)
        guard !usable.isEmpty else { return nil }
        let today = timeZone.localDate(of: now)
        // No need to look past the day every schedule ends (valid_to, until).
        var lastOffset = horizonDays
        let ends = usable.map(\.lastDay)
        if !ends.contains(where: { $0 == nil }) {
            let latest = ends.compactMap { $0 }.max().map { $0.daysSinceEpoch - today.daysSinceEpoch + 1 }
            lastOffset = min(lastOffset, max(-1, latest ?? -1))
        }
        var best: Opening?
        var foundOffset: Int?
        // Start yesterday: an opening that runs past midnight may still be under way. Times written with a UTC
        // offset can move an opening onto the next local day, so the day after the first find is looked at too.
        var offset = -1
        while offset <= lastOffset {
            if let foundOffset, offset > foundOffset + 1 { break }
            let date = today.adding(days: offset)
            for schedule in usable where schedule.occurs(on: date) {
                guard let opening = opening(of: schedule, on: date), opening.end > now,
                    // Times written with a UTC offset can start the opening on the next local day.
                    !schedule.isClosed(on: timeZone.localDate(of: opening.start))
                else { continue }
                if let current = best, current.start <= opening.start { continue }
                best = opening
                if foundOffset == nil { foundOffset = offset }
            }
            offset += 1
        }
        return best
    }

    /// The opening `schedule` has on `date`, closing the next day when it closes at or before it opens.
    public func opening(of schedule: ServiceSchedule, on date: LocalDate) -> Opening? {
        guard let opens = schedule.opensAt, let closes = schedule.closesAt else { return nil }
        let start = instant(of: date, at: opens, utcOffset: schedule.opensAtUTCOffset)
        if schedule.opensAtUTCOffset == schedule.closesAtUTCOffset {
            let endDate = closes > opens ? date : date.adding(days: 1)
            return Opening(start: start, end: instant(of: endDate, at: closes, utcOffset: schedule.closesAtUTCOffset))
        }
        let sameDay = instant(of: date, at: closes, utcOffset: schedule.closesAtUTCOffset)
        if sameDay > start { return Opening(start: start, end: sameDay) }
        return Opening(
            start: start, end: instant(of: date.adding(days: 1), at: closes, utcOffset: schedule.closesAtUTCOffset))
    }

    /// The instant of `time` on `date`: on the hub's clocks, or at a fixed UTC offset when the time was written
    /// with one.
    func instant(of date: LocalDate, at time: LocalTime, utcOffset: Int?) -> Date {
        guard let utcOffset else { return timeZone.instant(of: date, at: time) }
        return Date(timeIntervalSince1970: Double(date.daysSinceEpoch * 86_400 + time.minutes * 60 - utcOffset))
    }

    /// Openings up to this many days ahead are printed without their year.
    public static let daysWithoutYear = 300

    /// The words a slip prints for `opening` as seen at `now`: "Open now until 16:00", "Today 14:00–16:00",
    /// "Thu 4 Dec 10:00–12:00", and more than ``daysWithoutYear`` days ahead "Fri 13 Oct 2028 10:00–12:00".
    public func describe(_ opening: Opening, at now: Date) -> String {
        let start = timeZone.local(of: opening.start)
        let end = timeZone.local(of: opening.end)
        if opening.start <= now {
            let sameDay = end.date == timeZone.localDate(of: now)
            return sameDay ? "Open now until \(end.time)" : "Open now until \(end.date.shortDisplay) \(end.time)"
        }
        let today = timeZone.localDate(of: now)
        var day = start.date == today ? "Today" : start.date.shortDisplay
        // Far enough ahead that the month alone could mean this year or the next: say the year.
        if start.date.daysSinceEpoch - today.daysSinceEpoch > OpeningFinder.daysWithoutYear {
            day += " \(start.date.year)"
        }
        return "\(day) \(start.time)\u{2013}\(end.time)"
    }
}
