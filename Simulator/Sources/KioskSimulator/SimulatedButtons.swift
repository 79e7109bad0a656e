import KioskCore
import Synchronization

/// Virtual buttons. Raw edges go through the same software debouncer as GPIO lines on libgpiod 1.6, so a
/// simulated bounce behaves as a real one does.
public final class SimulatedButtons: ButtonSource {
    private struct State {
        var debouncer: EdgeDebouncer
        var nextID: UInt64 = 1
        var received: [ButtonEvent] = []
    }

    public let layout: KioskLayout
    private let clock: any KioskClock
    private let state: Mutex<State>
    private let stream: AsyncStream<ButtonEvent>
    private let continuation: AsyncStream<ButtonEvent>.Continuation
    private let keepHistory: Int

    public init(layout: KioskLayout, clock: any KioskClock, debounce: Duration, keepHistory: Int = 200) {
        self.layout = layout
        self.clock = clock
        self.keepHistory = keepHistory
        state = Mutex(State(debouncer: EdgeDebouncer(window: debounce)))
        (stream, continuation) = AsyncStream.makeStream(of: ButtonEvent.self)
    }

    public func events() -> AsyncStream<ButtonEvent> { stream }

    /// Feeds a raw edge at the clock's current time; returns the debounced event it made, if any.
    @discardableResult
    public func edge(_ button: ButtonID, _ level: ButtonLevel) -> ButtonEvent? {
        let at = clock.now
        let event = state.withLock { s -> ButtonEvent? in
            guard let kind = s.debouncer.edge(button, level: level, at: at) else { return nil }
            let event = ButtonEvent(id: s.nextID, button: button, kind: kind, at: at)
            s.nextID += 1
            s.received.append(event)
            if s.received.count > keepHistory { s.received.removeFirst(s.received.count - keepHistory) }
            return event
        }
        if let event { continuation.yield(event) }
        scheduleSettle()
        return event
    }

    /// A line that ends the debounce window in another level than the accepted one changes state then.
    private func scheduleSettle() {
        guard let deadline = state.withLock({ $0.debouncer.settleDeadline }) else { return }
        Task { [clock] in
            try? await clock.sleep(until: deadline)
            let events = self.state.withLock { s -> [ButtonEvent] in
                s.debouncer.settle(at: deadline).map { button, kind in
                    let event = ButtonEvent(id: s.nextID, button: button, kind: kind, at: deadline)
                    s.nextID += 1
                    s.received.append(event)
                    return event
                }
            }
            for event in events { self.continuation.yield(event) }
        }
    }

    /// Presses `button` now; returns the id of the press event, or nil if it was taken as a bounce.
    public func down(_ button: ButtonID) -> UInt64? {
        edge(button, .down).map(\.id)
    }

    public func up(_ button: ButtonID) {
        edge(button, .up)
    }

    /// Presses `button` and releases it `hold` later on the clock. Returns the press event's id, or nil.
    ///
    /// A negative hold releases at once; a hold past the end of the clock's range releases at its end (the button
    /// stays down for good) instead of overflowing.
    public func press(_ button: ButtonID, hold: Duration) -> UInt64? {
        guard let id = down(button) else { return nil }
        let deadline = Self.release(after: hold, from: clock.now)
        Task { [clock] in
            try? await clock.sleep(until: deadline)
            self.up(button)
        }
        return id
    }

    /// `start + hold`, saturating at the clock's last instant; never before `start`.
    public static func release(after hold: Duration, from start: MonotonicInstant) -> MonotonicInstant {
        guard hold > .zero else { return start }
        let room = Int64.max - max(start.nanoseconds, 0)
        guard hold < .nanoseconds(room) else { return MonotonicInstant(nanoseconds: Int64.max) }
        return MonotonicInstant(nanoseconds: start.nanoseconds + hold.nanoseconds)
    }

    /// The debounced events delivered so far (the most recent `keepHistory`).
    public var received: [ButtonEvent] { state.withLock { $0.received } }

    /// Stops delivering events.
    public func finish() {
        continuation.finish()
    }
}
