import Foundation

/// When a service is open, after an ORUK v3 / HSDS 3 `schedule` (RFC 5545 RRULE style).
public struct ServiceSchedule: Hashable, Sendable {
    public enum Frequency: String, Hashable, Sendable {
        case daily = "DAILY"
        case weekly = "WEEKLY"
        case monthly = "MONTHLY"
    }

    /// A `byday` entry: a weekday, optionally with an ordinal in its month (`2MO` second Monday, `-1FR` last Friday).
    public struct DayRule: Hashable, Sendable, CustomStringConvertible {
        public var ordinal: Int?
        public var weekday: Weekday

        public init(ordinal: Int? = nil, weekday: Weekday) {
            self.ordinal = ordinal
            self.weekday = weekday
        }

        /// Parses `MO`, `2MO`, `+2MO`, `-1FR`.
        public init?(text: some StringProtocol) {
            let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
            guard trimmed.count >= 2, let weekday = Weekday(rawValue: String(trimmed.suffix(2))) else { return nil }
            let prefix = trimmed.dropLast(2)
            if prefix.isEmpty {
                self.init(weekday: weekday)
            } else {
                guard let ordinal = Int(prefix), ordinal != 0, (-5...5).contains(ordinal) else { return nil }
                self.init(ordinal: ordinal, weekday: weekday)
            }
        }

        public var description: String { (ordinal.map { String($0) } ?? "") + weekday.rawValue }
    }

    public var frequency: Frequency
    /// Every `interval` days, weeks or months, counted from ``anchor``.
    public var interval: Int
    /// Weekdays (`MO`), filtering the days of a daily or weekly pattern; under MONTHLY also with an ordinal in the
    /// month (`2MO`). With ``byMonthDay`` a day must satisfy both (RFC 5545).
    public var byDay: [DayRule]
    /// Days of the month (`15`, `-1` the last day); a month without the day is skipped.
    public var byMonthDay: [Int]
    /// Opening time: the hub's wall-clock time, or a fixed instant each day when ``opensAtUTCOffset`` is set.
    public var opensAt: LocalTime?
    public var closesAt: LocalTime?
    /// Start of the pattern (`dtstart`).
    public var start: LocalDate?
    /// Last day of the pattern (`until`).
    public var until: LocalDate?
    public var validFrom: LocalDate?
    public var validTo: LocalDate?
    /// Free text such as "By appointment".
    public var note: String?
    /// The day weeks start on for a WEEKLY interval (`wkst`, RFC 5545; Monday unless the feed says otherwise).
    public var weekStart: Weekday
    /// The UTC offset, in seconds, `opens_at` was written with (`09:00:00Z` is 0, `09:00+01:00` is 3600); nil for the
    /// hub's local time.
    public var opensAtUTCOffset: Int?
    /// The UTC offset `closes_at` was written with; nil for the hub's local time.
    public var closesAtUTCOffset: Int?
    /// Days the pattern skips: holiday closures, and holidays with other hours of their own.
    public var closures: [ScheduleClosure]

    public init(
        frequency: Frequency,
        interval: Int = 1,
        byDay: [DayRule] = [],
        byMonthDay: [Int] = [],
        opensAt: LocalTime? = nil,
        closesAt: LocalTime? = nil,
        start: LocalDate? = nil,
        until: LocalDate? = nil,
        validFrom: LocalDate? = nil,
        validTo: LocalDate? = nil,
        note: String? = nil,
        weekStart: Weekday = .monday,
        opensAtUTCOffset: Int? = nil,
        closesAtUTCOffset: Int? = nil,
        closures: [ScheduleClosure] = []
    ) {
        self.frequency = frequency
        self.interval = interval
        self.byDay = byDay
        self.byMonthDay = byMonthDay
        self.opensAt = opensAt
        self.closesAt = closesAt
        self.start = start
        self.until = until
        self.validFrom = validFrom
        self.validTo = validTo
        self.note = note
        self.weekStart = weekStart
        self.opensAtUTCOffset = opensAtUTCOffset
        self.closesAtUTCOffset = closesAtUTCOffset
        self.closures = closures
    }

    /// The day that intervals count from: `dtstart`, else `valid_from`.
    public var anchor: LocalDate? { start ?? validFrom }

