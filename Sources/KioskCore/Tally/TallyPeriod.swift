/// How tallies are bucketed.
public enum TallyGrouping: String, Hashable, Sendable, CaseIterable {
    case day
    /// ISO 8601 weeks, Monday to Sunday.
    case week
    case month
}

/// One bucket of a tally: a day, an ISO week or a month of the hub's calendar.
public struct TallyPeriod: Hashable, Comparable, Sendable {
    public var grouping: TallyGrouping
    public var start: LocalDate

    /// The period of `grouping` that contains `date`.
    public init(containing date: LocalDate, by grouping: TallyGrouping) {
        self.grouping = grouping
        switch grouping {
        case .day: self.start = date
        case .week: self.start = date.startOfWeek
        case .month: self.start = date.startOfMonth
        }
    }

    /// The last day of the period.
    public var end: LocalDate {
        switch grouping {
        case .day: return start
        case .week: return start.adding(days: 6)
        case .month: return start.adding(days: start.daysInMonth - 1)
        }
    }

    /// The period that follows this one.
    public var next: TallyPeriod { TallyPeriod(containing: end.adding(days: 1), by: grouping) }

    /// `2026-11-23`, `2026-W48` or `2026-11`.
    public var label: String {
        switch grouping {
        case .day:
            return start.description
        case .week:
            let week = start.isoWeek
            return "\(week.year)-W\(LocalDate.pad(week.week, 2))"
        case .month:
            return "\(LocalDate.pad(start.year, 4))-\(LocalDate.pad(start.month, 2))"
        }
    }

    public static func < (lhs: TallyPeriod, rhs: TallyPeriod) -> Bool { lhs.start < rhs.start }
}
