import Foundation
import Synchronization

/// A signed-in person's session: held on the server only; the browser holds its random id in a cookie.
public struct WebSession: Sendable, Hashable {
    /// 256 random bits, base64url: the cookie's value.
    public let id: String
    public let user: String
    public let role: String
    /// The token every form of this session carries (`_csrf`); a POST without it is refused.
    public let csrfToken: String
    public let created: Date
    public var lastSeen: Date
}

/// The sessions of one site, in memory (a restart signs everyone out): a new id at every login, ended on the
/// server at logout, expired after `idleTimeout` without a request or `lifetime` in all.
public final class SessionStore: Sendable {
    public let idleTimeout: TimeInterval
    public let lifetime: TimeInterval
    /// At most this many sessions; the oldest is ended to make room (a flood of logins cannot fill memory).
    public let capacity: Int
    private let sessions = Mutex<[String: WebSession]>([:])

    public init(idleTimeout: TimeInterval = 30 * 60, lifetime: TimeInterval = 12 * 3600, capacity: Int = 500) {
        self.idleTimeout = idleTimeout
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// Starts a session for `user` with a fresh id (never one the browser brought: no session fixation).
    public func start(user: String, role: String, now: Date = Date()) -> WebSession {
        let session = WebSession(
            id: Self.randomToken(), user: user, role: role, csrfToken: Self.randomToken(), created: now, lastSeen: now)
        sessions.withLock { all in
            all = all.filter { !expired($0.value, now: now) }
            if all.count >= capacity, let oldest = all.values.min(by: { $0.lastSeen < $1.lastSeen }) {
                all[oldest.id] = nil
            }
            all[session.id] = session
        }
        return session
    }

    /// The live session with this id, touched (its idle time starts again); nil if unknown or expired.
    public func session(id: String, now: Date = Date()) -> WebSession? {
        sessions.withLock { all in
            guard var session = all[id] else { return nil }
            if expired(session, now: now) {
                all[id] = nil
                return nil
            }
            session.lastSeen = now
            all[id] = session
            return session
        }
    }

    /// Ends the session (logout): its id is worth nothing afterwards, even if the browser kept the cookie.
    public func end(id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// Ends every session of `user` (a changed password).
    public func end(user: String) {
        sessions.withLock { all in all = all.filter { $0.value.user != user } }
    }

    public var count: Int { sessions.withLock { $0.count } }

    private func expired(_ session: WebSession, now: Date) -> Bool {
        now.timeIntervalSince(session.lastSeen) > idleTimeout || now.timeIntervalSince(session.created) > lifetime
    }

    /// 32 random bytes from the system's generator, base64url without padding.
    public static func randomToken(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let data = Data((0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(
            of: "/", with: "_"
        ).replacingOccurrences(of: "=", with: "")
    }
}

/// Compares two strings in time that depends only on their lengths (tokens and codes).
public func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for index in x.indices { difference |= x[index] ^ y[index] }
    return difference == 0
}