    /// Whether the schedule can place openings in time (it has times, and an anchor where one is needed).
    ///
    /// An ordinal weekday (`2MO`) means something only in a month: under DAILY or WEEKLY the schedule is not usable
    /// (RFC 5545), rather than read as every Monday.
    public var isUsable: Bool {
        guard opensAt != nil, closesAt != nil, interval >= 1 else { return false }
        if interval > 1 && anchor == nil { return false }
        if frequency != .monthly && byDay.contains(where: { $0.ordinal != nil }) { return false }
        if frequency == .weekly && byDay.isEmpty && anchor == nil { return false }
        if frequency == .monthly && byDay.isEmpty && byMonthDay.isEmpty && anchor == nil { return false }
        return true
    }

    /// The last day the schedule can occur on (`valid_to` or `until`, the earlier), if it has one.
    public var lastDay: LocalDate? {
        switch (validTo, until) {
        case (let a?, let b?): return min(a, b)
        case (let a?, nil): return a
        case (nil, let b?): return b
        case (nil, nil): return nil
        }
    }

    /// Whether `date` falls in one of the schedule's ``closures``.
    public func isClosed(on date: LocalDate) -> Bool {
        closures.contains { $0.contains(date) }
    }

    /// Whether the service opens on `date` under this schedule (RFC 5545 semantics: `byday` and `bymonthday` limit
    /// the days the frequency and interval give, and under MONTHLY `byday` ordinals count within the month); never on
    /// a day of its ``closures``.
    public func occurs(on date: LocalDate) -> Bool {
        if isClosed(on: date) { return false }
        if let validFrom, date < validFrom { return false }
        if let validTo, date > validTo { return false }
        if let start, date < start { return false }
        if let until, date > until { return false }
        guard isInPeriod(date) else { return false }
        switch frequency {
        case .daily:
            return matchesByDay(date) && matchesByMonthDay(date)
        case .weekly:
            if byDay.isEmpty {
                // Without byday, the weekday of the anchor (RFC 5545: taken from DTSTART).
                guard let anchor, date.weekday == anchor.weekday else { return false }
            } else if !matchesByDay(date) {
                return false
            }
            return matchesByMonthDay(date)
        case .monthly:
            if byDay.isEmpty && byMonthDay.isEmpty {
                // The anchor's day of the month; a month without that day (the 31st in April) is skipped.
                guard let anchor else { return false }
                return date.day == anchor.day
            }
            return matchesByDay(date) && matchesByMonthDay(date)
        }
    }

    /// Whether `date` falls in a day, week or month the interval selects, counted from the anchor.
    private func isInPeriod(_ date: LocalDate) -> Bool {
        guard interval > 1 else { return true }
        guard let anchor else { return false }
        let periods: Int
        switch frequency {
        case .daily:
            periods = date.daysSinceEpoch - anchor.daysSinceEpoch
        case .weekly:
            periods = (weekStartDate(of: date).daysSinceEpoch - weekStartDate(of: anchor).daysSinceEpoch) / 7
        case .monthly:
            periods = (date.year - anchor.year) * 12 + (date.month - anchor.month)
        }
        return ((periods % interval) + interval) % interval == 0
    }

    /// The first day of `date`'s week, weeks starting on ``weekStart``.
    private func weekStartDate(of date: LocalDate) -> LocalDate {
        date.adding(days: -((date.weekday.index - weekStart.index + 7) % 7))
    }

    private func matchesByDay(_ date: LocalDate) -> Bool {
        guard !byDay.isEmpty else { return true }
        let weekday = date.weekday
        let lastDay = date.daysInMonth
        return byDay.contains { rule in
            guard rule.weekday == weekday else { return false }
            guard frequency == .monthly, let ordinal = rule.ordinal else { return true }
            if ordinal > 0 { return (date.day - 1) / 7 + 1 == ordinal }
            return (lastDay - date.day) / 7 + 1 == -ordinal
        }
    }

    private func matchesByMonthDay(_ date: LocalDate) -> Bool {
        guard !byMonthDay.isEmpty else { return true }
        let lastDay = date.daysInMonth
        return byMonthDay.contains { day in
            day > 0 ? date.day == day : date.day == lastDay + day + 1
        }
    }
}
