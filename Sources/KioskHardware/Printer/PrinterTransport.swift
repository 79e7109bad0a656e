import KioskCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A link to a printer: a USB printer device, a serial line or a TCP socket.
public protocol PrinterTransport: Sendable {
    /// How messages name the link (`/dev/usb/lp0`).
    var name: String { get }
    /// Opens the link if it is not open.
    func open() throws(PrinterError)
    /// Closes the link (it is opened again on the next use: a re-plugged printer works without a restart).
    func close()
    /// Sends `bytes`, all within `timeout`.
    func write(_ bytes: [UInt8], timeout: Duration) throws(PrinterError)
    /// Sends `DLE EOT n` and returns the answer byte, or nil if the printer does not answer in time.
    func realTimeStatus(_ n: UInt8, timeout: Duration) throws(PrinterError) -> UInt8?
    /// What the driver knows without asking the printer (`LPGETSTATUS` on usblp), or nil.
    func portStatus() -> PrinterStatus?
}

extension PrinterError {
    /// The printer error for a failed system call on `device`.
    init(_ error: PosixError, device: String) {
        switch error.errno {
        case ENOENT, ENODEV, ENXIO:
            self.init(.offline, "printer unplugged or switched off (\(device) is missing)")
        case EACCES, EPERM:
            self.init(.offline, "no permission to open \(device); add the kiosk's user to its group (lp or dialout)")
        case ETIMEDOUT, EAGAIN:
            self.init(
                .timeout, "printer did not take the slip in time (\(device)); check that it is on, its cover closed")
        case ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, ECONNRESET, EPIPE:
            self.init(.offline, "printer not reachable at \(device) (\(error.message))")
        default:
            self.init(
                .io, "printer error on \(device) (\(error)); check its cable and power, then run `hubkiosk doctor`")
        }
    }
}

/// The one file descriptor of a transport: opened when first needed, closed after any failure so that the next
/// use opens it again (a re-plugged printer works without a restart), and every failure turned into a printer
/// error that names the link.
final class DescriptorLink: Sendable {
    let name: String
    /// Whether the descriptor is a socket (writes must not raise SIGPIPE).
    let isSocket: Bool
    private let opener: @Sendable () throws(PosixError) -> Int32
    private let value = Mutex<Int32?>(nil)

    init(name: String, isSocket: Bool = false, opener: @escaping @Sendable () throws(PosixError) -> Int32) {
        self.name = name
        self.isSocket = isSocket
        self.opener = opener
    }

    var current: Int32? { value.withLock { $0 } }

    /// The open descriptor, opening it if needed.
    @discardableResult
    func open() throws(PrinterError) -> Int32 {
        if let fd = current { return fd }
        let fd: Int32
        do {
            fd = try opener()
        } catch {
            throw PrinterError(error, device: name)
        }
        // Opened by another caller meanwhile: keep theirs.
        let kept = value.withLock { box -> Int32 in
            if let existing = box { return existing }
            box = fd
            return fd
        }
        if kept != fd { Posix.close(fd) }
        return kept
    }

    func close() {
        if let fd = value.withLock({ box -> Int32? in
            defer { box = nil }; return box
        }) {
            Posix.close(fd)
        }
    }

    /// Runs `body` on the open descriptor; if it fails, the descriptor is closed.
    func use<T>(_ body: (Int32) throws(PosixError) -> T) throws(PrinterError) -> T {
        let fd = try open()
        do {
            return try body(fd)
        } catch {
            close()
            throw PrinterError(error, device: name)
        }
    }

    func write(_ bytes: [UInt8], timeout: Duration) throws(PrinterError) {
        try use { fd throws(PosixError) in try Posix.writeAll(fd, bytes, timeout: timeout, socket: isSocket) }
    }

    /// `DLE EOT n`: the answer byte, or nil if the printer does not answer in time.
    func realTimeStatus(_ n: UInt8, timeout: Duration) throws(PrinterError) -> UInt8? {
        try use { fd throws(PosixError) -> UInt8? in
            Posix.drain(fd)
            try Posix.writeAll(fd, [0x10, 0x04, n], timeout: timeout, socket: isSocket)
            let answer = try Posix.read(fd, upTo: 1, timeout: timeout)
            guard let byte = answer.first, PrinterStatusBytes.isRealTimeStatus(byte) else { return nil }
            return byte
        }
    }
}

/// A USB printer class device (`/dev/usb/lpN`, driver usblp).
public final class USBLinePrinterTransport: PrinterTransport {
    public let path: String
    private let link: DescriptorLink
    /// Whether the printer has answered `LPGETSTATUS` (some may not; they are not asked after a slip).
    private let answersPortStatus = Mutex(false)

    public init(path: String) {
        self.path = path
        link = DescriptorLink(name: path) { () throws(PosixError) -> Int32 in
            do throws(PosixError) {
                return try Posix.open(path, flags: O_RDWR | O_NONBLOCK | O_NOCTTY)
            } catch  where error.errno == EINVAL || error.errno == EACCES {
                return try Posix.open(path, flags: O_WRONLY | O_NONBLOCK | O_NOCTTY)
            }
        }
    }

