import Foundation
import Synchronization

/// Someone who may sign in: a name, a role and a bcrypt hash (never the password).
public struct WebUser: Codable, Sendable, Hashable {
    public var name: String
    public var role: String
    public var passwordHash: String

    public init(name: String, role: String, passwordHash: String) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
    }

    enum CodingKeys: String, CodingKey {
        case name
        case role
        case passwordHash = "password_hash"
    }

    /// What is wrong with `name` as a user name; nil when it is fine.
    public static func problem(withName name: String) -> String? {
        if name.isEmpty || name.count > 64 { return "Choose a name of 1 to 64 characters." }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: ".-_@"))
        if name.unicodeScalars.contains(where: { !allowed.contains($0) }) {
            return "Use letters, digits and . - _ @ only in a name (no spaces)."
        }
        return nil
    }
}

/// Where a site keeps its users.
public protocol WebUserStore: Sendable {
    func user(named name: String) async throws -> WebUser?
    func count() async throws -> Int
    /// Adds the user, or replaces the one of that name.
    func save(_ user: WebUser) async throws
}

/// A failure to read or write the users' file, naming it.
public struct WebUserStoreError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Users in a JSON file (mode 0600, replaced atomically): the kiosk's staff.
public final class FileUserStore: WebUserStore {
    public let path: String
    private let cache = Mutex<[WebUser]?>(nil)

    public init(path: String) {
        self.path = path
    }

    public func user(named name: String) async throws -> WebUser? {
        try load().first { $0.name.lowercased() == name.lowercased() }
    }

    public func count() async throws -> Int { try load().count }

    public func save(_ user: WebUser) async throws {
        var users = try load().filter { $0.name.lowercased() != user.name.lowercased() }
        users.append(user)
        try write(users)
        cache.withLock { $0 = users }
    }

    func load() throws -> [WebUser] {
        if let cached = cache.withLock({ $0 }) { return cached }
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw WebUserStoreError("cannot read \(path): \(error.localizedDescription)")
        }
        do {
            let users = try JSONDecoder().decode([WebUser].self, from: data)
            cache.withLock { $0 = users }
            return users
        } catch {
            throw WebUserStoreError(
                "\(path) is not a users file (\(error)); move it away and set up again with a new code")
        }
    }

    func write(_ users: [WebUser]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(users)
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        do {
            try AtomicWrite.write(Array(data), to: path, mode: 0o600)
        } catch {
            throw WebUserStoreError(error.description)
        }
    }
}
