/// Days on which a schedule's openings do not happen: from ``start`` to ``end``, both included, in the hub's local
/// dates.
///
/// An ORUK v1 `holiday_schedules` entry gives one: a closure (`closed` true), or other hours that hold instead of the
/// regular ones on those days. A closure works like RFC 5545's `EXDATE`: the schedule's pattern is unchanged, and
/// the days in the range are taken out of it.
public struct ScheduleClosure: Hashable, Sendable, CustomStringConvertible {
    /// The first closed day.
    public var start: LocalDate
    /// The last closed day.
    public var end: LocalDate

    public init(start: LocalDate, end: LocalDate) {
        self.start = start
        self.end = end
    }

    /// Whether `date` is one of the closed days.
    public func contains(_ date: LocalDate) -> Bool { start <= date && date <= end }

    /// `2026-12-25` for one day, `2026-12-24 to 2027-01-02` for several.
    public var description: String { start == end ? "\(start)" : "\(start) to \(end)" }
}
