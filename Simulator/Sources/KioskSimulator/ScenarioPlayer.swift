import KioskCore

/// Something a scenario can be played on: the kiosk in this process on a manual clock (fast, deterministic), or a
/// running daemon over its control socket (real time).
public protocol ScenarioDriver: Sendable {
    /// Lets time pass until `offset` after the start of the scenario.
    func wait(until offset: Duration) async throws
    /// Presses `button` (an id or need code) and returns a one-line account of what the kiosk did.
    func press(_ button: String, hold: Duration) async throws -> String
    /// Changes the printer's condition.
    func setPrinter(_ status: PrinterStatus) async throws
}

/// Plays a ``Scenario`` step by step on a ``ScenarioDriver``.
public enum ScenarioPlayer {
    /// Plays every step at its time, then lets the kiosk run for the scenario's settle time.
    /// `report` gets a line per step.
    public static func play(
        _ scenario: Scenario,
        on driver: some ScenarioDriver,
        report: (String) -> Void = { _ in }
    ) async throws {
        for step in scenario.steps {
            try await driver.wait(until: step.at)
            let time = formatOffset(step.at)
            switch step.action {
            case .press(let button, let hold):
                let outcome = try await driver.press(button, hold: hold)
                report("\(time)  press \(button): \(outcome)")
            case .printer(let status):
                try await driver.setPrinter(status)
                report("\(time)  printer \(status.key)")
            }
        }
        if scenario.settle > .zero {
            try await driver.wait(until: scenario.duration + scenario.settle)
            report("\(formatOffset(scenario.duration + scenario.settle))  (settled)")
        }
    }

    static func formatOffset(_ offset: Duration) -> String {
        let seconds = offset.secondsDouble
        let text = String(Int(seconds)) + "." + String(Int((seconds * 1000).rounded()) % 1000 + 1000).dropFirst()
        return "+" + text + "s"
    }
}
