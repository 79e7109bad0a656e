import Foundation
import KioskCore
import Synchronization

/// A clock that moves only when told to: scenarios and tests advance it instead of sleeping, so a day of kiosk
/// time runs in milliseconds and every run is the same.
public final class ManualClock: KioskClock {
    private struct Sleeper {
        var id: Int
        var deadline: MonotonicInstant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: MonotonicInstant
        var wallAtZero: Date
        var synchronized: Bool
        var sleepers: [Sleeper] = []
        var nextID = 0
        var cancelled: Set<Int> = []
    }

    private let state: Mutex<State>
    public let bootID: String

    /// A clock whose monotonic time starts at `start` (since boot) and whose wall clock reads `wall` then.
    public init(
        wall: Date = Date(timeIntervalSince1970: 1_795_000_000),
        start: MonotonicInstant = MonotonicInstant(nanoseconds: 10_000_000_000),
        synchronized: Bool = true,
        bootID: String = "00000000-0000-4000-8000-000000000001"
    ) {
        self.bootID = bootID
        let zero = wall.addingTimeInterval(-Double(start.nanoseconds) / 1e9)
        state = Mutex(State(now: start, wallAtZero: zero, synchronized: synchronized))
    }

    public var now: MonotonicInstant { state.withLock { $0.now } }

    public var wall: WallClockReading {
        state.withLock { s in
            WallClockReading(
                date: s.wallAtZero.addingTimeInterval(Double(s.now.nanoseconds) / 1e9), synchronized: s.synchronized)
        }
    }

    /// Sets the wall clock (as NTP would) without moving monotonic time.
    public func setWall(_ date: Date, synchronized: Bool) {
        state.withLock { s in
            s.wallAtZero = date.addingTimeInterval(-Double(s.now.nanoseconds) / 1e9)
            s.synchronized = synchronized
        }
    }

    public func sleep(until deadline: MonotonicInstant) async throws {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { s -> Result<Void, any Error>? in
                    if s.cancelled.remove(id) != nil { return .failure(CancellationError()) }
                    if deadline <= s.now { return .success(()) }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let resumeNow { continuation.resume(with: resumeNow) }
            }
        } onCancel: {
            let sleeper = state.withLock { s -> Sleeper? in
                if let index = s.sleepers.firstIndex(where: { $0.id == id }) { return s.sleepers.remove(at: index) }
                s.cancelled.insert(id)
                return nil
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward to `instant`, waking every sleeper whose deadline has come, earliest first.
    public func advance(to instant: MonotonicInstant) {
        let woken = state.withLock { s -> [Sleeper] in
            if instant > s.now { s.now = instant }
            let due = s.sleepers.filter { $0.deadline <= s.now }.sorted { $0.deadline < $1.deadline }
            s.sleepers.removeAll { $0.deadline <= s.now }
            return due
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    public func advance(by duration: Duration) {
        advance(to: now + duration)
    }

    /// How many tasks are sleeping on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }
}
