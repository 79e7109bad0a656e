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
    /// How far ahead to look (a yearly-ish monthly pattern is still found).
    public let horizonDays: Int

    public init(timeZone: HubTimeZone, horizonDays: Int = 400) {
        self.timeZone = timeZone
        self.horizonDays = horizonDays
    }

    /// The opening that is under way at `now`, or else the next one to start; nil if none within the horizon.
    public func nextOpening(of schedules: [ServiceSchedule], after now: Date) -> Opening? {
        let usable = schedules.filter(\.isUsable)
        guard !usable.isEmpty else { return nil }
        let today = timeZone.localDate(of: now)
        // Start yesterday: an opening that runs past midnight may still be under way.
        for offset in -1...horizonDays {
            let date = today.adding(days: offset)
            var best: Opening?
            for schedule in usable where schedule.occurs(on: date) {
                guard let opens = schedule.opensAt, let closes = schedule.closesAt else { continue }
                let start = timeZone.instant(of: date, at: opens)
                let endDate = closes > opens ? date : date.adding(days: 1)
                let end = timeZone.instant(of: endDate, at: closes)
                guard end > now else { continue }
                if best == nil || start < best!.start { best = Opening(start: start, end: end) }
            }
            if let best { return best }
        }
        return nil
    }

    /// The words a slip prints for `opening` as seen at `now`: "Open now until 16:00", "Today 14:00–16:00",
    /// "Thu 4 Dec 10:00–12:00".
    public func describe(_ opening: Opening, at now: Date) -> String {
        let start = timeZone.local(of: opening.start)
        let end = timeZone.local(of: opening.end)
        if opening.start <= now {
            let sameDay = end.date == timeZone.localDate(of: now)
            return sameDay ? "Open now until \(end.time)" : "Open now until \(end.date.shortDisplay) \(end.time)"
        }
        let today = timeZone.localDate(of: now)
        let day = start.date == today ? "Today" : start.date.shortDisplay
        return "\(day) \(start.time)\u{2013}\(end.time)"
    }
}
