import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A client-side Unix socket connection opened by hand, for tests that misbehave on purpose: connections that
/// stay idle, requests sent a piece at a time, bodies larger than allowed.
struct RawConnection: Sendable {
    let descriptor: Int32

    /// Connects without blocking; nil when the daemon's listen backlog is full (`EAGAIN`).
    static func open(_ path: String) -> RawConnection? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes.prefix(raw.count - 1))
            raw[min(bytes.count, raw.count - 1)] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            _ = Glibc.close(fd)
            return nil
        }
        return RawConnection(descriptor: fd)
    }

    /// Sends `text` (it fits in the socket's buffer).
    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    func close() {
        _ = Glibc.close(descriptor)
    }

    /// Waits (in `poll`, not by sleeping) until the daemon has closed each of `connections`, reading and dropping
    /// whatever it answered; closes them on our side too. Gives up at `deadline` (a bound so that the test stops by
    /// itself, far beyond the timeouts under test). Returns how many the daemon closed.
    static func waitUntilClosedByPeer(_ connections: [RawConnection], deadline: Date) -> Int {
        var open = Set(connections.map(\.descriptor))
        var closedByPeer = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !open.isEmpty, Date() < deadline {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 1000)
            guard ready > 0 else { continue }
            for entry in fds where entry.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) {
                    open.remove(entry.fd)
                    _ = Glibc.close(entry.fd)
                    closedByPeer += 1
                }
            }
        }
        for fd in open { _ = Glibc.close(fd) }
        return closedByPeer
    }

    /// How many descriptors this process has open.
    static func openDescriptorCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }
}
