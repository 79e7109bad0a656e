import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// The kiosk's SQLite database (system libsqlite3 through GRDB): one type owning the single writer.
///
/// WAL journal, `synchronous = FULL` (a commit is on disk before it returns), `BEGIN IMMEDIATE` for every write,
/// a busy timeout, append-only migrations.
public final class KioskDatabase: Sendable {
    public let path: String
    let queue: DatabaseQueue
    /// The read-only connection of the sync reads (``unacknowledgedBuckets(_:limit:)``), opened when first used.
    let ledgerReader: LedgerReader
    /// How the daemon before this one left the file; a writer marks it ``ShutdownState/unclean`` when it opens
    /// it, until ``markCleanShutdown()``.
    public let lastShutdown: ShutdownState

    /// Opens (creating if needed) the database at `path` for writing and brings its schema up to date.
    ///
    /// The file is created with mode 0640 whatever the umask, and an existing one loses any bits beyond 0640;
    /// SQLite gives its `-wal` and `-shm` files the database file's mode.
    public init(path: String, busyTimeout: TimeInterval = 5) throws(StoreError) {
        self.path = path
        self.ledgerReader = LedgerReader(path: path)
        try KioskDatabase.prepareFile(at: path)
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.label = "hubkiosk"
        config.prepareDatabase { db in
            // Not GRDB's `.wal` journal mode, which lowers `synchronous` to NORMAL.
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            guard mode?.lowercased() == "wal" else {
                throw StoreError(
                    code: .other, path: path, message: "could not switch to WAL (got \(mode ?? "nothing"))")
            }
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Content freed by an update or delete is overwritten with zeros, so that the exact times privacy at
            // rest removes (see ``coarsenSettledRows``) do not linger in free space.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // A kiosk's hot pages are few: 1 MB of page cache instead of SQLite's default 2 MB.
            try db.execute(sql: "PRAGMA cache_size = -1024")
            // After a checkpoint the WAL file is cut back to 4 MB, so a busy spell does not keep disk space.
            try db.execute(sql: "PRAGMA journal_size_limit = 4194304")
            // Checkpoints run when a visit ends (see ``checkpoint()``), not inside a press's commit; this is only
            // a backstop for a kiosk that is never idle.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(KioskDatabase.backstopCheckpointPages)")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            try KioskDatabase.migrator.migrate(queue)
            lastShutdown = try queue.write { db in
                let last = try KioskDatabase.readShutdownState(db)
                // A damage finding is kept until a start has checked the file.
                if last != .damaged { try KioskDatabase.writeShutdownState(.unclean, db) }
                return last
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// The mode of the database and of its `-wal` and `-shm` files.
    public static let fileMode: mode_t = 0o640

    /// Creates the database file with ``fileMode`` if it is missing, takes extra permission bits away from an
    /// existing one, and refuses a folder where the file should be.
    static func prepareFile(at path: String) throws(StoreError) {
        var info = stat()
        if lstat(path, &info) != 0 {
            guard errno == ENOENT else { throw posixError(path, "cannot be looked at") }
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
            if descriptor < 0 {
                if errno == EEXIST { return try prepareFile(at: path) }
                throw posixError(path, "cannot be created")
            }
            defer { _ = Glibc.close(descriptor) }
            // open(2) applies the umask; fchmod does not.
            guard fchmod(descriptor, fileMode) == 0 else { throw posixError(path, "cannot be given mode 0640") }
            return
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            throw StoreError(
                code: .cannotOpen, path: path, message: "is a folder, not a database file; nothing was changed")
        }
        for file in [path, path + "-wal", path + "-shm"] {
            var mode = stat()
            guard stat(file, &mode) == 0, mode.st_mode & S_IFMT == S_IFREG else { continue }
            let permissions = mode.st_mode & 0o7777
            // Not ours to change (another owner): SQLite says what it cannot do.
            if permissions & ~fileMode != 0 { _ = chmod(file, permissions & fileMode) }
        }
    }

    private static func posixError(_ path: String, _ what: String) -> StoreError {
        let code = errno
        let kind: StoreError.Code =
            switch code {
            case ENOSPC, EDQUOT: .full
            case EACCES, EPERM, EROFS: .readOnly
            default: .cannotOpen
            }
        return StoreError(code: kind, path: path, message: "\(what) (\(String(cString: strerror(code))))")
    }

    private init(path: String, queue: DatabaseQueue, lastShutdown: ShutdownState) {
        self.path = path
        self.queue = queue
        self.ledgerReader = LedgerReader(path: path)
        self.lastShutdown = lastShutdown
    }

    /// Opens an existing database for reading only (exports, status), without touching its schema.
    public static func openReadOnly(path: String) throws(StoreError) -> KioskDatabase {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(code: .missing, path: path, message: "no database here")
        }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            let applied = try queue.read { db in try migrator.appliedIdentifiers(db) }
            let known = Set(migrator.migrations)
            if !applied.isSubset(of: known) {
                throw StoreError(
                    code: .newerSchema, path: path,
                    message: "written by a newer HubKiosk (migrations \(applied.subtracting(known).sorted()))")
            }
            if applied.isEmpty {
                throw StoreError(code: .missing, path: path, message: "not a HubKiosk database (no schema)")
            }
            let last = try queue.read { db in
                try db.tableExists("kiosk_state") ? try KioskDatabase.readShutdownState(db) : .unclean
            }
            return KioskDatabase(path: path, queue: queue, lastShutdown: last)
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// WAL pages after which SQLite checkpoints inside a commit anyway (about 32 MB).
    public static let backstopCheckpointPages = 8192

    /// Copies the write-ahead log into the database file (a passive checkpoint: it never waits for readers).
    /// The kiosk calls this when nobody is at it, so that presses never pay for a checkpoint.
    public func checkpoint() async throws(StoreError) {
        do {
            try await queue.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`).
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await queue.write(body)
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// Runs `body` in a read transaction.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await queue.read(body)
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`), blocking the calling thread.
    func writeSync<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try queue.write(body)
        } catch {
            throw StoreError(error, path: path)
        }
    }

    func readSync<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try queue.read(body)
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// `PRAGMA integrity_check`: an empty list when the file is sound.
    public func integrityProblems() throws(StoreError) -> [String] {
        let rows = try readSync { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        return rows == ["ok"] ? [] : rows
    }

    /// The value of a pragma on the writer connection (for checks and tests).
    public func pragma(_ name: String) throws(StoreError) -> String? {
        do {
            return try queue.inDatabase { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// Limits the database file to `pages` pages (tests of a full disk use this).
    public func setMaximumPageCount(_ pages: Int) throws(StoreError) {
        do {
            try queue.inDatabase { db in try db.execute(sql: "PRAGMA max_page_count = \(pages)") }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// Closes the connection; later calls fail.
    public func close() throws(StoreError) {
        ledgerReader.close()
        do {
            try queue.close()
        } catch {
            throw StoreError(error, path: path)
        }
    }
}
