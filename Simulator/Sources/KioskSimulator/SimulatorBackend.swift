import ESCPOS
import Foundation
import KioskCore
import Logging

/// The simulator's hardware, wired as the board's would be: buttons, lights and a printer on one clock.
public struct SimulatorBackend: Sendable {
    public let clock: any KioskClock
    public let buttons: SimulatedButtons
    public let indicator: SimulatedIndicator
    public let printer: SimulatedPrinter
    /// How long a `sim press` holds the button down.
    public let hold: Duration

    /// Builds the simulator for `layout`, writing slips under `outputDirectory/slips` (nil: memory only).
    public init(
        layout: KioskLayout,
        rules: PressRules,
        profile: PrinterProfile,
        clock: any KioskClock,
        outputDirectory: String?,
        hold: Duration = .milliseconds(120),
        logger: Logger
    ) throws {
        self.clock = clock
        self.hold = hold
        buttons = SimulatedButtons(layout: layout, clock: clock, debounce: rules.debounce)
        indicator = SimulatedIndicator(clock: clock, logger: logger)
        printer = try SimulatedPrinter(
            profile: profile,
            outputDirectory: outputDirectory.map { ($0 as NSString).appendingPathComponent("slips") },
            logger: logger)
    }
}
