import Foundation
import GRDBSQLite

/// The physical floor of a press: one row inserted and committed with the plain sqlite3 C API, WAL and
/// `synchronous = FULL`, as the kiosk's database is.
final class BareSQLite {
    private var db: OpaquePointer?
    private var insert: OpaquePointer?
    private var random = SystemRandomNumberGenerator()

    init(path: String) throws {
        unlink(path)
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK else {
            throw BenchError("cannot open \(path)")
        }
        try exec("PRAGMA journal_mode = WAL")
        try exec("PRAGMA synchronous = FULL")
        try exec("CREATE TABLE IF NOT EXISTS press (id TEXT PRIMARY KEY NOT NULL, at REAL NOT NULL) WITHOUT ROWID")
        guard sqlite3_prepare_v2(db, "INSERT INTO press (id, at) VALUES (?, ?)", -1, &insert, nil) == SQLITE_OK else {
            throw BenchError("prepare failed")
        }
    }

    deinit {
        sqlite3_finalize(insert)
        sqlite3_close(db)
    }

    func exec(_ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw BenchError("\(sql): \(String(cString: sqlite3_errmsg(db)))")
        }
    }

    /// Inserts one row in its own `BEGIN IMMEDIATE … COMMIT`; returns how long that took.
    func insertAndCommit() throws -> Duration {
        let id = UUID().uuidString.lowercased()
        let clock = ContinuousClock()
        let start = clock.now
        try exec("BEGIN IMMEDIATE")
        sqlite3_bind_text(insert, 1, id, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        sqlite3_bind_double(insert, 2, Date().timeIntervalSince1970)
        guard sqlite3_step(insert) == SQLITE_DONE else { throw BenchError("insert failed") }
        sqlite3_reset(insert)
        try exec("COMMIT")
        return clock.now - start
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
