import Foundation
import GRDB

/// The ``ReportStore`` in one SQLite file (system libsqlite3 through GRDB): one type owning the single writer.
///
/// WAL journal, `synchronous = FULL` (a batch is on disk before its buckets are acknowledged: a kiosk purges what
/// was acknowledged), `BEGIN IMMEDIATE` for every write, a busy timeout, append-only migrations.
public final class SQLiteReportStore: Sendable {
    /// The database file.
    public let path: String
    let queue: DatabaseQueue

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String, busyTimeout: TimeInterval = 5) throws(ReportStoreError) {
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.label = "hubreport"
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            // Not GRDB's `.wal` journal mode, which lowers `synchronous` to NORMAL.
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            guard mode?.lowercased() == "wal" else {
                throw ReportStoreError(
                    code: .other, database: path, message: "could not switch to WAL (got \(mode ?? "nothing"))")
            }
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            let applied = try queue.read { db in try SQLiteReportStore.migrator.appliedIdentifiers(db) }
            let known = Set(SQLiteReportStore.migrator.migrations)
            guard applied.isSubset(of: known) else {
                throw ReportStoreError(
                    code: .newerSchema, database: path,
                    message: "written by a newer hubreport (migrations \(applied.subtracting(known).sorted()))")
            }
            try SQLiteReportStore.migrator.migrate(queue)
        } catch {
            throw ReportStoreError(error, database: path)
        }
    }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`).
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(ReportStoreError) -> T {
        do {
            return try await queue.write(body)
        } catch {
            throw ReportStoreError(error, database: path)
        }
    }

    /// Runs `body` in a read transaction.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(ReportStoreError) -> T {
        do {
            return try await queue.read(body)
        } catch {
            throw ReportStoreError(error, database: path)
        }
    }

    /// The value of a pragma (for checks and tests).
    public func pragma(_ name: String) throws(ReportStoreError) -> String? {
        do {
            return try queue.inDatabase { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
        } catch {
            throw ReportStoreError(error, database: path)
        }
    }

    /// Closes the connection; later calls fail.
    public func close() throws(ReportStoreError) {
        do {
            try queue.close()
        } catch {
            throw ReportStoreError(error, database: path)
        }
    }

    /// A revision as stored (see ``StoredRevision``).
    static func storedRevision(_ revision: UInt64) -> Int64 { StoredRevision.encode(revision) }

    /// The revision from its stored form.
    static func revision(stored: Int64) -> UInt64 { StoredRevision.decode(stored) }
}
