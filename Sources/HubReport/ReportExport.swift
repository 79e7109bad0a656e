import Foundation
import HubReportAPI
import KioskCore

/// How an export groups buckets.
public enum ExportGrouping: String, CaseIterable, Sendable {
    case hour, day, week, month
}

/// All hubs side by side, by period and need: what `hubreport export` writes.
///
/// Every row holds exact counts; ``csv(exact:)`` and ``json(exact:)`` suppress them unless told otherwise, with
/// KioskCore's one ``Suppression`` rule (1–7 shown as `[c]`, others rounded to the nearest 5). The `all` rows and the
/// totals are summed from the exact counts first, then suppressed.
public struct ReportExport: Sendable {
    /// One period of one hub (or `all` hubs).
    public struct Row: Sendable, Equatable {
        /// `2026-12-01T09`, `2026-12-01`, `2026-W49`, `2026-12`, or `total`.
        public var period: String
        /// The first and last day the row counts (inside `--from`/`--to`).
        public var start: LocalDate
        public var end: LocalDate
        /// Whether `--from`/`--to` cut the period, so the row counts only some of its days.
        public var partial: Bool
        /// A hub id, or `all`.
        public var hub: String
        public var visits: Int
        public var needs: [NeedCode: Int]
        public var slipsPrinted: Int
        public var slipsNotPrinted: Int
    }

    /// The `hub` of the rows that sum every hub.
    public static let allHubs = "all"

    public var partnership: Partnership
    public var grouping: ExportGrouping
    public var from: LocalDate?
    public var to: LocalDate?
    /// The columns: the partnership's needs in its order, then codes it does not list (sorted).
    public var needs: [NeedCode]
    /// Codes hubs sent that the partnership does not list: kept and shown, never dropped.
    public var unknownNeeds: [NeedCode]
    public var hubNames: [String: String]
    /// Per period: one row per hub, then `all` (when there are several hubs).
    public var rows: [Row]
    /// One `total` row per hub, then `all`.
    public var totals: [Row]

    /// Builds the export from stored buckets (exact counts). Throws ``ExportError`` for a stored count that is
    /// negative or sums past the integer range (a damaged database), never traps. ``Builder`` does the same one
    /// bucket at a time.
    public init(
        buckets: [StoredBucket], hubs: [HubRecord], partnership: Partnership, grouping: ExportGrouping,
        from: LocalDate? = nil, to: LocalDate? = nil
    ) throws(ExportError) {
        var builder = Builder(hubs: hubs, partnership: partnership, grouping: grouping, from: from, to: to)
        for bucket in buckets { builder.add(bucket) }
        self = try builder.finish()
    }

    /// The export of what `builder` was given: its rows in order of period, then hub.
    init(_ builder: Builder) throws(ExportError) {
        if let failure = builder.failure { throw failure }
        partnership = builder.partnership
        grouping = builder.grouping
        from = builder.from
        to = builder.to
        unknownNeeds = partnership.unknown(builder.seen)
        needs = partnership.needs.map(\.code) + unknownNeeds
        hubNames = builder.hubNames
        let hubIDs = builder.hubIDs.sorted()
        let shown = hubIDs.count > 1 ? hubIDs + [Self.allHubs] : hubIDs
        var rows: [Row] = []
        for key in builder.cells.keys.sorted() {
            let cells = builder.cells[key]
            for hub in shown {
                rows.append(
                    cells?[hub]
                        ?? Row(
                            period: key.label, start: key.start, end: key.end,
                            partial: cells?.values.first?.partial ?? false, hub: hub, visits: 0, needs: [:],
                            slipsPrinted: 0, slipsNotPrinted: 0))
            }
        }
        self.rows = rows
        // The totals span the days seen, inside --from/--to.
        let first = builder.first ?? builder.from ?? LocalDate(daysSinceEpoch: 0)
        let last = builder.last ?? builder.to ?? first
        let (start, end) = (max(first, builder.from ?? first), min(last, builder.to ?? last))
        totals = shown.compactMap { hub in
            guard var total = builder.totals[hub] else { return nil }
            total.start = start
            total.end = end
            return total
        }
    }

    /// A period of the export's rows, in time order.
    struct PeriodKey: Hashable, Comparable, Sendable {
        var start: LocalDate
        var hour: Int
        var end: LocalDate
        var label: String

        static func < (lhs: PeriodKey, rhs: PeriodKey) -> Bool { (lhs.start, lhs.hour) < (rhs.start, rhs.hour) }
    }

    /// The period a bucket falls in: its label, first and last day, and the hour (-1 for whole days).
    static func period(
        of key: BucketKey, by grouping: ExportGrouping
    ) -> (
        label: String, start: LocalDate, end: LocalDate, hour: Int
    ) {
        switch grouping {
        case .hour:
            guard let hour = key.hour else { return ("\(key.date)", key.date, key.date, -1) }
            return ("\(key.date)T\(hour < 10 ? "0" : "")\(hour)", key.date, key.date, hour)
        case .day, .week, .month:
            let tallyGrouping: TallyGrouping = grouping == .day ? .day : grouping == .week ? .week : .month
            let period = TallyPeriod(containing: key.date, by: tallyGrouping)
            return (period.label, period.start, period.end, -1)
        }
    }
}

/// A stored count an export cannot use.
public struct ExportError: Error, Sendable, CustomStringConvertible {
    public var hub: String
    public var period: String
    public var message: String

    public var description: String {
        "hub \(hub), \(period): \(message); the database may be damaged: check it (`sqlite3 FILE 'PRAGMA "
            + "integrity_check'`) or restore the last back-up"
    }
}

extension ReportExport.Row {
    mutating func add(_ counts: TallyCounts) throws(ExportError) {
        visits = try sum(visits, counts.visits, "visits")
        slipsPrinted = try sum(slipsPrinted, counts.slipsPrinted, "slips printed")
        slipsNotPrinted = try sum(slipsNotPrinted, counts.slipsNotPrinted, "slips not printed")
        for (need, count) in counts.visitsByNeed {
            needs[need] = try sum(needs[need] ?? 0, count, "visits for \(need)")
        }
    }

    func sum(_ a: Int, _ b: Int, _ what: String) throws(ExportError) -> Int {
        guard b >= 0 else { throw ExportError(hub: hub, period: period, message: "\(what) is negative (\(b))") }
        let (result, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw ExportError(hub: hub, period: period, message: "\(what) sum past \(Int.max)") }
        return result
    }
}
