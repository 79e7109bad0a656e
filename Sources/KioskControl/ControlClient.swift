import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

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

/// The client of the daemon's control socket: HTTP/1.1 through AsyncHTTPClient on the Unix socket, one request per
/// connection.
///
/// Before every request it checks the folders and links on the way to the socket, and the user the process
/// answering there runs as (``SocketTrust``): a daemon someone else planted is refused before it is sent anything.
public struct ControlClient: Sendable {
    public let socketPath: String
    /// How long to wait to connect, and then at most between two parts of the request or the answer (a read and
    /// write timeout: a long exchange that keeps moving is not cut).
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
    /// under a flood of idle connections the probe waits while the daemon drops them, and is served, instead of
    /// giving up as busy.
    public static func firstLive(
        _ candidates: [String], trust: SocketTrust = .standard(), probeTimeout: Duration = .seconds(20)
    ) async throws(ControlError) -> ControlClient {
        for path in candidates {
            let probe = ControlClient(socketPath: path, timeout: probeTimeout, trust: trust)
            do {
                _ = try await probe.request("GET", "/info")
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
    ) async throws(ControlError) -> Response {
        var data: Data?
        if let body {
            do {
                data = try JSONEncoder().encode(body)
            } catch {
                throw ControlError(code: .badResponse, socket: socketPath, message: "could not encode: \(error)")
            }
        }
        let (status, responseBody) = try await request(method, path, body: data)
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

    /// The largest answer read: none, as before AsyncHTTPClient (the daemon, checked by ``SocketTrust``, sends
    /// small JSON documents).
    static let responseLimit = Int.max

    /// Sends one request; returns the status and body.
    ///
    /// The request goes through one `HTTPClient` (on AsyncHTTPClient's shared event loop group) made for it and
    /// shut down once the answer is read, whatever happened: each call keeps its own timeouts and needs nothing
    /// to be closed by its caller.
    public func request(_ method: String, _ path: String, body: Data? = nil) async throws(ControlError) -> (Int, Data) {
        try trust.checkPath(socketPath)
        try checkPeer()
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
            throw ControlError(code: .badResponse, socket: socketPath, message: "cannot make a URL of \(path)")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Host", value: "hubkiosk")
        // No `Connection: close`: the daemon then reads and drops the rest of a body it refused (413) while this
        // client is still sending it, so that the answer is read. The connection closes with the client, below.
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let wait = max(timeout, .milliseconds(1))
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: TimeAmount(wait), read: TimeAmount(wait), write: TimeAmount(wait))
        configuration.redirectConfiguration = .disallow
        // A refused connection is "not running" now, not after the connect timeout; a full backlog is waited on
        // below.
        configuration.connectionPool.retryConnectionEstablishment = false
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let result: Result<(Int, Data), ControlError>
        do {
            result = .success(try await send(request, on: http, until: .now + wait))
        } catch let error as ControlError {
            result = .failure(error)
        } catch {
            result = .failure(self.error(error))
        }
        try? await http.shutdown()
        return try result.get()
    }

    /// Sends `request`, retrying while the daemon's backlog is full (`EAGAIN` on connecting) until `deadline`.
    private func send(
        _ request: HTTPClientRequest, on http: HTTPClient, until deadline: ContinuousClock.Instant
    )
        async throws -> (Int, Data)
    {
        var pause = Duration.milliseconds(20)
        while true {
            do {
                // No overall deadline: the connect, read and write timeouts bound each wait, as before.
                let response = try await http.execute(request, deadline: .distantFuture)
                let body = try await response.body.collect(upTo: Self.responseLimit)
                return (Int(response.status.code), Data(body.readableBytesView))
            } catch let error as IOError where error.errnoCode == EAGAIN || error.errnoCode == EWOULDBLOCK {
                guard ContinuousClock.now + pause < deadline else {
                    throw ControlError(
                        code: .timeout, socket: socketPath, message: "no answer to connect within \(timeout)")
                }
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(500))
            }
        }
    }

    /// Connects once to see who answers (`SO_PEERCRED`), before anything is sent to the socket: AsyncHTTPClient does
    /// not show its connections. The folders on the way are trusted (checked just before), so nobody else can put
    /// another socket there in between.
    private func checkPeer() throws(ControlError) {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw error(errno, "socket") }
        defer { close(fd) }
        // A blocking connect waits in a full backlog, up to the timeout, while the daemon drops idle connections.
        let (seconds, attoseconds) = max(timeout, .milliseconds(1)).components
        var tv = timeval(tv_sec: Int(clamping: seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
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
    }

    /// What an error of AsyncHTTPClient or NIO means here.
    private func error(_ error: any Error) -> ControlError {
        if let error = error as? IOError {
            switch error.errnoCode {
            // Connecting: the socket went, or its daemon, since the check of the peer.
            case ENOENT, ECONNREFUSED, ENOTDIR, EACCES, EPERM, EAGAIN: return self.error(error.errnoCode, "connect")
            default: return ControlError(code: .badResponse, socket: socketPath, message: "\(error)")
            }
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout:
                return ControlError(
                    code: .timeout, socket: socketPath, message: "no answer to connect within \(timeout)")
            case .readTimeout, .deadlineExceeded:
                return ControlError(code: .timeout, socket: socketPath, message: "no answer to read within \(timeout)")
            case .writeTimeout:
                return ControlError(code: .timeout, socket: socketPath, message: "no answer to write within \(timeout)")
            default:
                break
            }
        }
        return ControlError(code: .badResponse, socket: socketPath, message: "\(error)")
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
}
