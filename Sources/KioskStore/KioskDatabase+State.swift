import Foundation
import GRDB

/// How the database was left by the daemon that had it open last.
public enum ShutdownState: String, Hashable, Sendable {
    /// The daemon closed it after its last write: nothing can have been cut off mid-write.
    case clean
    /// A daemon had it open and did not close it (power cut, SIGKILL, crash), or it was never recorded.
    case unclean = "running"
    /// A check found damage while the kiosk ran: the next start checks the whole file and salvages it.
    case damaged
}

/// A staff alert kept in the database, so that it outlives a restart until staff acknowledge it.
public struct PersistedAlert: Hashable, Sendable {
    public var key: String
    public var message: String
    public var raisedAt: Date
}

extension KioskDatabase {
    /// How the last daemon left the file (read at open, before this daemon marks it running).
    static func readShutdownState(_ db: Database) throws -> ShutdownState {
        let value = try String.fetchOne(db, sql: "SELECT value FROM kiosk_state WHERE key = 'shutdown'")
        return value.flatMap(ShutdownState.init(rawValue:)) ?? .unclean
    }

    static func writeShutdownState(_ state: ShutdownState, _ db: Database) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO kiosk_state (key, value) VALUES ('shutdown', ?)", arguments: [state.rawValue])
    }

    /// Records that the kiosk stopped after its last write, and checkpoints: the next start needs no check.
    /// A damage finding is kept.
    public func markCleanShutdown() async throws(StoreError) {
        try await write { db in
            if try KioskDatabase.readShutdownState(db) != .damaged {
                try KioskDatabase.writeShutdownState(.clean, db)
            }
        }
        try await checkpoint()
    }

    /// Records that a check found damage: the next start checks the whole file before it opens for presses.
    public func markDamaged() async throws(StoreError) {
        try await write { db in try KioskDatabase.writeShutdownState(.damaged, db) }
    }

    /// A damage finding the check at start did not confirm: later starts need not check first again.
    func clearDamageFinding() throws(StoreError) {
        do {
            try queue.write { db in try KioskDatabase.writeShutdownState(.unclean, db) }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// The alerts kept until staff acknowledge them, oldest first (none in a database older than them).
    public func persistedAlerts() throws(StoreError) -> [PersistedAlert] {
        try readSync { db in
            guard try db.tableExists("staff_alert") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT key, message, raised_at FROM staff_alert ORDER BY raised_at, key")
                .map { row in
                    PersistedAlert(
                        key: row["key"], message: row["message"],
                        raisedAt: Date(timeIntervalSince1970: row["raised_at"]))
                }
        }
    }

    /// Keeps an alert until staff acknowledge it (``clearPersistedAlerts()``); a second one with the same key
    /// replaces the first.
    public func persistAlert(key: String, message: String, at date: Date = Date()) async throws(StoreError) {
        try await write { db in try KioskDatabase.persistAlert(key: key, message: message, at: date, db) }
    }

    /// Stores the alert of a replaced database (or of salvaged kept files).
    static func persistAlert(_ report: RecoveryReport, _ db: Database) throws {
        try persistAlert(
            key: damageAlertKey, message: report.description + "; acknowledge with `hubkiosk alerts ack`", at: Date(),
            db)
    }

    /// Stores the alert of kept damaged files salvaged at a start: an alert not acknowledged yet is kept, and
    /// only told about rows that were not in the database already.
    static func persistLeftoverAlert(_ report: RecoveryReport, _ db: Database) throws {
        let existing = try String.fetchOne(
            db, sql: "SELECT message FROM staff_alert WHERE key = ?", arguments: [damageAlertKey])
        guard let existing else { return try persistAlert(report, db) }
        // Salvaged again after a start stopped once the fresh file was in place: its alert says it all.
        guard report.salvaged.values.contains(where: { $0 > 0 }) else { return }
        try persistAlert(
            key: damageAlertKey,
            message: existing + "; also " + report.description + "; acknowledge with `hubkiosk alerts ack`",
            at: Date(), db)
    }

    static func persistAlert(key: String, message: String, at date: Date, _ db: Database) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO staff_alert (key, message, raised_at) VALUES (?, ?, ?)",
            arguments: [key, message, date.timeIntervalSince1970])
    }

    /// Staff acknowledged the alerts.
    public func clearPersistedAlerts() async throws(StoreError) {
        try await write { db in try db.execute(sql: "DELETE FROM staff_alert") }
    }
}

/// The space one table or index takes in the file (SQLite's `dbstat`).
public struct TableSpace: Hashable, Sendable {
    public var name: String
    /// Bytes of the pages it uses.
    public var bytes: Int
    /// Bytes of the records on them.
    public var payload: Int
}

extension KioskDatabase {
    /// The space each table and index takes, largest first (benchmarks and `doctor`).
    public func spaceByTable() throws(StoreError) -> [TableSpace] {
        try readSync { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT name, SUM(pgsize) AS bytes, SUM(payload) AS payload FROM dbstat
                    GROUP BY name ORDER BY bytes DESC, name
                    """
            ).map { row in TableSpace(name: row["name"], bytes: row["bytes"], payload: row["payload"]) }
        }
    }
}
