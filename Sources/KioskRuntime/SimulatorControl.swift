import KioskCore

/// What the control socket and the simulator page ask of the simulator backend (implemented in KioskApp by the
/// simulator; the HTTP layer does not link the simulator, so a daemon's HTTP layer builds without it).
public protocol SimulatorControl: Sendable {
    /// How long a press is held when the request does not say.
    var defaultHold: Duration { get }
    /// Presses `button` for `hold`; the id of the press's event, or nil when it is ignored (a bounce).
    func press(_ button: ButtonID, hold: Duration) -> UInt64?
    /// Sets the simulated printer's condition.
    func setPrinter(_ status: PrinterStatus)
    /// The simulated printer's condition.
    var printerStatus: PrinterStatus { get async }
    /// The bytes of the most recent slips the printer took, newest last, with their numbers since start.
    var recentSlips: [(number: Int, bytes: [UInt8])] { get }
    /// Moves the simulator's clock forward (demos); false when its clock cannot be moved.
    func advanceClock(by duration: Duration) -> Bool
    /// How far the clock was moved forward since start.
    var clockAdvanced: Duration { get }
    /// The simulator page's template (Mustache, inside the site's layout); it lives with the simulator.
    var pageTemplate: String { get }
}
