import GRDB

/// A database problem, with what it means for the kiosk and what to do.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// The disk (or the database's page limit) is full: nothing new can be stored.
        case full
        /// The file is damaged: its content is not a sound SQLite database. The only code that is damage.
        case corrupt
        /// The file or its folder cannot be written (permissions, a read-only file system).
        case readOnly
        /// The file, its folder or SQLite's `-wal`/`-shm` files next to it cannot be opened or created.
        case cannotOpen
        /// Another process holds the database (a lock) too long.
        case busy
        /// Reading or writing the disk failed (includes SQLite's shared-memory `-shm` file).
        case io
        /// Out of memory.
        case noMemory
        /// No database at the path.
        case missing
        /// The database was written by a newer HubKiosk.
        case newerSchema
        case other
    }

    public var code: Code
    public var path: String
    public var message: String

    public init(code: Code, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    init(_ error: any Error, path: String) {
        if let error = error as? StoreError {
            self = error
            return
        }
        guard let error = error as? DatabaseError else {
            self.init(code: .other, path: path, message: "\(error)")
            return
        }
        let code = StoreError.code(of: error.extendedResultCode)
        var message = error.message ?? "\(error)"
        if error.extendedResultCode != error.resultCode {
            message += " (SQLite code \(error.extendedResultCode.rawValue)"
            if let meaning = StoreError.meaning(of: error.extendedResultCode) { message += ": " + meaning }
            message += ")"
        }
        self.init(code: code, path: path, message: message)
    }

    /// How an SQLite result code (primary or extended) is taken: only `SQLITE_CORRUPT` and `SQLITE_NOTADB` say the
    /// file's content is damaged; every other failure is a condition of the disk, the folder, a lock or memory,
    /// and leaves the file as it is.
    static func code(of result: ResultCode) -> Code {
        switch result.primaryResultCode {
        case .SQLITE_FULL: return .full
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return .corrupt
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH: return .readOnly
        case .SQLITE_CANTOPEN: return .cannotOpen
        case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_PROTOCOL: return .busy
        case .SQLITE_IOERR, .SQLITE_NOLFS: return .io
        case .SQLITE_NOMEM: return .noMemory
        default: return .other
        }
    }

    /// Plain words for the extended codes a kiosk meets at start.
    static func meaning(of result: ResultCode) -> String? {
        switch result {
        case .SQLITE_IOERR_SHMOPEN, .SQLITE_IOERR_SHMSIZE, .SQLITE_IOERR_SHMMAP, .SQLITE_IOERR_SHMLOCK:
            return "SQLite's shared-memory file (-shm) beside the database could not be created or grown, "
                + "usually a full disk"
        case .SQLITE_IOERR_WRITE, .SQLITE_IOERR_FSYNC, .SQLITE_IOERR_TRUNCATE:
            return "writing to the disk failed"
        case .SQLITE_IOERR_READ, .SQLITE_IOERR_SHORT_READ: return "reading the disk failed"
        case .SQLITE_READONLY_DIRECTORY: return "the database's folder cannot be written"
        case .SQLITE_READONLY_DBMOVED: return "the database file was moved or deleted while open"
        case .SQLITE_CANTOPEN_ISDIR: return "a folder is where a file should be"
        default: return nil
        }
    }

    /// Whether the error says the file itself is damaged (and only then may it be replaced).
    public var isDamage: Bool { code == .corrupt }

    /// What staff or an installer can do about it.
    public var hint: String {
        switch code {
        case .full: return "free space on the disk that holds \(path) (or move the state directory to a larger one)"
        case .corrupt:
            return "run `hubkiosk doctor`; the daemon keeps the damaged file, salvages its rows into a fresh one "
                + "and alerts staff"
        case .readOnly:
            return "check that the kiosk's user owns and can write \(path) and its folder, and that the disk is "
                + "not mounted read-only"
        case .cannotOpen:
            return "check that \(path) is a file (not a folder), that the kiosk's user can write its folder, and "
                + "that the disk has free space (SQLite creates -wal and -shm files beside it)"
        case .busy: return "another program holds the database; stop it (`fuser \(path)` shows which) or wait"
        case .io:
            return "free space on the disk that holds \(path) (SQLite needs room for its -wal and -shm files beside "
                + "it), check the disk (dmesg), then start again"
        case .noMemory: return "the board is out of memory: stop other programs or restart it"
        case .missing: return "start the kiosk once (hubkioskd) or pass --state-dir where its database is"
        case .newerSchema: return "use the HubKiosk version that wrote this database, or a newer one"
        case .other: return "see the message; `hubkiosk doctor` checks the database"
        }
    }

    public var description: String { "database \(path): \(message) (\(code.rawValue)); \(hint)" }
}
