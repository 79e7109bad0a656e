import KioskCore
import Logging
import Synchronization

/// Virtual LEDs: remembers what every light shows and the changes, and logs them.
public final class SimulatedIndicator: Indicator {
    public struct Change: Hashable, Sendable {
        public var at: MonotonicInstant
        public var light: LightID
        public var pattern: LightPattern
    }

    private struct State {
        var lights: [LightID: LightPattern] = [:]
        var changes: [Change] = []
    }

    private let clock: any KioskClock
    private let logger: Logger
    private let state = Mutex(State())
    private let keepHistory: Int

    public init(clock: any KioskClock, logger: Logger, keepHistory: Int = 200) {
        self.clock = clock
        self.logger = logger
        self.keepHistory = keepHistory
    }

    public func set(_ light: LightID, to pattern: LightPattern) async throws {
        let at = clock.now
        state.withLock { s in
            s.lights[light] = pattern
            s.changes.append(Change(at: at, light: light, pattern: pattern))
            if s.changes.count > keepHistory { s.changes.removeFirst(s.changes.count - keepHistory) }
        }
        logger.info("light \(light) \(pattern.rawValue)")
    }

    /// What `light` shows now.
    public func pattern(of light: LightID) -> LightPattern {
        state.withLock { $0.lights[light] ?? .off }
    }

    public var lights: [LightID: LightPattern] { state.withLock { $0.lights } }

    /// The most recent changes, oldest first.
    public var changes: [Change] { state.withLock { $0.changes } }
}
