import Foundation
import KioskConfig
import KioskCore
import KioskRuntime
import KioskSimulator
import KioskStore
import Synchronization

/// Plays scenarios on a kiosk in this process whose clock is a ``ManualClock``: time jumps from step to step, so
/// an afternoon plays in well under a second, and the same scenario always gives the same rows.
public final class InProcessScenarioDriver: ScenarioDriver {
    public let kiosk: Kiosk
    public let clock: ManualClock
    public let start: MonotonicInstant
    private let releases = Mutex<[(at: MonotonicInstant, button: ButtonID)]>([])

    public init(kiosk: Kiosk, clock: ManualClock) {
        self.kiosk = kiosk
        self.clock = clock
        self.start = clock.now
    }

    private var simulator: SimulatorBackend { kiosk.simulator! }

    public func wait(until offset: Duration) async throws {
        let target = start + offset
        // Printing takes no simulated time: let slips in flight finish before the clock moves on.
        await settle()
        // Releases happen at their own times, in order, so that a long jump does not look like a stuck button.
        while let next = releases.withLock({ list -> (at: MonotonicInstant, button: ButtonID)? in
            guard let index = list.indices.min(by: { list[$0].at < list[$1].at }), list[index].at <= target else {
                return nil
            }
            return list.remove(at: index)
        }) {
            clock.advance(to: max(next.at, clock.now))
            if let event = simulator.buttons.edge(next.button, .up) {
                _ = await kiosk.service.result(forEvent: event.id)
            }
            await settle()
        }
        clock.advance(to: max(target, clock.now))
        await settle()
    }

    /// Handles everything due now and waits for the slips this started.
    private func settle() async {
        await kiosk.service.flush()
        await kiosk.service.waitUntilPrinted()
    }

    public func press(_ name: String, hold: Duration) async throws -> String {
        guard let button = kiosk.setup.configuration.layout.button(named: name) else {
            return "no such button"
        }
        guard let event = simulator.buttons.edge(button.id, .down) else { return "ignored (a bounce)" }
        let releaseAt = clock.now + hold
        releases.withLock { $0.append((releaseAt, button.id)) }
        let result = await kiosk.service.result(forEvent: event.id)
        return InProcessScenarioDriver.describe(result)
    }

    public func setPrinter(_ status: PrinterStatus) async throws {
        simulator.printer.setStatus(status)
        await kiosk.service.refreshPrinterStatus()
    }

    /// Waits for the slips still printing, so that their results are stored.
    public func finish() async {
        await settle()
    }

    /// One line saying what the kiosk did with a press.
    public static func describe(_ result: KioskService.PressResult?) -> String {
        switch result {
        case .acknowledged(let outcome):
            var parts = [outcome.counted ? "counted" : "flagged (\(outcome.flags))"]
            if outcome.counted && outcome.flags.contains(.duplicate) { parts = ["already recorded in this visit"] }
            if outcome.newVisit { parts.append("new visit") }
            switch outcome.slip {
            case .printing: parts.append("slip printing")
            case .deferred: parts.append("slip deferred")
            case .none: break
            }
            return parts.joined(separator: ", ")
        case .failed(let error):
            return "NOT STORED: \(error.message)"
        case .ignored, nil:
            return "ignored"
        }
    }
}

/// Compares what a scenario expected with what the database holds.
public enum ScenarioCheck {
    /// A line per mismatch; empty when everything matches.
    public static func mismatches(_ expected: Scenario.Expectation, totals: StoreTotals) -> [String] {
        var problems: [String] = []
        func check(_ name: String, _ want: Int?, _ got: Int) {
            if let want, want != got { problems.append("\(name): expected \(want), got \(got)") }
        }
        check("visits", expected.visits, totals.visits)
        check("presses", expected.presses, totals.presses)
        check("flagged presses", expected.flaggedPresses, totals.flaggedPresses)
        check("slips printed", expected.slipsPrinted, totals.slipsPrinted)
        check("slips not printed", expected.slipsNotPrinted, totals.slipsNotPrinted)
        for (need, want) in expected.needs.sorted(by: { $0.key < $1.key }) {
            check("need \(need)", want, totals.needs[need] ?? 0)
        }
        return problems
    }
}
