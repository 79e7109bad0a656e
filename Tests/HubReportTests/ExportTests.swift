import Foundation
import HubReport
import HubReportAPI
import KioskCore
import KioskTestSupport
import Testing

/// Exports of all hubs side by side, suppressed by default.
@Suite struct ExportTests {
    static let partnership = Partnership.example

    /// Seeded random tallies of several hubs, stored through the real store and exported by every grouping: no
    /// suppressed count is 1–7, every shown count is a multiple of 5, and `all` rows and totals are the
    /// suppressed exact sums (never sums of rounded numbers).
    @Test(arguments: [11, 12, 13, 14, 15, 16] as [UInt64])
    func suppressedExportsHideSmallCountsAndSumExactly(seed: UInt64) async throws {
        var random = SplitMix64(seed: seed)
        let folder = TemporaryDirectory()
        let store = try SQLiteReportStore(path: folder.file("hubreport.sqlite"))
        let hubIDs = ["gorgie", "leith", "muirhouse"]
        var exact: [StoredBucket] = []
        for hub in hubIDs {
            let code = EnrolmentCode.make()
            _ = try await store.addHub(id: hub, name: hub, codeHash: EnrolmentCode.hash(code), now: 1, expiresAt: 99)
            _ = try await store.enrol(
                codeHash: EnrolmentCode.hash(code), publicKey: HubPrivateKey().publicKey, kioskVersion: "1", now: 2)
            var buckets: [TallyBucket] = []
            for day in 0..<40 where Bool.random(using: &random) {
                for hour in 8..<18 where Int.random(in: 0..<3, using: &random) == 0 {
                    let visits = Int.random(in: 0...12, using: &random)
                    var needs: [NeedCode: Int] = [:]
                    for need in ["food", "money", "talk", "gardening"] where Bool.random(using: &random) {
                        needs[NeedCode(need)] = Int.random(in: 0...visits, using: &random)
                    }
                    buckets.append(Batches.bucket(day: day, hour: hour, revision: 1, visits: visits, needs: needs))
                }
            }
            for start in stride(from: 0, to: buckets.count, by: 100) {
                _ = try await store.merge(
                    Batches.batch(hub, Array(buckets[start..<min(start + 100, buckets.count)])), now: 3)
            }
            exact += buckets.map { StoredBucket(hubID: hub, key: $0.key, revision: 1, counts: $0.counts) }
        }
        let hubs = try await store.hubs()
        let from = LocalDate(year: 2026, month: 12, day: 3)!
        let to = LocalDate(year: 2027, month: 1, day: 5)!
        for grouping in ExportGrouping.allCases {
            let inRange = exact.filter { $0.key.date >= from && $0.key.date <= to }
            let buckets = try await store.buckets(
                BucketQuery(from: from, to: to, resolution: grouping == .hour ? .asSent : .day))
            let export = try ReportExport(
                buckets: buckets, hubs: hubs, partnership: Self.partnership, grouping: grouping, from: from, to: to)
            #expect(export.unknownNeeds == ["gardening"])
            #expect(export.needs.last == "gardening")

            // Every exported cell: 0, [c], or a multiple of 5 that is at least 10.
            let csv = export.csv(exact: false)
            let cells = csv.split(separator: "\r\n").dropFirst().flatMap { $0.split(separator: ",").dropFirst(6) }
            #expect(!cells.isEmpty)
            for cell in cells {
                if cell == "[c]" { continue }
                let value = try #require(Int(cell), "\(cell)")
                #expect(value == 0 || (value >= 10 && value % 5 == 0), "\(cell) in \(grouping)")
            }

            // Totals and all-hub rows: the exact sums, then suppressed.
            let all = try #require(export.totals.last)
            #expect(all.hub == ReportExport.allHubs)
            let visits = inRange.reduce(0) { $0 + $1.counts.visits }
            let food = inRange.reduce(0) { $0 + ($1.counts.visitsByNeed["food"] ?? 0) }
            #expect(all.visits == visits && all.needs["food"] ?? 0 == food)
            let json = try JSONSerialization.jsonObject(with: try export.json(exact: false)) as? [String: Any]
            let totals = try #require(json?["totals"] as? [[String: Any]])
            let allTotal = try #require(totals.last)
            #expect("\(allTotal["visits"]!)" == Suppression.apply(visits).description)
            for period in Set(export.rows.map(\.period)) {
                let rows = export.rows.filter { $0.period == period }
                let hubRows = rows.filter { $0.hub != ReportExport.allHubs }
                #expect(rows.last?.visits == hubRows.reduce(0) { $0 + $1.visits })
                #expect(hubRows.count == hubIDs.count)
            }
            // Exact on request only.
            #expect(export.csv(exact: true).contains(",\(visits),") || visits == 0)
        }
    }

    /// A week cut by --from/--to says which days it counts and that it is partial.
    @Test func aCutPeriodNamesItsDaysAndIsPartial() throws {
        let wednesday = LocalDate(year: 2026, month: 12, day: 2)!
        let buckets = [
            StoredBucket(
                hubID: "leith", key: BucketKey(date: wednesday, hour: nil), revision: 1,
                counts: TallyCounts(visits: 20)),
            StoredBucket(
                hubID: "leith", key: BucketKey(date: wednesday.adding(days: 7), hour: nil), revision: 1,
                counts: TallyCounts(visits: 9)),
        ]
        let export = try ReportExport(
            buckets: buckets, hubs: [], partnership: Self.partnership, grouping: .week, from: wednesday,
            to: wednesday.adding(days: 10))
        #expect(export.rows.map(\.start) == [wednesday, LocalDate(year: 2026, month: 12, day: 7)!])
        #expect(export.rows.map(\.end) == [LocalDate(year: 2026, month: 12, day: 6)!, wednesday.adding(days: 10)])
        #expect(export.rows.map(\.partial) == [true, true])
        #expect(export.rows.map(\.period) == ["2026-W49", "2026-W50"])
        #expect(export.csv(exact: false).contains("2026-W49,2026-12-02,2026-12-06,true,leith,,20,"))
        #expect(export.csv(exact: false).contains("2026-W50,2026-12-07,2026-12-12,true,leith,,10,"))
    }

    @Test func aNegativeStoredCountIsAnErrorNotATrap() {
        let buckets = [
            StoredBucket(
                hubID: "leith", key: BucketKey(date: LocalDate(year: 2026, month: 12, day: 2)!, hour: 9),
                revision: 1, counts: TallyCounts(visits: -3))
        ]
        #expect(throws: ExportError.self) {
            try ReportExport(buckets: buckets, hubs: [], partnership: Self.partnership, grouping: .day)
        }
    }
}
