import KioskCore

/// How a light shows a pattern over time: steady, or a cycle of on/off steps. Buttons' LEDs repeat the cycle; a
/// buzzer on the staff-alert output plays it a few times and then stays quiet.
public struct LightPatternTimeline: Hashable, Sendable {
    public struct Step: Hashable, Sendable {
        public var on: Bool
        public var duration: Duration
    }

    /// Nil for a steady pattern.
    public var cycle: [Step]?
    /// The level of a steady pattern, and after a buzzer's last cycle.
    public var steady: Bool

    public init(_ pattern: LightPattern) {
        func step(_ on: Bool, _ milliseconds: Int) -> Step { Step(on: on, duration: .milliseconds(milliseconds)) }
        switch pattern {
        case .off:
            (cycle, steady) = (nil, false)
        case .on:
            (cycle, steady) = (nil, true)
        case .printing:
            (cycle, steady) = ([step(true, 100), step(false, 100)], false)
        case .error:
            (cycle, steady) = ([step(true, 150), step(false, 150), step(true, 150), step(false, 650)], false)
        case .attention:
            (cycle, steady) = ([step(true, 500), step(false, 500)], false)
        }
    }

    /// The length of one cycle.
    public var period: Duration { cycle?.reduce(Duration.zero) { $0 + $1.duration } ?? .zero }

    /// Whether the light is on `elapsed` after the pattern started; `repeats` limits the cycles (nil: for ever).
    public func isOn(after elapsed: Duration, repeats: Int? = nil) -> Bool {
        guard let cycle, period > .zero else { return steady }
        if let repeats, elapsed >= period * repeats { return steady }
        var offset = Duration.nanoseconds(elapsed.nanoseconds % period.nanoseconds)
        for step in cycle {
            if offset < step.duration { return step.on }
            offset -= step.duration
        }
        return steady
    }
}
