import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why `hubkiosk` could not talk to the daemon.
public struct ControlError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No daemon listens at the socket.
        case notRunning
        /// The socket exists but this user may not use it.
        case permission
        /// The daemon did not accept or answer in time: it is busy (too many connections, a slow disk).
        case timeout
        /// Something on the way to the socket, or the program answering on it, is not the kiosk's: refused.
        case untrusted
        /// The daemon answered with an error.
        case rejected
        /// The answer was not HTTP/JSON as expected.
        case badResponse
    }

    public var code: Code
    public var socket: String
    public var message: String
    /// For `rejected`: the HTTP status.
    public var status: Int?
    /// For an unknown button or need: the valid ones.
    public var valid: [String]?

    public init(code: Code, socket: String, message: String, status: Int? = nil, valid: [String]? = nil) {
        self.code = code
        self.socket = socket
        self.message = message
        self.status = status
        self.valid = valid
    }

    public var description: String {
        switch code {
        case .notRunning:
            return "the kiosk daemon is not running (nothing listens at \(socket)); start it with "
                + "`hubkioskd --config …` or pass the --state-dir it runs with"
        case .permission:
            return "not allowed to use \(socket): \(message); run as the kiosk's user or a member of its group"
        case .timeout:
            return "the kiosk daemon at \(socket) is busy: it did not answer in time (\(message)); the kiosk's "
                + "buttons are still served. Try again in a minute; if it stays busy, a program may be holding "
                + "connections open: restart the daemon (`sudo systemctl restart hubkioskd`)"
        case .untrusted: return "refusing \(socket): \(message)"
        case .rejected: return message
        case .badResponse: return "unexpected answer from the daemon at \(socket): \(message)"
        }
    }
}

/// A minimal HTTP/1.1 client for the daemon's control socket (one request per connection).
///
/// Before every connection it checks the folders and links on the way to the socket, and after connecting the
/// user the answering process runs as (``SocketTrust``): a daemon someone else planted is refused.
public struct ControlClient: Sendable {
    public let socketPath: String
    public var timeout: Duration
    /// Whose folders, links, sockets and daemons are believed.
    public var trust: SocketTrust

    public init(socketPath: String, timeout: Duration = .seconds(30), trust: SocketTrust = .standard()) {
        self.socketPath = socketPath
        self.timeout = timeout
        self.trust = trust
    }

    /// A client for the first candidate socket a trusted daemon answers on.
    ///
    /// Candidates where nothing listens are skipped. One that is refused (not trusted), busy or not allowed stops
    /// the search with that error: a later candidate is never used behind the back of a problem to fix.
    /// Throws `notRunning` (naming the first candidate) when no daemon answers anywhere.
    ///
    /// The probe waits `probeTimeout` (20 s) for an answer: long against the daemon's 2 s idle timeout, so that
    /// under a flood of idle connections the probe waits in the backlog while the daemon drops them, and is
    /// served, instead of giving up as busy.
    public static func firstLive(
        _ candidates: [String], trust: SocketTrust = .standard(), probeTimeout: Duration = .seconds(20)
    ) throws(ControlError) -> ControlClient {
        for path in candidates {
            let probe = ControlClient(socketPath: path, timeout: probeTimeout, trust: trust)
            do {
                _ = try probe.request("GET", "/info")
                return ControlClient(socketPath: path, trust: trust)
            } catch {
                guard error.code == .notRunning else { throw error }
            }
        }
        throw ControlError(code: .notRunning, socket: candidates.first ?? "", message: "")
    }

