import Foundation

/// Tells systemd how the daemon is (sd_notify(3)): `READY=1` once it serves, `STATUS=` lines staff see in
/// `systemctl status`, `WATCHDOG=1` keep-alives, `STOPPING=1`. Does nothing when `NOTIFY_SOCKET` is unset (not
/// started by systemd with `Type=notify`). `@name` sockets are abstract.
public struct SystemdNotifier: Sendable {
    /// The socket messages go to, or nil when not under systemd.
    public let socketPath: String?
    /// How often systemd expects `WATCHDOG=1` (`WatchdogSec=`), or nil.
    public let watchdogInterval: Duration?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, pid: Int32 = getpid()) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        if let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0,
            environment["WATCHDOG_PID"].map({ Int32($0) == pid }) ?? true
        {
            watchdogInterval = .microseconds(microseconds)
        } else {
            watchdogInterval = nil
        }
    }

    public var isEnabled: Bool { socketPath != nil }

    /// Sends newline-separated `KEY=value` assignments; false if not under systemd or the send failed.
    @discardableResult
    public func notify(_ assignments: [(String, String)]) -> Bool {
        guard let socketPath else { return false }
        let message = assignments.map { key, value in
            "\(key)=\(value.replacingOccurrences(of: "\n", with: " "))"
        }.joined(separator: "\n")
        do {
            try Posix.sendDatagram(Array(message.utf8), to: socketPath)
            return true
        } catch {
            return false
        }
    }

    @discardableResult
    public func ready(status: String) -> Bool { notify([("READY", "1"), ("STATUS", status)]) }

    @discardableResult
    public func status(_ text: String) -> Bool { notify([("STATUS", text)]) }

    @discardableResult
    public func watchdog() -> Bool { notify([("WATCHDOG", "1")]) }

    @discardableResult
    public func stopping(status: String) -> Bool { notify([("STOPPING", "1"), ("STATUS", status)]) }
}
