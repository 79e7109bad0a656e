import CKioskShims
import Foundation
import KioskCore

#if canImport(Glibc)
    import Glibc
#endif

/// The board's clocks: `CLOCK_BOOTTIME` for monotonic time, the system clock for wall time, and the kernel's
/// NTP state (`adjtimex`) for whether the wall clock is synchronised.
public struct SystemClock: KioskClock {
    public let bootID: String
    /// Take the wall clock as synchronised whatever the kernel says (a developer's VM or container keeps the right
    /// time but seldom clears the kernel's "unsynchronised" flag).
    public let trustWallClock: Bool

    public init(trustWallClock: Bool = false) {
        self.trustWallClock = trustWallClock
        let raw = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? ""
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        self.bootID = trimmed.isEmpty ? UUID().uuidString.lowercased() : trimmed
    }

    public var now: MonotonicInstant {
        var spec = timespec()
        clock_gettime(CLOCK_BOOTTIME, &spec)
        return MonotonicInstant(nanoseconds: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    public var wall: WallClockReading {
        WallClockReading(date: Date(), synchronized: trustWallClock || SystemClock.isSynchronized())
    }

    public func sleep(until deadline: MonotonicInstant) async throws {
        let remaining = deadline - now
        if remaining > .zero { try await Task.sleep(for: remaining) }
    }

    /// Whether the kernel believes its clock is synchronised (the `STA_UNSYNC` bit of `adjtimex` is clear), or
    /// systemd-timesyncd has said so.
    public static func isSynchronized() -> Bool {
        if hubkiosk_clock_synchronized() == 1 { return true }
        return FileManager.default.fileExists(atPath: "/run/systemd/timesync/synchronized")
    }
}
