import Foundation
import HubReport
import KioskTestSupport
import Logging
import NIOPosix
import PostgresNIO
import Testing

/// An engine the store suites run against: SQLite always, PostgreSQL when `HUBREPORT_TEST_POSTGRES_URL` names a
/// server (CI starts one with Scripts/ci/postgres.sh). Each test gets a fresh, empty store: a temporary SQLite file,
/// or a PostgreSQL schema of its own, dropped afterwards.
struct StoreEngine: Sendable, CustomTestStringConvertible {
    enum Kind: String, Sendable {
        case sqlite = "SQLite"
        case postgres = "PostgreSQL"
    }

    let kind: Kind

    var testDescription: String { kind.rawValue }

    static let sqlite = StoreEngine(kind: .sqlite)
    static let postgres = StoreEngine(kind: .postgres)

    static let environment = ProcessInfo.processInfo.environment
    /// The test server, e.g. `postgres://postgres@127.0.0.1:54329/hubreport_test`.
    static let postgresURL = environment["HUBREPORT_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    /// CI sets `CI`: there, a suite that could not reach PostgreSQL fails instead of skipping it.
    static let inCI = environment["CI"].map { !$0.isEmpty && $0 != "0" && $0 != "false" } ?? false

    /// The engines to run: PostgreSQL only when configured (``PostgresRanTests`` fails CI without it).
    static let all: [StoreEngine] = postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]

    static let logger: Logger = {
        var logger = Logger(label: "hubreport-test")
        logger.logLevel = .critical
        return logger
    }()

    /// A database of its own for one test.
    struct Database: Sendable {
        let location: DatabaseLocation
        /// The SQLite file's folder (nil for PostgreSQL).
        let folder: TemporaryDirectory?
    }

    /// Runs `body` with a fresh store, then closes and drops it.
    func withStore<T: Sendable>(
        _ body: (any ReportStore & ReportAccounts, Database) async throws -> T
    ) async throws -> T {
        let database = try makeDatabase()
        do {
            let result = try await database.location.withStore(logger: Self.logger) { try await body($0, database) }
            try await drop(database)
            return result
        } catch {
            try? await drop(database)
            throw error
        }
    }

    /// A new database's location (its schema or file is created by the store).
    func makeDatabase() throws -> Database {
        switch kind {
        case .sqlite:
            let folder = TemporaryDirectory()
            return Database(location: .sqlite(path: folder.file("hubreport.sqlite")), folder: folder)
        case .postgres:
            guard let url = Self.postgresURL else { throw EngineError.notConfigured }
            var location = try PostgresLocation(parsing: url)
            location.schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            return Database(location: .postgres(location), folder: nil)
        }
    }

    /// Drops a PostgreSQL test schema (an SQLite folder goes with its `TemporaryDirectory`).
    func drop(_ database: Database) async throws {
        guard case .postgres(let location) = database.location else { return }
        try await Self.execute("DROP SCHEMA IF EXISTS \(location.schema) CASCADE", on: location)
    }

    /// Runs `sql` on its own connection to `location`'s server (schema set), for set-ups and checks the store's API
    /// does not offer. Returns the rows' first columns as text.
    @discardableResult
    static func execute(_ sql: String, on location: PostgresLocation) async throws -> [String?] {
        let configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: .disable)
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger)
        do {
            try await connection.query(
                PostgresQuery(unsafeSQL: "SET search_path TO \(location.schema)"), logger: logger)
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect()
            let values = try rows.map { row -> String? in
                guard let cell = row.first(where: { _ in true }) else { return nil }
                return try cell.decode(String?.self)
            }
            try await connection.close()
            return values
        } catch {
            try? await connection.close()
            throw error
        }
    }

    enum EngineError: Error { case notConfigured }
}

/// Fails CI when PostgreSQL did not run: the store and API suites then ran on SQLite only.
@Suite struct PostgresRanTests {
    @Test(
        .enabled(
            if: StoreEngine.inCI || StoreEngine.postgresURL != nil,
            "PostgreSQL is not configured here (set HUBREPORT_TEST_POSTGRES_URL; see Scripts/ci/postgres.sh)"))
    func postgreSQLRan() async throws {
        guard let url = StoreEngine.postgresURL else {
            Issue.record(
                """
                PostgreSQL did not run: CI is set but HUBREPORT_TEST_POSTGRES_URL is not, so the store and API suites \
                ran on SQLite only. Start a server with Scripts/ci/postgres.sh and export its URL.
                """)
            return
        }
        let location = try PostgresLocation(parsing: url)
        let version = try await StoreEngine.execute("SHOW server_version", on: location)
        #expect(version.first??.isEmpty == false, "PostgreSQL at \(location) answered no version")
    }
}
