import Foundation
import KioskCore
import Synchronization

/// The simulator's clock on the daemon: the system's, moved forward by hand for demos (the simulator page's
/// clock controls: a visit ends, a service opens). It only ever moves forward, so monotonic time stays monotonic.
public final class DemoClock: KioskClock {
    let base: any KioskClock
    private let offset = Mutex(Duration.zero)

    public init(base: any KioskClock) {
        self.base = base
    }

    public var now: MonotonicInstant { base.now + offset.withLock { $0 } }

    public var wall: WallClockReading {
        let reading = base.wall
        return WallClockReading(
            date: reading.date.addingTimeInterval(offset.withLock { $0 }.secondsDouble),
            synchronized: reading.synchronized)
    }

    public var bootID: String { base.bootID }

    /// How far the clock has been moved forward.
    public var advanced: Duration { offset.withLock { $0 } }

    /// Moves the clock forward by `duration` (at most a week at a time).
    public func advance(by duration: Duration) {
        guard duration > .zero else { return }
        offset.withLock { $0 += min(duration, .seconds(7 * 86_400)) }
    }

    /// Sleeps in steps of at most a second, so that a deadline the clock was moved past is noticed within one.
    public func sleep(until deadline: MonotonicInstant) async throws {
        while now < deadline {
            let remaining = deadline - now
            try await base.sleep(until: base.now + min(remaining, .seconds(1)))
        }
    }
}