    public var name: String { path }
    public func open() throws(PrinterError) { try link.open() }
    public func close() { link.close() }
    /// Sends `bytes` and waits until the printer has taken the last of them. usblp returns from a non-blocking
    /// write as soon as its last block is queued for the printer, and closing the device drops a block the printer
    /// has not taken: a slip is with the printer only once that block has gone (POLLOUT). A printer that stops
    /// taking bytes is a timeout, one unplugged meanwhile (POLLHUP) is offline; either way the slip did not print.
    /// A block cut off by an unplug also ends (with an error usblp keeps to itself) before usblp notices the unplug,
    /// so a printer that answered `LPGETSTATUS` before and does not after the slip was unplugged during it.
    public func write(_ bytes: [UInt8], timeout: Duration) throws(PrinterError) {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let answersPortStatus = answersPortStatus.withLock { $0 }
        try link.use { fd throws(PosixError) in
            try Posix.writeAll(fd, bytes, timeout: timeout)
            let events = try Posix.wait(fd, for: Int16(POLLOUT), timeout: max(.zero, deadline - clock.now))
            if events & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { throw PosixError("write", errno: ENODEV) }
            if events & Int16(POLLOUT) == 0 { throw PosixError("write", errno: ETIMEDOUT) }
            if answersPortStatus {
                do {
                    _ = try Posix.ioctlInt(fd, 0x060B, name: "LPGETSTATUS")
                } catch {
                    throw PosixError("write", errno: ENODEV)
                }
            }
        }
    }

    public func realTimeStatus(_ n: UInt8, timeout: Duration) throws(PrinterError) -> UInt8? {
        try link.realTimeStatus(n, timeout: timeout)
    }

    /// `LPGETSTATUS` (0x060b): the port status the printer reports to the USB host.
    public func portStatus() -> PrinterStatus? {
        guard let fd = link.current, let byte = try? Posix.ioctlInt(fd, 0x060B, name: "LPGETSTATUS") else {
            return nil
        }
        answersPortStatus.withLock { $0 = true }
        return PrinterStatusBytes.status(usbPortStatus: byte)
    }
}

/// How fast to send to a printer without flow control (the CSN-A2 at 19200 baud cannot print as fast as the line
/// carries bytes, and loses them).
public struct SerialThrottle: Hashable, Sendable {
    /// Bytes per second the printer keeps up with.
    public var bytesPerSecond: Int
    /// Extra time each line feed takes to print.
    public var lineFeedPause: Duration

    public init(bytesPerSecond: Int, lineFeedPause: Duration) {
        self.bytesPerSecond = bytesPerSecond
        self.lineFeedPause = lineFeedPause
    }

    /// The pause after sending `chunk`.
    public func pause(after chunk: some Collection<UInt8>) -> Duration {
        let lineFeeds = chunk.filter { $0 == 0x0A }.count
        let nanoseconds = Int64(chunk.count) * 1_000_000_000 / Int64(max(1, bytesPerSecond))
        return .nanoseconds(nanoseconds) + lineFeedPause * lineFeeds
    }
}

/// A printer on a serial line (`/dev/ttyUSB0`, `/dev/serial0`): raw 8N1 at the given speed and flow control.
public final class SerialTransport: PrinterTransport {
    public let path: String
    public let baud: Int
    public let flow: Posix.FlowControl
    /// For links without flow control: how fast to send.
    public let throttle: SerialThrottle?
    private let link: DescriptorLink

    public init(path: String, baud: Int, flow: Posix.FlowControl, throttle: SerialThrottle?) {
        self.path = path
        self.baud = baud
        self.flow = flow
        self.throttle = throttle
        link = DescriptorLink(name: path) { () throws(PosixError) -> Int32 in
            let fd = try Posix.open(path, flags: O_RDWR | O_NONBLOCK | O_NOCTTY)
            do throws(PosixError) {
                try Posix.configureSerial(fd, baud: baud, flow: flow)
            } catch {
                Posix.close(fd)
                throw error
            }
            return fd
        }
    }

    public var name: String { path }
    public func open() throws(PrinterError) { try link.open() }
    public func close() { link.close() }

    public func write(_ bytes: [UInt8], timeout: Duration) throws(PrinterError) {
        guard let throttle else { return try link.write(bytes, timeout: timeout) }
        try link.use { fd throws(PosixError) in
            let clock = ContinuousClock()
            let deadline = clock.now + timeout
            var index = 0
            while index < bytes.count {
                let end = min(bytes.count, index + 32)
                let chunk = Array(bytes[index..<end])
                try Posix.writeAll(fd, chunk, timeout: max(.milliseconds(1), deadline - clock.now))
                let pause = throttle.pause(after: chunk)
                if clock.now + pause > deadline { throw PosixError("write", errno: ETIMEDOUT) }
                usleep(
                    UInt32(
                        clamping: pause.components.seconds * 1_000_000 + pause.components.attoseconds
                            / 1_000_000_000_000))
                index = end
            }
        }
    }

    public func realTimeStatus(_ n: UInt8, timeout: Duration) throws(PrinterError) -> UInt8? {
        try link.realTimeStatus(n, timeout: timeout)
    }

    public func portStatus() -> PrinterStatus? { nil }
}

/// A network printer's raw TCP port (9100, "JetDirect").
public final class TCPTransport: PrinterTransport {
    public let host: String
    public let port: Int
    public let connectTimeout: Duration
    private let link: DescriptorLink

    public init(host: String, port: Int, connectTimeout: Duration = .seconds(3)) {
        self.host = host
        self.port = port
        self.connectTimeout = connectTimeout
        link = DescriptorLink(name: "tcp://\(host):\(port)", isSocket: true) { () throws(PosixError) -> Int32 in
            try Posix.connectTCP(host: host, port: port, timeout: connectTimeout)
        }
    }

    public var name: String { link.name }
    public func open() throws(PrinterError) { try link.open() }
    public func close() { link.close() }
    public func write(_ bytes: [UInt8], timeout: Duration) throws(PrinterError) {
        try link.write(bytes, timeout: timeout)
    }

    public func realTimeStatus(_ n: UInt8, timeout: Duration) throws(PrinterError) -> UInt8? {
        try link.realTimeStatus(n, timeout: timeout)
    }

    public func portStatus() -> PrinterStatus? { nil }
}
