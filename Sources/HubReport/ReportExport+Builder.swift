import Foundation
import HubReportAPI
import KioskCore

extension ReportExport {
    /// Builds an export one bucket at a time, as a store reads them (``ReportStore/buckets(_:into:_:)``): it holds
    /// one row per hub and period and the totals, never the buckets, so its memory grows with the export, not with
    /// the data. The buckets may come in any order; ``finish()`` gives what ``ReportExport/init(buckets:hubs:partnership:grouping:from:to:)``
    /// gives for the same buckets.
    public struct Builder: Sendable {
        let partnership: Partnership
        let grouping: ExportGrouping
        let from: LocalDate?
        let to: LocalDate?
        let hubNames: [String: String]
        var cells: [PeriodKey: [String: Row]] = [:]
        /// Per hub and `all`; their first and last days are set by ``finish()``.
        var totals: [String: Row] = [:]
        var seen: Set<NeedCode> = []
        var hubIDs: Set<String> = []
        var first: LocalDate?
        var last: LocalDate?
        /// The first count that could not be added; ``finish()`` throws it, later buckets are ignored.
        var failure: ExportError?

        public init(
            hubs: [HubRecord], partnership: Partnership, grouping: ExportGrouping, from: LocalDate? = nil,
            to: LocalDate? = nil
        ) {
            self.partnership = partnership
            self.grouping = grouping
            self.from = from
            self.to = to
            hubNames = Dictionary(hubs.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        }

        /// Adds a bucket's exact counts to its period's row of its hub and of `all`, and to the totals.
        public mutating func add(_ bucket: StoredBucket) {
            guard failure == nil else { return }
            do {
                try fold(bucket)
            } catch {
                failure = error
            }
        }

        /// The export. Throws ``ExportError`` for a stored count that is negative or sums past the integer range (a
        /// damaged database).
        public func finish() throws(ExportError) -> ReportExport {
            try ReportExport(self)
        }

        mutating func fold(_ bucket: StoredBucket) throws(ExportError) {
            seen.formUnion(bucket.counts.visitsByNeed.keys)
            hubIDs.insert(bucket.hubID)
            first = min(first ?? bucket.key.date, bucket.key.date)
            last = max(last ?? bucket.key.date, bucket.key.date)
            let period = ReportExport.period(of: bucket.key, by: grouping)
            let start = max(period.start, from ?? period.start)
            let end = min(period.end, to ?? period.end)
            let key = PeriodKey(start: start, hour: period.hour, end: end, label: period.label)
            let partial = start != period.start || end != period.end
            // Added in place (no copy of a row's needs per bucket).
            for hub in [bucket.hubID, ReportExport.allHubs] {
                try cells[key, default: [:]][
                    hub,
                    default: Row(
                        period: period.label, start: start, end: end, partial: partial, hub: hub, visits: 0,
                        needs: [:], slipsPrinted: 0, slipsNotPrinted: 0)
                ].add(bucket.counts)
                try totals[
                    hub,
                    default: Row(
                        period: "total", start: start, end: end, partial: false, hub: hub, visits: 0, needs: [:],
                        slipsPrinted: 0, slipsNotPrinted: 0)
                ].add(bucket.counts)
            }
        }
    }
}
