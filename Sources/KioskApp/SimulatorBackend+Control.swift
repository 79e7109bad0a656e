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

    public var printerStatus: PrinterStatus {
        get async { await printer.status() }
    }

    public var recentSlips: [(number: Int, bytes: [UInt8])] {
        printer.printed.map { (number: $0.number, bytes: $0.bytes) }
    }

    public var pageTemplate: String { SimulatorPage.template }

    public func advanceClock(by duration: Duration) -> Bool {
        guard let demo = clock as? DemoClock else { return false }
        demo.advance(by: duration)
        return true
    }

    public var clockAdvanced: Duration { (clock as? DemoClock)?.advanced ?? .zero }
}
