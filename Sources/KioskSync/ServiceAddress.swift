import Foundation

/// The service's base address as the kiosk accepts it: `https://HOST[:PORT]`, or `http://` to a loopback address
/// only. No path, query or user: the signature covers the path the service sees.
public struct ServiceAddress: Sendable, Equatable, CustomStringConvertible {
    public var isSecure: Bool
    public var host: String
    public var port: Int

    /// Parses `text`, or says what is wrong with it.
    public init(_ text: String) throws(SyncSetupError) {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else {
            throw SyncSetupError(
                "\"\(text)\" is not a service address; give it like https://report.example.org or "
                    + "https://report.example.org:8443")
        }
        guard scheme == "https" || scheme == "http" else {
            throw SyncSetupError("\"\(text)\": the address must start with https:// (not \(scheme)://)")
        }
        guard components.path.isEmpty, components.query == nil, components.fragment == nil,
            components.user == nil, components.password == nil
        else {
            throw SyncSetupError(
                "\"\(text)\": give only the scheme, host and port (no path, query or user), like "
                    + "https://report.example.org:8443")
        }
        isSecure = scheme == "https"
        self.host = host
        port = components.port ?? (isSecure ? 443 : 80)
        guard (1...65_535).contains(port) else { throw SyncSetupError("\"\(text)\": port \(port) is out of range") }
        if !isSecure && !isLoopback {
            throw SyncSetupError(
                "\"\(text)\": plain http:// is refused except to this machine (127.0.0.1, ::1, localhost): the sync "
                    + "would cross the network unencrypted; use https://")
        }
    }

    /// Whether the host is this machine (127.0.0.0/8, ::1 or localhost).
    public var isLoopback: Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare.lowercased() == "localhost" || bare == "::1" { return true }
        var address = in_addr()
        if inet_pton(AF_INET, bare, &address) == 1 { return (UInt32(bigEndian: address.s_addr) >> 24) == 127 }
        return false
    }

    /// The host as it goes into a URL (an IPv6 address in brackets).
    var urlHost: String { host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host }

    /// `https://host:port`.
    public var description: String { "\(isSecure ? "https" : "http")://\(urlHost):\(port)" }

    /// The URL of `path` (starting with `/`) on the service.
    public func url(_ path: String) -> String { description + path }
}
