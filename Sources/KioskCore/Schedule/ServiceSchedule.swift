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
    public var byDay: [DayRule]
    /// Days of the month (`15`, `-1` the last day).
    public var byMonthDay: [Int]
    public var opensAt: LocalTime?
    public var closesAt: LocalTime?
    /// First day of the pattern (`dtstart`).
    public var start: LocalDate?
    /// Last day of the pattern (`until`).
    public var until: LocalDate?
    public var validFrom: LocalDate?
    public var validTo: LocalDate?
    /// Free text such as "By appointment".
    public var note: String?

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
        note: String? = nil
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
    }

    /// The day that intervals count from: `dtstart`, else `valid_from`.
    public var anchor: LocalDate? { start ?? validFrom }

    /// Whether the schedule can place openings in time (it has times, and an anchor where one is needed).
    public var isUsable: Bool {
        guard opensAt != nil, closesAt != nil, interval >= 1 else { return false }
        if interval > 1 && anchor == nil { return false }
        if frequency == .weekly && byDay.isEmpty && anchor == nil { return false }
        if frequency == .monthly && byDay.isEmpty && byMonthDay.isEmpty && anchor == nil { return false }
        return true
    }

    /// Whether the service opens on `date` under this schedule.
    public func occurs(on date: LocalDate) -> Bool {
        if let validFrom, date < validFrom { return false }
        if let validTo, date > validTo { return false }
        if let start, date < start { return false }
        if let until, date > until { return false }
        switch frequency {
        case .daily:
            if interval > 1 {
                guard let anchor else { return false }
                return (date.daysSinceEpoch - anchor.daysSinceEpoch) % interval == 0
            }
            return byDay.isEmpty || byDay.contains { $0.weekday == date.weekday }
        case .weekly:
            if interval > 1 {
                guard let anchor else { return false }
                let weeks = (date.startOfWeek.daysSinceEpoch - anchor.startOfWeek.daysSinceEpoch) / 7
                guard weeks % interval == 0 else { return false }
            }
            if byDay.isEmpty {
                guard let anchor else { return false }
                return date.weekday == anchor.weekday
            }
            return byDay.contains { $0.weekday == date.weekday }
        case .monthly:
            if interval > 1 {
                guard let anchor else { return false }
                let months = (date.year - anchor.year) * 12 + (date.month - anchor.month)
                guard months % interval == 0 else { return false }
            }
            if byDay.isEmpty && byMonthDay.isEmpty {
                guard let anchor else { return false }
                return date.day == min(anchor.day, date.daysInMonth)
            }
            let lastDay = date.daysInMonth
            for rule in byDay where rule.weekday == date.weekday {
                guard let ordinal = rule.ordinal else { return true }
                if ordinal > 0 && (date.day - 1) / 7 + 1 == ordinal { return true }
                if ordinal < 0 && (lastDay - date.day) / 7 + 1 == -ordinal { return true }
            }
            for day in byMonthDay {
                if day > 0 && date.day == day { return true }
                if day < 0 && date.day == lastDay + day + 1 { return true }
            }
            return false
        }
    }
}
