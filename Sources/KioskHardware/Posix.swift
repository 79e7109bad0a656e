import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A failed system call: which, and `errno`.
public struct PosixError: Error, Hashable, Sendable, CustomStringConvertible {
    public var call: String
    public var errno: Int32

    public init(_ call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var message: String { String(cString: strerror(errno)) }

    public var description: String { "\(call): \(message)" }

    public var isTimeout: Bool { errno == ETIMEDOUT || errno == EAGAIN }
}

/// The POSIX calls the printer transports, sd_notify and the GPIO event loop make. This is the one place that
/// turns -1 and `errno` into typed errors.
public enum Posix {
    static func check(_ result: Int32, _ call: String) throws(PosixError) -> Int32 {
        if result == -1 { throw PosixError(call, errno: errno) }
        return result
    }

    /// `open(2)`, retried on EINTR, close-on-exec.
    public static func open(_ path: String, flags: Int32, mode: mode_t = 0) throws(PosixError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw PosixError("open \(path)", errno: errno) }
        }
    }

    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Waits until `fd` is ready for `events` (POLLIN/POLLOUT) or `timeout` passes; returns the ready events, or
    /// 0 on timeout. A nil timeout waits for ever.
    public static func wait(_ fd: Int32, for events: Int16, timeout: Duration?) throws(PosixError) -> Int16 {
        var descriptors = [pollfd(fd: fd, events: events, revents: 0)]
        let ready = try poll(&descriptors, timeout: timeout)
        return ready == 0 ? 0 : descriptors[0].revents
    }

    /// `poll(2)` on several descriptors, retried on EINTR; returns how many are ready.
    public static func poll(_ descriptors: inout [pollfd], timeout: Duration?) throws(PosixError) -> Int32 {
        let milliseconds: Int32 =
            timeout.map {
                Int32(
                    clamping: max(0, ($0.components.seconds * 1000) + $0.components.attoseconds / 1_000_000_000_000_000)
                )
            } ?? -1
        while true {
            let result = descriptors.withUnsafeMutableBufferPointer {
                Glibc.poll($0.baseAddress, nfds_t($0.count), milliseconds)
            }
            if result >= 0 { return result }
            if errno != EINTR { throw PosixError("poll", errno: errno) }
        }
    }

    /// Writes all of `bytes`, waiting for the descriptor as needed, within `timeout` (ETIMEDOUT otherwise).
    /// `chunk` limits each write (for throttled links); `pause` is called after each chunk with its size. On a
    /// socket (`socket` true) a peer that went away is an EPIPE error, not a SIGPIPE that kills the process.
    public static func writeAll(
        _ fd: Int32,
        _ bytes: [UInt8],
        timeout: Duration,
        socket: Bool = false,
        chunk: Int = 4096,
        pause: (Int) -> Void = { _ in }
    ) throws(PosixError) {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var sent = 0
        while sent < bytes.count {
            let remaining = deadline - clock.now
            guard remaining > .zero else { throw PosixError("write", errno: ETIMEDOUT) }
            let events = try wait(fd, for: Int16(POLLOUT), timeout: remaining)
            if events == 0 { throw PosixError("write", errno: ETIMEDOUT) }
            if events & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 && events & Int16(POLLOUT) == 0 {
                throw PosixError("write", errno: EIO)
            }
            let count = min(chunk, bytes.count - sent)
            let written = bytes.withUnsafeBytes { buffer in
                socket
                    ? Glibc.send(fd, buffer.baseAddress! + sent, count, Int32(MSG_NOSIGNAL))
                    : Glibc.write(fd, buffer.baseAddress! + sent, count)
            }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw PosixError("write", errno: errno)
            }
            sent += written
            pause(written)
        }
    }

    /// Reads what is available within `timeout` (up to `count` bytes); an empty result means nothing came.
    public static func read(_ fd: Int32, upTo count: Int, timeout: Duration) throws(PosixError) -> [UInt8] {
        let events = try wait(fd, for: Int16(POLLIN), timeout: timeout)
        if events == 0 { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, count) }
            if n >= 0 { return Array(buffer[0..<n]) }
            if errno == EINTR { continue }
            if errno == EAGAIN { return [] }
            throw PosixError("read", errno: errno)
        }
    }

    /// Discards whatever is waiting to be read.
    public static func drain(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 256)
        while (try? wait(fd, for: Int16(POLLIN), timeout: .zero)) ?? 0 != 0 {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 256) }
            if n <= 0 { return }
        }
    }

    /// `ioctl(fd, request, &int)` for requests that return an int (LPGETSTATUS).
    public static func ioctlInt(_ fd: Int32, _ request: UInt, name: String) throws(PosixError) -> Int32 {
        var value: Int32 = 0
        _ = try check(ioctl(fd, request, &value), "ioctl \(name)")
        return value
    }

    /// Flow control on a serial line.
    public enum FlowControl: String, Sendable, CaseIterable {
        case none
        case rtsCts = "rts-cts"
        case xonXoff = "xon-xoff"
    }

    /// Baud rates the serial transport supports.
    public static let baudRates: [Int: speed_t] = [
        9600: speed_t(B9600), 19200: speed_t(B19200), 38400: speed_t(B38400), 57600: speed_t(B57600),
        115200: speed_t(B115200),
    ]

    /// Puts a serial line in raw mode at `baud`, 8N1, with `flow` control.
    public static func configureSerial(_ fd: Int32, baud: Int, flow: FlowControl) throws(PosixError) {
        guard let speed = baudRates[baud] else { throw PosixError("baud \(baud)", errno: EINVAL) }
        var options = termios()
        _ = try check(tcgetattr(fd, &options), "tcgetattr")
        cfmakeraw(&options)
        _ = try check(cfsetispeed(&options, speed), "cfsetispeed")
        _ = try check(cfsetospeed(&options, speed), "cfsetospeed")
        options.c_cflag &= ~(tcflag_t(CSIZE) | tcflag_t(PARENB) | tcflag_t(CSTOPB) | tcflag_t(CRTSCTS))
        options.c_cflag |= tcflag_t(CS8) | tcflag_t(CLOCAL) | tcflag_t(CREAD)
        options.c_iflag &= ~(tcflag_t(IXON) | tcflag_t(IXOFF) | tcflag_t(IXANY))
        switch flow {
        case .none: break
        case .rtsCts: options.c_cflag |= tcflag_t(CRTSCTS)
        case .xonXoff: options.c_iflag |= tcflag_t(IXON) | tcflag_t(IXOFF)
        }
        _ = try check(tcsetattr(fd, TCSANOW, &options), "tcsetattr")
        _ = tcflush(fd, TCIOFLUSH)
    }

    /// The serial line's settings, for checks: (input baud, output baud, c_cflag, c_iflag).
    public static func serialSettings(_ fd: Int32) throws(PosixError) -> (speed_t, speed_t, tcflag_t, tcflag_t) {
        var options = termios()
        _ = try check(tcgetattr(fd, &options), "tcgetattr")
        return (cfgetispeed(&options), cfgetospeed(&options), options.c_cflag, options.c_iflag)
    }

    /// Connects a TCP socket to `host`:`port` within `timeout`; the socket is non-blocking.
    public static func connectTCP(host: String, port: Int, timeout: Duration) throws(PosixError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else { throw PosixError("resolve \(host)", errno: EHOSTUNREACH) }
        defer { freeaddrinfo(list) }
        var lastError = PosixError("connect \(host):\(port)", errno: ECONNREFUSED)
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            entry = current.pointee.ai_next
            let fd = socket(current.pointee.ai_family, current.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd < 0 { continue }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if Glibc.connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 { return fd }
            guard errno == EINPROGRESS else {
                lastError = PosixError("connect \(host):\(port)", errno: errno)
                Glibc.close(fd)
                continue
            }
            let ready = (try? wait(fd, for: Int16(POLLOUT), timeout: timeout)) ?? 0
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if ready != 0 && error == 0 { return fd }
            lastError = PosixError("connect \(host):\(port)", errno: ready == 0 ? ETIMEDOUT : error)
            Glibc.close(fd)
        }
        throw lastError
    }

    /// Sends one datagram to the Unix socket at `path` (`@name` for an abstract socket).
    public static func sendDatagram(_ message: [UInt8], to path: String) throws(PosixError) {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw PosixError("socket", errno: errno) }
        defer { Glibc.close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(path.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { throw PosixError("notify socket path", errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (pathBytes.first == 0 ? 0 : 1))
        let sent = message.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), $0, length)
                }
            }
        }
        if sent < 0 { throw PosixError("sendto \(path)", errno: errno) }
    }

    /// A pipe whose read end wakes a `poll` when something is written to the write end.
    public static func makePipe() throws(PosixError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        _ = try check(pipe(&fds), "pipe")
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        return (fds[0], fds[1])
    }

}
