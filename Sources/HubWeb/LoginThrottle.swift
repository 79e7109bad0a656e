import Foundation
import Synchronization

/// Failed logins (and setup-code tries) per client, with lockouts that grow: after `freeAttempts` failures a
/// client waits `firstLockout`, doubled at every further failure, up to `longestLockout`. A success clears it.
public final class LoginThrottle: Sendable {
    public let freeAttempts: Int
    public let firstLockout: TimeInterval
    public let longestLockout: TimeInterval
    /// Clients remembered at most (the least recent is forgotten first).
    public let capacity: Int

    struct Entry {
        var failures: Int
        var lockedUntil: Date
        var last: Date
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init(
        freeAttempts: Int = 5, firstLockout: TimeInterval = 30, longestLockout: TimeInterval = 3600,
        capacity: Int = 10_000
    ) {
        self.freeAttempts = freeAttempts
        self.firstLockout = firstLockout
        self.longestLockout = longestLockout
        self.capacity = capacity
    }

    /// How long `client` must still wait before it may try again (nil: it may try now).
    public func wait(for client: String, now: Date = Date()) -> TimeInterval? {
        entries.withLock { all in
            guard let entry = all[client], entry.lockedUntil > now else { return nil }
            return entry.lockedUntil.timeIntervalSince(now)
        }
    }

    /// Records a failed attempt; returns the lockout it starts, if any.
    @discardableResult
    public func failed(_ client: String, now: Date = Date()) -> TimeInterval? {
        entries.withLock { all in
            if all.count >= capacity, all[client] == nil,
                let oldest = all.min(by: { $0.value.last < $1.value.last })
            {
                all[oldest.key] = nil
            }
            var entry = all[client] ?? Entry(failures: 0, lockedUntil: .distantPast, last: now)
            entry.failures += 1
            entry.last = now
            var lockout: TimeInterval?
            if entry.failures >= freeAttempts {
                let doublings = min(entry.failures - freeAttempts, 30)
                let seconds = min(firstLockout * pow(2, Double(doublings)), longestLockout)
                entry.lockedUntil = now.addingTimeInterval(seconds)
                lockout = seconds
            }
            all[client] = entry
            return lockout
        }
    }

    public func succeeded(_ client: String) {
        _ = entries.withLock { $0.removeValue(forKey: client) }
    }

    /// "2 minutes", "30 seconds": for the page that says how long to wait.
    public static func describe(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds.rounded(.up))
        if whole >= 90 {
            let minutes = (whole + 59) / 60
            return "\(minutes) minutes"
        }
        return whole == 1 ? "1 second" : "\(whole) seconds"
    }
}
