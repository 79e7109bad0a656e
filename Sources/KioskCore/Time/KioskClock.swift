import Foundation

/// A reading of the wall clock.
public struct WallClockReading: Sendable, Hashable {
    /// The wall-clock time.
    public var date: Date
    /// Whether the clock is known to be synchronised (NTP); a Pi without a battery clock starts unsynchronised.
    public var synchronized: Bool

    public init(date: Date, synchronized: Bool) {
        self.date = date
        self.synchronized = synchronized
    }
}

/// The source of time for everything the kiosk does.
///
/// The core never reads a clock itself: the daemon injects the system clock, the simulator and the tests a
/// ``KioskClock`` they advance by hand.
public protocol KioskClock: Sendable {
    /// Monotonic time since boot.
    var now: MonotonicInstant { get }
    /// The wall clock and whether it is synchronised.
    var wall: WallClockReading { get }
    /// An id of this boot (the kernel's `boot_id`): monotonic instants compare only within one boot.
    var bootID: String { get }
    /// Suspends until `deadline` on the monotonic clock, or throws `CancellationError`.
    func sleep(until deadline: MonotonicInstant) async throws
}

extension KioskClock {
    /// Suspends for `duration` on the monotonic clock.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now + duration)
    }

    /// The wall-clock time at which `instant` happened, derived from the current readings of both clocks.
    public func wallTime(of instant: MonotonicInstant) -> WallClockReading {
        let reading = wall
        let offset = (now - instant).secondsDouble
        return WallClockReading(date: reading.date.addingTimeInterval(-offset), synchronized: reading.synchronized)
    }
}
