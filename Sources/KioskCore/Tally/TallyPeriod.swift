/// How tallies are bucketed.
public enum TallyGrouping: String, Hashable, Sendable, CaseIterable {
    /// An hour of the hub's local day (the finest bucket a kiosk keeps).
    case hour
    case day
    /// ISO 8601 weeks, Monday to Sunday.
    case week
    case month
}

/// One bucket of a tally: an hour, a day, an ISO week or a month of the hub's calendar.
public struct TallyPeriod: Hashable, Comparable, Sendable {
    public var grouping: TallyGrouping
    public var start: LocalDate
    /// The local hour (0…23) of an ``TallyGrouping/hour`` period; nil for the others.
    public var hour: Int?

    /// The period of `grouping` that contains `date` (for ``TallyGrouping/hour``, its first hour).
    public init(containing date: LocalDate, by grouping: TallyGrouping) {
        self.init(containing: date, hour: 0, by: grouping)
    }

    /// The period of `grouping` that contains hour `hour` (0…23) of `date`.
    public init(containing date: LocalDate, hour: Int, by grouping: TallyGrouping) {
        precondition((0...23).contains(hour), "an hour of the day is 0...23")
        self.grouping = grouping
        self.hour = nil
        switch grouping {
        case .hour:
            self.start = date
            self.hour = hour
        case .day: self.start = date
        case .week: self.start = date.startOfWeek
        case .month: self.start = date.startOfMonth
        }
    }

    /// The last day of the period.
    public var end: LocalDate {
        switch grouping {
        case .hour, .day: return start
        case .week: return start.adding(days: 6)
        case .month: return start.adding(days: start.daysInMonth - 1)
        }
    }

    /// The period that follows this one.
    public var next: TallyPeriod {
        if grouping == .hour, let hour, hour < 23 { return TallyPeriod(containing: start, hour: hour + 1, by: .hour) }
        return TallyPeriod(containing: end.adding(days: 1), by: grouping)
    }

    /// `2026-12-01T09`, `2026-11-23`, `2026-W48` or `2026-11`.
    public var label: String {
        switch grouping {
        case .hour:
            return "\(start.description)T\(LocalDate.pad(hour ?? 0, 2))"
        case .day:
            return start.description
        case .week:
            let week = start.isoWeek
            return "\(week.year)-W\(LocalDate.pad(week.week, 2))"
        case .month:
            return "\(LocalDate.pad(start.year, 4))-\(LocalDate.pad(start.month, 2))"
        }
    }

    public static func < (lhs: TallyPeriod, rhs: TallyPeriod) -> Bool {
        (lhs.start, lhs.hour ?? 0) < (rhs.start, rhs.hour ?? 0)
    }
}
