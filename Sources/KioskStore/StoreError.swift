import GRDB

/// A database problem, with what it means for the kiosk and what to do.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The disk (or the database's page limit) is full: nothing new can be stored.
        case full
        /// The file is damaged.
        case corrupt
        /// The file or its folder cannot be written.
        case readOnly
        /// Another process holds the database too long.
        case busy
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
        let code: Code
        switch error.resultCode {
        case .SQLITE_FULL: code = .full
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: code = .corrupt
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM: code = .readOnly
        case .SQLITE_BUSY, .SQLITE_LOCKED: code = .busy
        default: code = .other
        }
        self.init(code: code, path: path, message: error.message ?? "\(error)")
    }

    /// What staff or an installer can do about it.
    public var hint: String {
        switch code {
        case .full: return "free space on the disk that holds \(path) (or move the state directory to a larger one)"
        case .corrupt: return "run `hubkiosk doctor`; the daemon moves a damaged file aside and starts a fresh one"
        case .readOnly: return "check that the kiosk's user can write \(path) and its folder"
        case .busy: return "another program holds the database; stop it or wait"
        case .missing: return "start the kiosk once (hubkioskd) or pass --state-dir where its database is"
        case .newerSchema: return "use the HubKiosk version that wrote this database, or a newer one"
        case .other: return "see the message; `hubkiosk doctor` checks the database"
        }
    }

    public var description: String { "database \(path): \(message) (\(code.rawValue)); \(hint)" }
}
