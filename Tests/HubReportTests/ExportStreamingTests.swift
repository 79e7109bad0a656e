import Foundation
import HubReport
import HubReportAPI
import KioskCore
import KioskTestSupport
import Testing

/// An export folded from the store's buckets as they are read equals the export of the array of what was stored.
@Suite struct ExportStreamingTests {
    static let start = LocalDate(year: 2026, month: 12, day: 1)!

    /// Seeded random buckets of hubs whose ids sort differently by byte and by a locale's collation, some dates as
    /// hour buckets and some as day buckets, some buckets without needs: the store's buckets, read one at a time
    /// into a ``ReportExport/Builder``, give the same export as ``ReportExport/init(buckets:hubs:partnership:grouping:from:to:)``
    /// of what was sent (summed per day as the store sums it), for every grouping, with and without --from/--to
    /// and --hub, on every engine. The store's buckets are what was sent, too.
    @Test(arguments: StoreEngine.all, [21, 22, 23, 24] as [UInt64])
    func anExportStreamedFromTheStoreEqualsTheExportOfTheArray(engine: StoreEngine, seed: UInt64) async throws {
        var random = SplitMix64(seed: seed)
        try await engine.withStore { store, _ in
            var sent: [StoredBucket] = []
            for hub in ["a-2", "a2", "a_1", "b", "leith"] {
                let code = EnrolmentCode.make()
                _ = try await store.addHub(
                    id: hub, name: hub, codeHash: EnrolmentCode.hash(code), now: 1, expiresAt: 99)
                _ = try await store.enrol(
                    codeHash: EnrolmentCode.hash(code), publicKey: HubPrivateKey().publicKey, kioskVersion: "1", now: 2)
                var hours: [TallyBucket] = []
                var days: [TallyBucket] = []
                for day in 0..<30 where Int.random(in: 0..<3, using: &random) > 0 {
                    let asDay = Int.random(in: 0..<4, using: &random) == 0
                    for hour in asDay ? [nil] : Array(8..<18) as [Int?] where asDay || Bool.random(using: &random) {
                        let visits = Int.random(in: 0...12, using: &random)
                        var needs: [NeedCode: Int] = [:]
                        for need in ["food", "money", "talk", "gardening"] where Bool.random(using: &random) {
                            needs[NeedCode(need)] = Int.random(in: 0...visits, using: &random)
                        }
                        let bucket = Batches.bucket(day: day, hour: hour, revision: 1, visits: visits, needs: needs)
                        if asDay { days.append(bucket) } else { hours.append(bucket) }
                    }
                }
                for (buckets, granularity) in [(hours, TallyGranularity.hour), (days, .day)] {
                    for start in stride(from: 0, to: buckets.count, by: 100) {
                        _ = try await store.merge(
                            Batches.batch(
                                hub, Array(buckets[start..<min(start + 100, buckets.count)]), granularity: granularity),
                            now: 3)
                    }
                }
                sent += (hours + days).map { StoredBucket(hubID: hub, key: $0.key, revision: 1, counts: $0.counts) }
            }
            let hubs = try await store.hubs()
            let cases: [(from: LocalDate?, to: LocalDate?, hub: String?)] = [
                (nil, nil, nil), (Self.start.adding(days: 5), Self.start.adding(days: 20), nil), (nil, nil, "a2"),
            ]
            for (from, to, hub) in cases {
                for grouping in ExportGrouping.allCases {
                    let query = BucketQuery(
                        from: from, to: to, hubID: hub, resolution: grouping == .hour ? .asSent : .day)
                    let chosen = sent.filter { bucket in
                        bucket.key.date >= (from ?? bucket.key.date) && bucket.key.date <= (to ?? bucket.key.date)
                            && bucket.hubID == (hub ?? bucket.hubID)
                    }
                    let expected = Self.sorted(query.resolution == .day ? Self.summedPerDay(chosen) : chosen)
                    #expect(Self.sorted(try await store.buckets(query)) == expected, "\(grouping) \(query)")

                    let array = try ReportExport(
                        buckets: expected, hubs: hubs, partnership: .example, grouping: grouping, from: from, to: to)
                    let streamed = try await store.buckets(
                        query,
                        into: ReportExport.Builder(
                            hubs: hubs, partnership: .example, grouping: grouping, from: from, to: to)
                    ) { $0.add($1) }.finish()
                    #expect(!streamed.rows.isEmpty)
                    #expect(streamed.rows == array.rows, "\(grouping) \(query)")
                    #expect(streamed.totals == array.totals, "\(grouping) \(query)")
                    #expect(streamed.needs == array.needs && streamed.unknownNeeds == array.unknownNeeds)
                    #expect(streamed.csv(exact: false) == array.csv(exact: false))
                    #expect(streamed.csv(exact: true) == array.csv(exact: true))
                }
            }
        }
    }

    /// The builder throws the array's error for a damaged count, whichever buckets follow it.
    @Test func aBuilderThrowsTheFirstBadCount() {
        var builder = ReportExport.Builder(hubs: [], partnership: .example, grouping: .week)
        let date = Self.start
        builder.add(StoredBucket(hubID: "leith", key: BucketKey(date: date, hour: 9), revision: 1, counts: .init()))
        builder.add(
            StoredBucket(
                hubID: "leith", key: BucketKey(date: date, hour: 10), revision: 1, counts: TallyCounts(visits: -3)))
        builder.add(
            StoredBucket(
                hubID: "leith", key: BucketKey(date: date, hour: 11), revision: 1, counts: TallyCounts(visits: 3)))
        #expect {
            try builder.finish()
        } throws: { error in
            (error as? ExportError)?.message == "visits is negative (-3)"
        }
    }

    /// Hour buckets summed per hub and day, as the store sums them (day buckets as they are).
    static func summedPerDay(_ buckets: [StoredBucket]) -> [StoredBucket] {
        var days: [String: StoredBucket] = [:]
        for bucket in buckets {
            let id = "\(bucket.hubID) \(bucket.key.date)"
            var day =
                days[id]
                ?? StoredBucket(
                    hubID: bucket.hubID, key: BucketKey(date: bucket.key.date, hour: nil), revision: 0,
                    counts: TallyCounts())
            day.revision = max(day.revision, bucket.revision)
            day.counts.visits += bucket.counts.visits
            day.counts.slipsPrinted += bucket.counts.slipsPrinted
            day.counts.slipsNotPrinted += bucket.counts.slipsNotPrinted
            day.counts.visitsByNeed.merge(bucket.counts.visitsByNeed, uniquingKeysWith: +)
            days[id] = day
        }
        return Array(days.values)
    }

    /// By hub (as Swift orders strings), date and hour: engines order hub ids by their own collation.
    static func sorted(_ buckets: [StoredBucket]) -> [StoredBucket] {
        buckets.sorted { ($0.hubID, $0.key) < ($1.hubID, $1.key) }
    }
}
