import Foundation

/// A PostgreSQL database as `--database postgres://…` names it, parsed once at the edge.
///
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME&sslmode=disable|prefer|require&sslrootcert=FILE]`
/// (`postgresql://` too). The port defaults to 5432, the database to the user's name, the schema to `public`,
/// `sslmode` to `prefer`. A password not in the URL comes from `$PGPASSWORD` (keep it out of the command line).
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Equatable, CaseIterable {
        /// Plain TCP (a loopback or private network only).
        case disable
        /// TLS when the server offers it, its certificate verified; plain otherwise.
        case prefer
        /// TLS, its certificate verified, or no connection.
        case require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// The schema the tables live in (created if missing).
    public var schema: String
    public var tls: TLSMode
    /// A CA file (PEM) to verify the server's certificate with, instead of the system's CAs.
    public var rootCertificate: String?

    public init(
        host: String, port: Int = 5432, user: String, password: String? = nil, database: String? = nil,
        schema: String = "public", tls: TLSMode = .prefer, rootCertificate: String? = nil
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database ?? user
        self.schema = schema
        self.tls = tls
        self.rootCertificate = rootCertificate
    }

    /// Whether `text` is meant as a PostgreSQL URL (rather than an SQLite path).
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `text`; the error says which part is wrong.
    public init(
        parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment
    )
        throws(ReportStoreError)
    {
        func problem(_ message: String) -> ReportStoreError {
            ReportStoreError(
                code: .invalidValue, database: PostgresLocation.redacting(text),
                message: message + " (postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME&sslmode=…])")
        }
        guard PostgresLocation.isURL(text), let components = URLComponents(string: text) else {
            throw problem("not a PostgreSQL URL")
        }
        guard let host = components.host, !host.isEmpty else { throw problem("the URL names no host") }
        guard let user = components.user, !user.isEmpty else { throw problem("the URL names no user") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw problem("port \(port) is out of range") }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.contains("/") else { throw problem("\"\(path)\" is not a database name") }
        var schema = "public"
        var tls = TLSMode.prefer
        var rootCertificate: String?
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "schema":
                guard PostgresLocation.isIdentifier(value) else {
                    throw problem(
                        "schema \"\(value)\" should be 1–63 characters of a-z, 0-9 and _, not starting with a digit")
                }
                schema = value
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw problem("sslmode \"\(value)\" should be disable, prefer or require")
                }
                tls = mode
            case "sslrootcert":
                guard !value.isEmpty else { throw problem("sslrootcert names no file") }
                rootCertificate = value
            default:
                throw problem("unknown parameter \"\(item.name)\" (known: schema, sslmode, sslrootcert)")
            }
        }
        let password = components.password.flatMap { $0.removingPercentEncoding ?? $0 } ?? environment["PGPASSWORD"]
        self.init(
            host: host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host, port: port,
            user: user.removingPercentEncoding ?? user, password: password,
            database: path.isEmpty ? nil : (path.removingPercentEncoding ?? path), schema: schema, tls: tls,
            rootCertificate: rootCertificate)
    }

    /// A lower-case SQL identifier that needs no quoting.
    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= 63 else { return false }
        return (first == "_" || ("a"..."z").contains(first))
            && text.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    /// The URL without its password, for messages and logs.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let query = schema == "public" ? "" : "?schema=\(schema)"
        return "postgres://\(user)@\(hostPart):\(port)/\(database)\(query)"
    }

    /// `text` with any password replaced, for a message about a URL that did not parse.
    static func redacting(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "…"
        return components.string ?? "a postgres:// URL"
    }
}
