import Foundation
import HubReport
import HubReportAPI
import KioskCore
import Testing

/// What only the PostgreSQL engine has: its URL, its migration table, concurrent writers. The server tests run when
/// `HUBREPORT_TEST_POSTGRES_URL` is set (``PostgresRanTests`` fails CI when it is not).
@Suite struct PostgresStoreTests {
    static let configured = StoreEngine.postgresURL != nil

    /// Runs `body` with a fresh PostgreSQL store and its location.
    func withStore(_ body: (PostgresReportStore, PostgresLocation) async throws -> Void) async throws {
        try await StoreEngine.postgres.withStore { store, database in
            guard case .postgres(let location) = database.location, let store = store as? PostgresReportStore else {
                Issue.record("the PostgreSQL engine opened another store")
                return
            }
            try await body(store, location)
        }
    }

    @Test func urlsParseAndTheirMistakesAreNamed() throws {
        let full = try PostgresLocation(
            parsing: "postgresql://report:s%40cret@db.example.org:6543/hubs?schema=hubreport&sslmode=require",
            environment: [:])
        #expect(full.host == "db.example.org" && full.port == 6543 && full.user == "report")
        #expect(full.password == "s@cret" && full.database == "hubs" && full.schema == "hubreport")
        #expect(full.tls == .require)
        #expect(full.description == "postgres://report@db.example.org:6543/hubs?schema=hubreport")
        let short = try PostgresLocation(parsing: "postgres://report@127.0.0.1", environment: ["PGPASSWORD": "pw"])
        #expect(short.port == 5432 && short.database == "report" && short.schema == "public" && short.tls == .prefer)
        #expect(short.password == "pw")
        #expect(try DatabaseLocation(parsing: "sqlite:/var/lib/x.sqlite") == .sqlite(path: "/var/lib/x.sqlite"))
        #expect(try DatabaseLocation(parsing: "hubreport.sqlite") == .sqlite(path: "hubreport.sqlite"))
        for (bad, named) in [
            ("postgres://127.0.0.1/db", "no user"), ("postgres://u@/db", "no host"),
            ("postgres://u@h/db?sslmode=maybe", "sslmode"), ("postgres://u@h/db?schema=Drop;", "schema"),
            ("postgres://u@h/db?colour=red", "colour"), ("postgres://u:hunter2@h/db?x=1", "x"),
        ] {
            let error = #expect(throws: ReportStoreError.self) { try PostgresLocation(parsing: bad, environment: [:]) }
            #expect(error?.message.contains(named) == true, "\(bad): \(error?.message ?? "")")
            #expect(error?.description.contains("hunter2") == false, "a message must not show the password")
        }
    }

    @Test func anUnreachableServerIsAClearError() async throws {
        let location = try PostgresLocation(parsing: "postgres://nobody@127.0.0.1:1/none?sslmode=disable")
        let error = await #expect(throws: ReportStoreError.self) {
            try await DatabaseLocation.postgres(location).withStore(logger: StoreEngine.logger) { _ in }
        }
        #expect(error?.code == .unreachable, "\(error.map { "\($0)" } ?? "")")
    }

    @Test(.enabled(if: configured)) func theMigrationTableRecordsTheSchemaAndANewerOneIsRefused() async throws {
        try await withStore { _, location in
            #expect(
                try await StoreEngine.execute(
                    "SELECT version::text FROM hubreport_migration ORDER BY version", on: location) == ["1", "2"])
            try await StoreEngine.execute(
                "INSERT INTO hubreport_migration (version, name) VALUES (99, 'from the future')", on: location)
            let error = await #expect(throws: ReportStoreError.self) {
                try await DatabaseLocation.postgres(location).withStore(logger: StoreEngine.logger) { _ in }
            }
            #expect(error?.code == .newerSchema)
        }
    }

    @Test(.enabled(if: configured)) func openingAgainMigratesNothingAndKeepsTheData() async throws {
        try await withStore { store, location in
            _ = try await store.addHub(id: "leith", name: "Leith", codeHash: Data(count: 32), now: 1, expiresAt: 2)
            // Two services starting at once: the advisory lock lets one migrate; both see the hub.
            async let first = DatabaseLocation.postgres(location).withStore(logger: StoreEngine.logger) {
                try await $0.hubs().map(\.id)
            }
            async let second = DatabaseLocation.postgres(location).withStore(logger: StoreEngine.logger) {
                try await $0.hubs().map(\.id)
            }
            #expect(try await [first, second] == [["leith"], ["leith"]])
        }
    }

    /// The tables hold buckets and counts only, and a need's first sighting as a date.
    @Test(.enabled(if: configured)) func nothingFinerThanABucketIsStored() async throws {
        try await withStore { _, location in
            let columns = try await StoreEngine.execute(
                """
                SELECT table_name || '.' || column_name FROM information_schema.columns
                WHERE table_schema = '\(location.schema)' AND table_name IN ('bucket', 'bucket_need', 'hub_need')
                ORDER BY table_name, ordinal_position
                """, on: location)
            #expect(
                columns == [
                    "bucket.hub_id", "bucket.day", "bucket.hour", "bucket.revision", "bucket.visits",
                    "bucket.slips_printed", "bucket.slips_not_printed", "bucket_need.hub_id", "bucket_need.day",
                    "bucket_need.hour", "bucket_need.need", "bucket_need.visits", "hub_need.hub_id", "hub_need.need",
                    "hub_need.first_seen_day",
                ])
        }
    }

    @Test(.enabled(if: configured)) func codesAreStoredHashedNeverInClear() async throws {
        try await withStore { store, location in
            let code = EnrolmentCode.make()
            _ = try await store.addHub(
                id: "leith", name: "Leith", codeHash: EnrolmentCode.hash(code), now: 1000, expiresAt: 2000)
            let rows = try await StoreEngine.execute(
                "SELECT t::text FROM hub t UNION ALL SELECT e::text FROM enrolment_code e", on: location)
            #expect(rows.count == 2)
            for form in [code, code.replacingOccurrences(of: "-", with: "")] {
                #expect(rows.allSatisfy { $0?.contains(form) == false })
            }
        }
    }

    /// Many merges of one hub at once (several connections): the hub's row lock serialises them, so the store ends
    /// with each bucket's highest revision, as SQLite's single writer does.
    @Test(.enabled(if: configured)) func concurrentMergesOfOneHubKeepTheHighestRevision() async throws {
        try await withStore { store, _ in
            let code = EnrolmentCode.make()
            _ = try await store.addHub(
                id: "leith", name: "Leith", codeHash: EnrolmentCode.hash(code), now: 1000, expiresAt: 90_000)
            _ = try await store.enrol(
                codeHash: EnrolmentCode.hash(code), publicKey: HubPrivateKey().publicKey, kioskVersion: "1", now: 1001)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for revision in 1...24 as ClosedRange<UInt64> {
                    group.addTask {
                        let buckets = (9...12).map {
                            Batches.bucket(
                                hour: $0, revision: revision, visits: Int(revision), needs: ["food": Int(revision) / 2])
                        }
                        _ = try await store.merge(Batches.batch("leith", buckets), now: 2000)
                    }
                }
                try await group.waitForAll()
            }
            let held = try await store.buckets(BucketQuery())
            #expect(held.map(\.revision) == [24, 24, 24, 24])
            #expect(held.allSatisfy { $0.counts.visits == 24 && $0.counts.visitsByNeed == ["food": 12] })
        }
    }
}
