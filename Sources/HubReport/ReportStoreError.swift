import GRDB

/// A storage problem of `hubreport`, with what the administrator can do about it.
public struct ReportStoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The disk is full.
        case full
        /// The file is damaged.
        case corrupt
        /// The file or its folder cannot be written.
        case readOnly
        /// Another process holds the database too long.
        case busy
        /// Written by a newer `hubreport`.
        case newerSchema
        /// The hub is not enrolled (or was revoked) for a write that needs it.
        case notEnrolled
        /// A value the store refuses (a hub id or name out of bounds, a database URL that does not parse).
        case invalidValue
        /// The database server does not answer or refuses the connection (PostgreSQL).
        case unreachable
        case other
    }

    public var code: Code
    /// The database, as the administrator passed it.
    public var database: String
    public var message: String

    public init(code: Code, database: String, message: String) {
        self.code = code
        self.database = database
        self.message = message
    }

    init(_ error: any Error, database: String) {
        if let error = error as? ReportStoreError {
            self = error
            return
        }
        guard let error = error as? DatabaseError else {
            self.init(code: .other, database: database, message: "\(error)")
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
        self.init(code: code, database: database, message: error.message ?? "\(error)")
    }

    /// What the partnership's administrator can do.
    public var hint: String {
        switch code {
        case .full: return "free space on the disk that holds \(database); kiosks keep their tallies and retry"
        case .corrupt: return "restore \(database) from the last back-up; kiosks re-send their tallies"
        case .readOnly: return "check that hubreport's user can write \(database) and its folder"
        case .busy:
            return "another program holds the database; stop it (a back-up should use `sqlite3 .backup` or pg_dump)"
        case .newerSchema: return "use the hubreport version that wrote this database, or a newer one"
        case .notEnrolled:
            return "enrol the hub: `hubreport hub add` prints a code for the kiosk's enrolment (`POST /v1/enrol`)"
        case .invalidValue: return "see the message"
        case .unreachable:
            return "check that PostgreSQL runs and that the URL's host, port, user, password and database are right"
        case .other: return "see the message and the service's log"
        }
    }

    public var description: String { "database \(database): \(message) (\(code.rawValue)); \(hint)" }
}