    /// Sends a request and decodes a JSON answer.
    public func call<Response: Decodable>(
        _ method: String,
        _ path: String,
        body: (some Encodable)? = nil as String?,
        as: Response.Type = Response.self
    ) throws(ControlError) -> Response {
        var data: Data?
        if let body {
            do {
                data = try JSONEncoder().encode(body)
            } catch {
                throw ControlError(code: .badResponse, socket: socketPath, message: "could not encode: \(error)")
            }
        }
        let (status, responseBody) = try request(method, path, body: data)
        guard (200..<300).contains(status) else {
            let decoded = try? JSONDecoder().decode(ControlAPI.ErrorResponse.self, from: responseBody)
            throw ControlError(
                code: .rejected, socket: socketPath,
                message: decoded?.error ?? String(decoding: responseBody, as: UTF8.self), status: status,
                valid: decoded?.valid)
        }
        do {
            return try JSONDecoder().decode(Response.self, from: responseBody)
        } catch {
            throw ControlError(code: .badResponse, socket: socketPath, message: "\(error)")
        }
    }

    /// Sends one request; returns the status and body.
    public func request(_ method: String, _ path: String, body: Data? = nil) throws(ControlError) -> (Int, Data) {
        try trust.checkPath(socketPath)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw error(errno, "socket") }
        defer { close(fd) }
        let (seconds, attoseconds) = max(timeout, .milliseconds(1)).components
        var tv = timeval(tv_sec: Int(clamping: seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else {
            throw ControlError(
                code: .badResponse, socket: socketPath, message: "socket path longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw error(errno, "connect") }
        try trust.checkPeer(fd, socket: socketPath)

        var head = "\(method) \(path) HTTP/1.1\r\nHost: hubkiosk\r\nConnection: close\r\n"
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        var outgoing = Array(head.utf8)
        if let body { outgoing += body }
        var sent = 0
        while sent < outgoing.count {
            let n = outgoing[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                // The daemon stopped reading (a body over its limit) and closed: its answer says why.
                if errno == EPIPE || errno == ECONNRESET { break }
                throw error(errno, "write")
            }
            sent += n
        }
        var incoming: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET && !incoming.isEmpty { break }
                throw error(errno, "read")
            }
            if n == 0 { break }
            incoming += buffer[0..<n]
        }
        return try parse(incoming)
    }

    private func error(_ code: Int32, _ call: String) -> ControlError {
        let text = String(cString: strerror(code))
        switch code {
        case ENOENT, ECONNREFUSED, ENOTDIR: return ControlError(code: .notRunning, socket: socketPath, message: text)
        case EACCES, EPERM: return ControlError(code: .permission, socket: socketPath, message: text)
        case EAGAIN, ETIMEDOUT:
            return ControlError(
                code: .timeout, socket: socketPath,
                message: "no answer to \(call) within \(timeout)")
        default: return ControlError(code: .badResponse, socket: socketPath, message: "\(call): \(text)")
        }
    }

    private func parse(_ bytes: [UInt8]) throws(ControlError) -> (Int, Data) {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let split = bytes.firstRange(of: separator) else {
            throw ControlError(code: .badResponse, socket: socketPath, message: "no HTTP header in the answer")
        }
        let head = String(decoding: bytes[..<split.lowerBound], as: UTF8.self)
        var lines = head.split(separator: "\r\n")
        guard !lines.isEmpty else {
            throw ControlError(code: .badResponse, socket: socketPath, message: "empty HTTP answer")
        }
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw ControlError(code: .badResponse, socket: socketPath, message: "bad status line")
        }
        var chunked = false
        for line in lines {
            let lower = line.lowercased()
            if lower.hasPrefix("transfer-encoding:") && lower.contains("chunked") { chunked = true }
        }
        var body = Array(bytes[split.upperBound...])
        if chunked { body = try dechunk(body) }
        return (status, Data(body))
    }

    private func dechunk(_ bytes: [UInt8]) throws(ControlError) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = bytes[index...].firstRange(of: [13, 10]) else { break }
            let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else {
                throw ControlError(code: .badResponse, socket: socketPath, message: "bad chunk size")
            }
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard start + size <= bytes.count else {
                throw ControlError(code: .badResponse, socket: socketPath, message: "truncated chunk")
            }
            out += bytes[start..<start + size]
            index = start + size + 2
        }
        return out
    }
}
