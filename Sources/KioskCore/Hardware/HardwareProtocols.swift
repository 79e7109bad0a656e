/// Delivers debounced button edges: GPIO lines on the board, virtual buttons in the simulator.
public protocol ButtonSource: Sendable {
    /// The edges, in the order they happened. A source has one consumer: call this once.
    func events() -> AsyncStream<ButtonEvent>
}

/// Drives the lights: an LED per button and the staff-alert output.
public protocol Indicator: Sendable {
    /// Shows `pattern` on `light` until told otherwise.
    func set(_ light: LightID, to pattern: LightPattern) async throws
}

/// A receipt printer the kiosk prints signposting slips on.
public protocol ReceiptPrinter: Sendable {
    /// Sends the bytes of one whole slip; returns when the last byte was handed to the printer.
    ///
    /// Throws ``PrinterError`` when the printer cannot take the slip (no paper, unplugged, timed out).
    func print(_ bytes: [UInt8]) async throws
    /// The printer's last known condition. Returns at once: it must not wait on the printer.
    func status() async -> PrinterStatus
    /// Yields whenever the condition may have changed (paper out, back online, …); the kiosk then reads
    /// ``status()``. Call this once.
    func statusUpdates() -> AsyncStream<PrinterStatus>
}

/// What a printer reports about itself.
public struct PrinterStatus: Hashable, Sendable, CustomStringConvertible {
    public var online: Bool
    public var paperOut: Bool
    public var paperNearEnd: Bool
    public var coverOpen: Bool
    public var cutterError: Bool

    public init(
        online: Bool = true,
        paperOut: Bool = false,
        paperNearEnd: Bool = false,
        coverOpen: Bool = false,
        cutterError: Bool = false
    ) {
        self.online = online
        self.paperOut = paperOut
        self.paperNearEnd = paperNearEnd
        self.coverOpen = coverOpen
        self.cutterError = cutterError
    }

    public static let ready = PrinterStatus()
    public static let offline = PrinterStatus(online: false)
    public static let paperOutStatus = PrinterStatus(paperOut: true)

    /// Whether a slip can be printed.
    public var canPrint: Bool { online && !paperOut && !coverOpen && !cutterError }

    /// The problem that stops printing, in words staff understand, or nil.
    public var problem: String? {
        if !online { return "printer offline or unplugged" }
        if paperOut { return "paper out" }
        if coverOpen { return "cover open" }
        if cutterError { return "cutter jammed" }
        return nil
    }

    /// A short key: `ready`, `paper-low`, `paper-out`, `cover-open`, `offline`, `cutter-error`.
    public var key: String {
        if !online { return "offline" }
        if paperOut { return "paper-out" }
        if coverOpen { return "cover-open" }
        if cutterError { return "cutter-error" }
        if paperNearEnd { return "paper-low" }
        return "ready"
    }

    public init?(key: String) {
        switch key {
        case "ready": self = .ready
        case "paper-low": self = PrinterStatus(paperNearEnd: true)
        case "paper-out": self = PrinterStatus(paperOut: true)
        case "cover-open": self = PrinterStatus(coverOpen: true)
        case "offline": self = PrinterStatus(online: false)
        case "cutter-error": self = PrinterStatus(cutterError: true)
        default: return nil
        }
    }

    public static let keys = ["ready", "paper-low", "paper-out", "cover-open", "offline", "cutter-error"]

    public var description: String { problem ?? (paperNearEnd ? "paper low" : "ready") }
}

/// Why a printer did not take a slip.
public struct PrinterError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        case paperOut = "paper-out"
        case coverOpen = "cover-open"
        case offline
        case timeout
        case io
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
