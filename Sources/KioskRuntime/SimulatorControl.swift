import KioskCore

/// What the control socket asks of the simulator backend (implemented in KioskApp by the simulator; the control
/// server does not link the simulator, so a daemon's HTTP layer builds without it).
public protocol SimulatorControl: Sendable {
    /// How long a press is held when the request does not say.
    var defaultHold: Duration { get }
    /// Presses `button` for `hold`; the id of the press's event, or nil when it is ignored (a bounce).
    func press(_ button: ButtonID, hold: Duration) -> UInt64?
    /// Sets the simulated printer's condition.
    func setPrinter(_ status: PrinterStatus)
}
