import Foundation
import KioskHardware
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A datagram socket like systemd's notify socket; `name` starting with @ is abstract.
final class NotifySocket {
    let fd: Int32
    let name: String

    init(name: String) throws {
        self.name = name
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard result == 0 else { throw PosixError("bind", errno: errno) }
    }

    func receive() throws -> String {
        let data = try Posix.read(fd, upTo: 4096, timeout: .seconds(2))
        return String(decoding: data, as: UTF8.self)
    }

    deinit {
        close(fd)
        if !name.hasPrefix("@") { unlink(name) }
    }
}

@Suite("sd_notify")
struct SystemdNotifierTests {
    @Test("READY, STATUS, WATCHDOG and STOPPING reach a socket at a path")
    func pathSocket() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        let socket = try NotifySocket(name: path)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path])
        #expect(notifier.isEnabled)
        #expect(notifier.ready(status: "ready"))
        #expect(try socket.receive() == "READY=1\nSTATUS=ready")
        #expect(notifier.status("printer: paper out\nsecond line"))
        #expect(try socket.receive() == "STATUS=printer: paper out second line", "one line per assignment")
        #expect(notifier.watchdog())
        #expect(try socket.receive() == "WATCHDOG=1")
        #expect(notifier.stopping(status: "stopping"))
        #expect(try socket.receive() == "STOPPING=1\nSTATUS=stopping")
    }

    @Test("Abstract sockets (@name)")
    func abstractSocket() throws {
        let name = "@hubkiosk-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let socket = try NotifySocket(name: name)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": name])
        #expect(notifier.ready(status: "ready"))
        #expect(try socket.receive() == "READY=1\nSTATUS=ready")
    }

    @Test("Without NOTIFY_SOCKET nothing is sent")
    func unset() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isEnabled)
        #expect(!notifier.ready(status: "ready"))
        #expect(notifier.watchdogInterval == nil)
    }

    @Test("The watchdog interval, for this process only")
    func watchdog() {
        let pid = getpid()
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000"], pid: pid).watchdogInterval == .seconds(30))
        #expect(
            SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(pid)"], pid: pid)
                .watchdogInterval == .seconds(30))
        #expect(
            SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"], pid: pid)
                .watchdogInterval == nil, "meant for another process")
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "0"], pid: pid).watchdogInterval == nil)
    }
}
