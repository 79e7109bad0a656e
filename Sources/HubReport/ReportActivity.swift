import Foundation
import HubReportAPI
import KioskCore

/// What the charts show, folded from the store's buckets as they are read (only these sums are kept, never the
/// buckets): visits per hub and week, visits per need, and visits per hub and hour of day.
struct ReportActivity: Sendable {
    /// The Mondays of the weeks shown, oldest first.
    let weeks: [LocalDate]
    var visits: [String: [LocalDate: Int]] = [:]
    var needs: [NeedCode: Int] = [:]
    /// 24 counts per hub; day buckets have no hour and are left out.
    var hours: [String: [Int]] = [:]
    var hubs: Set<String> = []

    init(weeks: Int, endingOn today: LocalDate) {
        let last = today.startOfWeek
        self.weeks = (0..<weeks).reversed().map { last.adding(days: -7 * $0) }
    }

    var from: LocalDate { weeks.first ?? LocalDate(daysSinceEpoch: 0) }

    mutating func add(_ bucket: StoredBucket) {
        let counts = bucket.counts
        guard counts.visits >= 0 else { return }
        hubs.insert(bucket.hubID)
        visits[bucket.hubID, default: [:]][bucket.key.date.startOfWeek, default: 0] += counts.visits
        for (need, count) in counts.visitsByNeed where count > 0 { needs[need, default: 0] += count }
        if let hour = bucket.key.hour, (0..<24).contains(hour) {
            hours[bucket.hubID, default: Array(repeating: 0, count: 24)][hour] += counts.visits
        }
    }

    /// Visits per week summed across `hubs`.
    func weekly(_ hubs: [String]) -> [Int] {
        weeks.map { week in hubs.reduce(0) { $0 + (visits[$1]?[week] ?? 0) } }
    }
}

extension ReportPages {
    /// The activity of the last ``chartWeeks`` weeks, of one hub or all, read with the store's query (by date).
    func activity(hub: String? = nil) async throws -> ReportActivity {
        let start = ReportActivity(weeks: Self.chartWeeks, endingOn: today)
        return try await store.buckets(
            BucketQuery(from: start.from, to: today, hubID: hub, resolution: .asSent), into: start
        ) { $0.add($1) }
    }

    /// This week's visits per hub (Monday to today), summed per day by the store.
    func thisWeek() async throws -> [String: Int] {
        try await store.buckets(
            BucketQuery(from: today.startOfWeek, to: today, resolution: .day), into: [String: Int]()
        ) { sums, bucket in sums[bucket.hubID, default: 0] += max(bucket.counts.visits, 0) }
    }
}
