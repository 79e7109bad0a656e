import KioskCore

/// Turns raw edges of GPIO lines into the kiosk's button events: which button a line is, software debounce
/// (libgpiod 1.6 has no kernel debounce), and the edge's time on the kiosk's clock. Pure, so that recorded edge
/// sequences can be replayed in tests.
public struct ButtonEdgeMapper: Sendable {
    /// A line on a chip.
    public struct Line: Hashable, Sendable {
        public var chip: String
        public var offset: Int

        public init(chip: String, offset: Int) {
            self.chip = chip
            self.offset = offset
        }
    }

    /// An edge as libgpiod reports it: `rising` means the line became active (pressed, for active-low buttons).
    public struct RawEdge: Hashable, Sendable {
        public var line: Line
        public var rising: Bool
        /// CLOCK_MONOTONIC nanoseconds.
        public var monotonicNanoseconds: UInt64

        public init(line: Line, rising: Bool, monotonicNanoseconds: UInt64) {
            self.line = line
            self.rising = rising
            self.monotonicNanoseconds = monotonicNanoseconds
        }
    }

    public let buttons: [Line: ButtonID]
    /// Added to monotonic edge times to put them on the boot-time clock the kiosk uses.
    public let boottimeOffset: Int64
    private var debouncer: EdgeDebouncer
    private var nextID: UInt64 = 1

    /// `debounce` zero when the kernel already debounces (libgpiod 2.x).
    public init(buttons: [Line: ButtonID], debounce: Duration, boottimeOffset: Int64) {
        self.buttons = buttons
        self.boottimeOffset = boottimeOffset
        self.debouncer = EdgeDebouncer(window: debounce)
    }

    /// The button event an edge makes, if any (bounces and lines that are no button make none).
    public mutating func map(_ edge: RawEdge) -> ButtonEvent? {
        guard let button = buttons[edge.line] else { return nil }
        let at = MonotonicInstant(nanoseconds: Int64(edge.monotonicNanoseconds) + boottimeOffset)
        guard let kind = debouncer.edge(button, level: edge.rising ? .down : .up, at: at) else { return nil }
        defer { nextID += 1 }
        return ButtonEvent(id: nextID, button: button, kind: kind, at: at)
    }

    /// When ``settle(at:)`` has an event to report (a press shorter than the debounce window ended).
    public var settleDeadline: MonotonicInstant? { debouncer.settleDeadline }

    public mutating func settle(at instant: MonotonicInstant) -> [ButtonEvent] {
        debouncer.settle(at: instant).map { button, kind in
            defer { nextID += 1 }
            return ButtonEvent(id: nextID, button: button, kind: kind, at: instant)
        }
    }
}
