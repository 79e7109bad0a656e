import Foundation
import GRDB
import HubReport
import HubReportAPI
import KioskCore
import KioskTestSupport
import Testing

/// What only the SQLite engine has: its pragmas, its file, GRDB's migrations.
@Suite struct SQLiteStoreTests {
    let folder = TemporaryDirectory()

    func openStore() throws -> SQLiteReportStore {
        try SQLiteReportStore(path: folder.file("hubreport.sqlite"))
    }

    func enrolledStore(_ hubs: [String]) async throws -> SQLiteReportStore {
        let store = try openStore()
        for hub in hubs {
            let code = EnrolmentCode.make()
            _ = try await store.addHub(
                id: hub, name: hub, codeHash: EnrolmentCode.hash(code), now: 1000, expiresAt: 1000 + 86_400)
            _ = try await store.enrol(
                codeHash: EnrolmentCode.hash(code), publicKey: HubPrivateKey().publicKey, kioskVersion: "1", now: 1001)
        }
        return store
    }

    @Test func walFullSynchronousAndForeignKeys() throws {
        let store = try openStore()
        #expect(try store.pragma("journal_mode") == "wal")
        #expect(try store.pragma("synchronous") == "2")
        #expect(try store.pragma("foreign_keys") == "1")
    }

    @Test func codesAreStoredHashedNeverInClear() async throws {
        let store = try openStore()
        let code = EnrolmentCode.make()
        _ = try await store.addHub(
            id: "leith", name: "Leith", codeHash: EnrolmentCode.hash(code), now: 1000, expiresAt: 2000)
        try store.close()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: folder.file("hubreport.sqlite")))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: folder.file("hubreport.sqlite-wal")))) ?? Data()
        for form in [code, code.replacingOccurrences(of: "-", with: "")] {
            #expect(bytes.range(of: Data(form.utf8)) == nil)
            #expect(wal.range(of: Data(form.utf8)) == nil)
        }
    }

    @Test func aNewerSchemaIsRefused() throws {
        let path = folder.file("hubreport.sqlite")
        let store = try SQLiteReportStore(path: path)
        try store.close()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
        }
        try queue.close()
        #expect(throws: ReportStoreError.self) { try SQLiteReportStore(path: path) }
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
