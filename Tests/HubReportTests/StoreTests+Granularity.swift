import Foundation
import HubReport
import HubReportAPI
import KioskCore
import KioskTestSupport
import Testing

/// A date's counts come from one form only; nothing finer than a bucket is stored.
extension StoreTests {
    func dayTotals(_ store: any ReportStore) async throws -> [Int] {
        try await store.buckets(BucketQuery(resolution: .day)).map(\.counts.visits)
    }

    /// Hour buckets, then the same date as a day bucket (the hub moved to `granularity = "day"`): counted once.
    @Test(arguments: StoreEngine.all)
    func aDayBucketReplacesTheDatesHourBuckets(engine: StoreEngine) async throws {
        try await withStore(engine, enrolled: ["leith"]) { store, _ in
            let hours = try await store.merge(
                Batches.batch(
                    "leith",
                    [
                        Batches.bucket(hour: 9, revision: 1, visits: 6, needs: ["food": 2]),
                        Batches.bucket(hour: 10, revision: 1, visits: 4),
                        Batches.bucket(day: 1, hour: 9, revision: 1, visits: 3),
                    ]), now: 2000)
            #expect(hours.results.map(\.status) == [.accepted, .accepted, .accepted])
            let day = try await store.merge(
                Batches.batch(
                    "leith", [Batches.bucket(hour: nil, revision: 1, visits: 10, needs: ["food": 2])], granularity: .day
                ),
                now: 2001)
            #expect(day.results.map(\.status) == [.accepted])
            #expect(try await dayTotals(store) == [10, 3])
            let held = try await store.buckets(BucketQuery())
            #expect(held.map(\.key.hour) == [nil, 9], "the date's hour buckets are gone; the next date's stay")
            #expect(held.first?.counts.visitsByNeed == ["food": 2])
            // The kiosk re-sends an old hour bucket of that date: refused with its reason, nothing counts twice.
            let late = try await store.merge(
                Batches.batch("leith", [Batches.bucket(hour: 9, revision: 2, visits: 6)]), now: 2002)
            #expect(late.results.map(\.status) == [.rejected])
            #expect(late.results.first?.reason?.contains("day bucket") == true)
            #expect(try await dayTotals(store) == [10, 3])
        }
    }

    /// A day bucket, then an hour bucket of the same date: the day bucket keeps counting the date, once.
    @Test(arguments: StoreEngine.all)
    func anHourBucketForADateHeldAsADayIsRejected(engine: StoreEngine) async throws {
        try await withStore(engine, enrolled: ["leith"]) { store, _ in
            _ = try await store.merge(
                Batches.batch("leith", [Batches.bucket(hour: nil, revision: 1, visits: 10)], granularity: .day),
                now: 2000)
            let hour = try await store.merge(
                Batches.batch(
                    "leith",
                    [
                        Batches.bucket(hour: 9, revision: 1, visits: 10),
                        Batches.bucket(day: 1, hour: 9, revision: 1, visits: 2),
                    ]
                ), now: 2001)
            #expect(hour.results.map(\.status) == [.rejected, .accepted])
            #expect(hour.results.map(\.heldRevision) == [0, 1])
            #expect(try await dayTotals(store) == [10, 2])
            #expect(try await store.buckets(BucketQuery()).map(\.key.hour) == [nil, 9])
        }
    }
}
