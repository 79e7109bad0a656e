import Crypto
import Foundation
import HubWeb

/// What a person signed in to `hubreport`'s pages may do.
public enum ReportRole: String, CaseIterable, Sendable {
    /// Sees every page, exports exact counts (logged), enrols hubs.
    case coordinator
    /// Sees the pages and suppressed exports only.
    case viewer
}

/// A person who may sign in to the pages: a name, a role, and a bcrypt hash once a setup code set the password.
public struct ReportUser: Sendable, Equatable {
    public var name: String
    public var role: ReportRole
    /// Nil until the person used a setup code.
    public var passwordHash: String?
    public var createdAt: Int64

    public init(name: String, role: ReportRole, passwordHash: String?, createdAt: Int64) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }
}

/// What a used setup code was for.
public struct SetupCodeGrant: Sendable, Equatable {
    public var user: String
    public var role: ReportRole
    public var expiresAt: Int64
}

/// One line of the audit log: who did what when (sign-ins, exact exports, enrolments).
public struct AuditEntry: Sendable, Equatable {
    public var time: Int64
    /// The user, or "" when no one was signed in (a failed sign-in, a refused cross-site form).
    public var user: String
    public var action: String

    public init(time: Int64, user: String, action: String) {
        self.time = time
        self.user = user
        self.action = action
    }
}

/// The people of the pages, their one-time setup codes (issued by `hubreport user add`, another process, so they
/// live in the database) and the audit log. Every engine of ``ReportStore`` keeps them.
public protocol ReportAccounts: Sendable {
    /// The user named `name` (matched without regard to case).
    func user(named name: String) async throws -> ReportUser?

    /// Every user, by name.
    func users() async throws -> [ReportUser]

    /// Creates user `name` with `role` (or gives an existing one that role) and stores the SHA-256 of a new setup
    /// code valid until `expiresAt`; the user's earlier unused codes stop working. Returns the user and whether it
    /// was new.
    func issueSetupCode(
        user name: String, role: ReportRole, codeHash: Data, now: Int64, expiresAt: Int64
    ) async throws -> (user: ReportUser, created: Bool)

    /// Whether any setup code is still unused and unexpired.
    func hasOpenSetupCode(now: Int64) async throws -> Bool

    /// Uses the code that hashes to `codeHash` if it is unused and unexpired: once, whatever happens next.
    func useSetupCode(codeHash: Data, now: Int64) async throws -> SetupCodeGrant?

    /// Stores the password hash of user `name` (creating the user if a code's user was removed meanwhile).
    func setPassword(user name: String, role: ReportRole, hash: String, now: Int64) async throws

    /// Adds a line to the audit log.
    func audit(_ entry: AuditEntry) async throws

    /// The last `limit` lines of the audit log, newest first.
    func auditLog(limit: Int) async throws -> [AuditEntry]
}

/// The one-time codes `hubreport user add` prints: 12 letters and digits that cannot be mistaken for one another,
/// in groups of four ("ACDE-FGH3-JKLM"), valid for 30 minutes. Only the SHA-256 of the normalised code is stored.
public enum SetupCode {
    public static let lifetime: Int64 = 30 * 60

    static let alphabet = Array("ACDEFGHJKLMNPQRTUVWXY3479")

    /// A new random code (about 55 bits).
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        for index in 0..<12 {
            if index > 0 && index % 4 == 0 { text.append("-") }
            text.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)])
        }
        return text
    }

    /// The SHA-256 stored for `code`: upper case, letters and digits only ("acde fgh3-jklm" is the same code).
    public static func hash(_ code: String) -> Data {
        let normalised = String(code.uppercased().filter { $0.isLetter || $0.isNumber }.prefix(64))
        return Data(SHA256.hash(data: Data(normalised.utf8)))
    }
}

extension ReportUser {
    /// The key a name is stored under: user names are matched without regard to case.
    static func key(_ name: String) -> String { name.lowercased() }

    /// What is wrong with `name` as a user name (HubWeb's rule), said so that a person can fix it; nil when fine.
    public static func problem(withName name: String) -> String? { WebUser.problem(withName: name) }
}
