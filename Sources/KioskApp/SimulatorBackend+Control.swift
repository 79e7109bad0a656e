import KioskCore
import KioskRuntime
import KioskSimulator

extension SimulatorBackend: SimulatorControl {
    public var defaultHold: Duration { hold }

    public func press(_ button: ButtonID, hold: Duration) -> UInt64? {
        buttons.press(button, hold: hold)
    }

    public func setPrinter(_ status: PrinterStatus) {
        printer.setStatus(status)
    }
}
