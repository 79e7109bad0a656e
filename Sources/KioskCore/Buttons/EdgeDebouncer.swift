/// Software debounce for buttons whose driver has none (libgpiod 1.6 on Debian 12).
///
/// The first edge that changes a button's state is taken at once, so debouncing adds no latency; edges closer
/// than `window` to the last accepted edge are bounces and are dropped. If the line ends the window in another
/// level than the accepted one (a glitch or a press shorter than the window), ``settle(at:)`` reports that
/// level when the window is over.
public struct EdgeDebouncer: Sendable {
    struct LineState: Sendable {
        var accepted: ButtonLevel = .up
        var acceptedAt: MonotonicInstant?
        var raw: ButtonLevel = .up
        var rawAt: MonotonicInstant?
    }

    public let window: Duration
    private var lines: [ButtonID: LineState] = [:]

    public init(window: Duration) {
        self.window = window
    }

    /// Feeds a raw edge; returns the debounced edge it makes, if any.
    public mutating func edge(_ button: ButtonID, level: ButtonLevel, at instant: MonotonicInstant) -> ButtonEvent.Kind?
    {
        var line = lines[button] ?? LineState()
        line.raw = level
        line.rawAt = instant
        defer { lines[button] = line }
        guard level != line.accepted else { return nil }
        if let last = line.acceptedAt, instant - last < window {
            return nil
        }
        line.accepted = level
        line.acceptedAt = instant
        return level == .down ? .pressed : .released
    }

    /// The earliest instant at which ``settle(at:)`` has something to report, or nil.
    public var settleDeadline: MonotonicInstant? {
        lines.values.compactMap { line -> MonotonicInstant? in
            guard line.raw != line.accepted, let at = line.acceptedAt else { return nil }
            return at + window
        }.min()
    }

    /// Reports lines whose level stayed different from the accepted one until their window closed.
    public mutating func settle(at instant: MonotonicInstant) -> [(ButtonID, ButtonEvent.Kind)] {
        var result: [(ButtonID, ButtonEvent.Kind)] = []
        for (button, var line) in lines.sorted(by: { $0.key < $1.key }) {
            guard line.raw != line.accepted, let at = line.acceptedAt, instant - at >= window else { continue }
            line.accepted = line.raw
            // The line really changed at its last raw edge: the next window counts from there.
            line.acceptedAt = line.rawAt ?? instant
            lines[button] = line
            result.append((button, line.raw == .down ? .pressed : .released))
        }
        return result
    }
}
