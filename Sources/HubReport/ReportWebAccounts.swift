import Foundation
import HubWeb
import Logging
import ServiceLifecycle

/// The pages' ``WebUserStore`` over the report store's users: a user without a password yet cannot sign in.
public struct ReportWebUsers: WebUserStore {
    let accounts: any ReportAccounts
    let clock: @Sendable () -> Date

    public init(_ accounts: any ReportAccounts, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.accounts = accounts
        self.clock = clock
    }

    public func user(named name: String) async throws -> WebUser? {
        guard let user = try await accounts.user(named: name), let hash = user.passwordHash else { return nil }
        return WebUser(name: user.name, role: user.role.rawValue, passwordHash: hash)
    }

    public func count() async throws -> Int { try await accounts.users().count }

    public func save(_ user: WebUser) async throws {
        guard let role = ReportRole(rawValue: user.role) else {
            throw WebUserStoreError("the role \"\(user.role)\" is not coordinator or viewer")
        }
        try await accounts.setPassword(
            user: user.name, role: role, hash: user.passwordHash, now: Int64(clock().timeIntervalSince1970))
    }
}

/// The pages' ``SetupCodeSource`` over the codes `hubreport user add` stored (as SHA-256) in the database.
public struct ReportSetupCodes: SetupCodeSource {
    let accounts: any ReportAccounts
    let logger: Logger

    public init(_ accounts: any ReportAccounts, logger: Logger) {
        self.accounts = accounts
        self.logger = logger
    }

    public func isOpen(now: Date) async -> Bool {
        do {
            return try await accounts.hasOpenSetupCode(now: Int64(now.timeIntervalSince1970))
        } catch {
            logger.error("cannot read the setup codes: \(error)")
            return false
        }
    }

    public func consume(_ text: String, now: Date) async -> SetupCodes.Code? {
        do {
            guard
                let grant = try await accounts.useSetupCode(
                    codeHash: SetupCode.hash(text), now: Int64(now.timeIntervalSince1970))
            else { return nil }
            return SetupCodes.Code(
                text: text, user: grant.user, role: grant.role.rawValue,
                expires: Date(timeIntervalSince1970: TimeInterval(grant.expiresAt)))
        } catch {
            logger.error("cannot use a setup code: \(error)")
            return nil
        }
    }
}

/// Writes the site's audit messages (sign-ins, sign-outs, refused forms) to the store's audit log, in order, as a
/// `Service` of the server's group: the site reports them from synchronous code, this writes them.
public final class AuditTrail: Service, Sendable {
    let accounts: any ReportAccounts
    let logger: Logger
    let clock: @Sendable () -> Date
    let entries: AsyncStream<AuditEntry>
    let continuation: AsyncStream<AuditEntry>.Continuation

    public init(_ accounts: any ReportAccounts, logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.accounts = accounts
        self.logger = logger
        self.clock = clock
        (entries, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingOldest(10_000))
    }

    /// Queues a message of the site (the user is its first word when it says someone signed in, out or set a
    /// password).
    public func record(_ message: String) {
        logger.notice("\(message)")
        let user: String
        if let space = message.firstIndex(of: " "),
            [" signed in", " signed out", " set a password"].contains(where: {
                message[space...].hasPrefix($0)
            })
        {
            user = String(message[..<space])
        } else {
            user = ""
        }
        continuation.yield(AuditEntry(time: Int64(clock().timeIntervalSince1970), user: user, action: message))
    }

    /// Writes an entry now (exact exports and enrolments are logged before they are handed out).
    public func write(_ entry: AuditEntry) async throws {
        logger.notice("audit: \(entry.user) \(entry.action)")
        try await accounts.audit(entry)
    }

    /// Writes the queued messages until a graceful shutdown, then those still queued.
    public func run() async throws {
        await withGracefulShutdownHandler {
            for await entry in entries {
                do {
                    try await accounts.audit(entry)
                } catch {
                    logger.error("cannot write to the audit log: \(error) (\(entry.action))")
                }
            }
        } onGracefulShutdown: {
            self.continuation.finish()
        }
    }
}
