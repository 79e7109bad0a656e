import Foundation
import GRDB
import HubReport
import HubReportAPI
import KioskCore
import KioskTestSupport
import Testing

/// A date's counts come from one form only; nothing finer than a bucket is stored.
extension StoreTests {
    func dayTotals(_ store: SQLiteReportStore) async throws -> [Int] {
        try await store.buckets(BucketQuery(resolution: .day)).map(\.counts.visits)
    }

    /// Hour buckets, then the same date as a day bucket (the hub moved to `granularity = "day"`): counted once.
    @Test func aDayBucketReplacesTheDatesHourBuckets() async throws {
        let store = try await enrolledStore(["leith"])
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
                "leith", [Batches.bucket(hour: nil, revision: 1, visits: 10, needs: ["food": 2])], granularity: .day),
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

    /// A day bucket, then an hour bucket of the same date: the day bucket keeps counting the date, once.
    @Test func anHourBucketForADateHeldAsADayIsRejected() async throws {
        let store = try await enrolledStore(["leith"])
        _ = try await store.merge(
            Batches.batch("leith", [Batches.bucket(hour: nil, revision: 1, visits: 10)], granularity: .day), now: 2000)
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

    /// After merges, the bucket tables hold buckets and counts only: no time, and a need's first sighting as a date.
    @Test func nothingFinerThanABucketIsStored() async throws {
        let store = try await enrolledStore(["leith"])
        let now: Int64 = 1_796_126_400 + 3 * 3600 + 17 * 60 + 5  // 2026-12-01 15:17:05 UTC
        for revision in 1...3 as ClosedRange<UInt64> {
            _ = try await store.merge(
                Batches.batch(
                    "leith", [Batches.bucket(hour: 9, revision: revision, visits: Int(revision), needs: ["food": 1])]),
                now: now + Int64(revision) * 300)
        }
        let queue = try DatabaseQueue(path: folder.file("hubreport.sqlite"))
        let columns = try await queue.read { db in
            try ["bucket", "bucket_need", "hub_need"].map { table in
                (table, try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String })
            }
        }
        #expect(columns.map(\.0) == ["bucket", "bucket_need", "hub_need"])
        #expect(
            columns.map(\.1) == [
                ["hub_id", "day", "hour", "revision", "visits", "slips_printed", "slips_not_printed"],
                ["hub_id", "day", "hour", "need", "visits"], ["hub_id", "need", "first_seen_day"],
            ])
        let days = try await queue.read { db in try Int.fetchAll(db, sql: "SELECT first_seen_day FROM hub_need") }
        #expect(days == [LocalDate(year: 2026, month: 12, day: 1)!.daysSinceEpoch])
        let rows = try queue.read { db in try Row.fetchAll(db, sql: "SELECT day, hour FROM bucket") }
        #expect(rows.map { [$0["day"] as Int, $0["hour"] as Int] } == [[20_788, 9]])
    }

    /// A database of the first schema, with its to-the-second times, keeps its counts and loses the times.
    @Test func theMigrationDropsTimesAndKeepsCounts() throws {
        let path = folder.file("hubreport.sqlite")
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations VALUES ('v1: hubs, enrolment codes, nonces, buckets');
                    CREATE TABLE hub (id TEXT PRIMARY KEY NOT NULL);
                    INSERT INTO hub VALUES ('leith');
                    CREATE TABLE bucket (
                        hub_id TEXT NOT NULL REFERENCES hub(id), day INTEGER NOT NULL, hour INTEGER NOT NULL,
                        revision INTEGER NOT NULL, visits INTEGER NOT NULL, slips_printed INTEGER NOT NULL,
                        slips_not_printed INTEGER NOT NULL, updated_at INTEGER NOT NULL,
                        PRIMARY KEY (hub_id, day, hour));
                    CREATE INDEX bucket_day ON bucket(day);
                    INSERT INTO bucket VALUES ('leith', 20788, 9, 1, 7, 7, 0, 1796130000);
                    CREATE TABLE hub_need (
                        hub_id TEXT NOT NULL REFERENCES hub(id), need TEXT NOT NULL, first_seen_at INTEGER NOT NULL,
                        PRIMARY KEY (hub_id, need));
                    INSERT INTO hub_need VALUES ('leith', 'food', 1796130000);
                    """)
        }
        try queue.close()
        try SQLiteReportStore(path: path).close()
        let migrated = try DatabaseQueue(path: path)
        let (bucket, need) = try migrated.read { db in
            (
                try Row.fetchOne(db, sql: "SELECT * FROM bucket"),
                try Row.fetchOne(db, sql: "SELECT * FROM hub_need")
            )
        }
        #expect(bucket?.columnNames.contains("updated_at") == false)
        #expect(bucket?["visits"] == 7)
        #expect(need?.columnNames.contains("first_seen_at") == false)
        #expect(need?["first_seen_day"] == 20_788)
    }
}
