/// A debounced button edge, as a ``ButtonSource`` delivers it.
public struct ButtonEvent: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        /// The button went down: a press.
        case pressed
        /// The button came back up.
        case released
    }

    /// Unique within one source and one run, increasing; lets a caller wait for the kiosk's answer to a press.
    public var id: UInt64
    public var button: ButtonID
    public var kind: Kind
    /// When the edge happened, on the monotonic clock (not when it was processed).
    public var at: MonotonicInstant

    public init(id: UInt64, button: ButtonID, kind: Kind, at: MonotonicInstant) {
        self.id = id
        self.button = button
        self.kind = kind
        self.at = at
    }
}

/// A raw line level as the hardware (or the simulator) sees it, before debouncing.
public enum ButtonLevel: Hashable, Sendable {
    case down
    case up
}
