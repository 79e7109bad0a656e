import ArgumentParser
import Foundation
import KioskApp
import KioskConfig
import KioskControl
import KioskCore
import KioskRuntime
import KioskSimulator
import KioskStore
import Logging

struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim", abstract: "Drive the simulator backend.", subcommands: [Press.self, Printer.self, Run.self])

    struct Press: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Press a simulated button on the running daemon (a need code or a button id).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The need or button, e.g. food or checkin.")
        var need: String

        @Option(help: "How long to hold the button, in milliseconds (1 to 3600000).")
        var holdMs: Int?

        func validate() throws {
            let range = ControlAPI.PressRequest.holdMillisecondsRange
            if let holdMs, !range.contains(holdMs) {
                throw ValidationError(
                    "--hold-ms \(holdMs) is out of range: a press is held from \(range.lowerBound) to "
                        + "\(range.upperBound) ms (an hour); a hold over [rules] stuck_seconds simulates a stuck button"
                )
            }
        }

        func run() async throws {
            let response: ControlAPI.PressResponse
            do {
                response = try await global.control().call(
                    "POST", "/sim/press", body: ControlAPI.PressRequest(button: need, holdMilliseconds: holdMs),
                    as: ControlAPI.PressResponse.self)
            } catch let error as ControlError where error.valid != nil {
                throw ValidationError("\(error.message); valid: \(error.valid!.joined(separator: ", "))")
            }
            print(SimCommand.describe(response))
            if response.result == "not-stored" { throw ExitCode(75) }
        }
    }

    struct Printer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the simulated printer's condition: " + PrinterStatus.keys.joined(separator: ", ") + ".")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The condition.")
        var state: String

        func run() async throws {
            do {
                let status = try await global.control().call(
                    "POST", "/sim/printer", body: ControlAPI.PrinterRequest(state: state),
                    as: ControlAPI.StatusResponse.self)
                print("printer: \(status.printer)")
                for alert in status.alerts { print("alert: \(alert)") }
            } catch let error as ControlError where error.valid != nil {
                throw ValidationError("\(error.message); valid: \(error.valid!.joined(separator: ", "))")
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Play a scenario file (Simulator/scenarios/) on the running daemon, in real time.",
            discussion: """
                With --in-process the scenario plays on a fresh kiosk inside this command, on a clock that jumps \
                from step to step (an afternoon takes a moment), and its [expect] section is checked.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The scenario file.")
        var scenario: String

        @Flag(help: "Play on a fresh in-process kiosk with a simulated clock instead of the daemon.")
        var inProcess = false

        @Option(help: "With --in-process: the moment the scenario starts (ISO 8601, hub time), default now.")
        var start: String?

        func run() async throws {
            let configuration = try await global.configuration()
            let scenario: Scenario
            do {
                scenario = try Scenario.load(path: self.scenario, layout: configuration.layout)
            } catch {
                throw ToolError("scenario problem:\n\(error)")
            }
            print("Scenario \(scenario.name): \(scenario.steps.count) steps over \(scenario.duration.secondsDouble) s")
            if let description = scenario.description { print(description) }
            if inProcess {
                try await runInProcess(scenario, configuration: configuration)
            } else {
                try await runOnDaemon(scenario)
            }
        }

        private func runOnDaemon(_ scenario: Scenario) async throws {
            let client = try await global.control()
            let before = try await client.call("GET", "/status", as: ControlAPI.StatusResponse.self)
            let driver = RemoteScenarioDriver(client: client)
            try await ScenarioPlayer.play(scenario, on: driver) { print($0) }
            let after = try await client.call("GET", "/status", as: ControlAPI.StatusResponse.self)
            print(
                "Today's counts changed by: visits +\(after.visits - before.visits), presses "
                    + "+\(after.presses - before.presses) (+\(after.flaggedPresses - before.flaggedPresses) flagged), "
                    + "slips +\(after.slipsPrinted - before.slipsPrinted) printed")
            if scenario.expectation != nil {
                print("(The [expect] section is checked with --in-process, on a fresh database.)")
            }
        }

        private func runInProcess(_ scenario: Scenario, configuration: KioskConfiguration) async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "hubkiosk-scenario-\(UUID().uuidString)"
            ).path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let setup: KioskSetup
            do {
                setup = try KioskSetup.load(configPath: configuration.file, stateDirectoryFlag: directory)
            } catch {
                throw ToolError(error.message)
            }
            var wall = Date()
            if let start {
                guard let parsed = SlipCommand.parseMoment(start, timeZone: configuration.hub.timeZone) else {
                    throw ValidationError("--start \(start) is not an ISO 8601 date-time")
                }
                wall = parsed
            }
            let clock = ManualClock(wall: wall)
            var logger = Logger(label: "hubkiosk")
            logger.logLevel = .warning
            let kiosk = try Kiosk(setup: setup, clock: clock, control: false, logger: logger)
            let running = Task { try await kiosk.service.run() }
            let driver = InProcessScenarioDriver(kiosk: kiosk, clock: clock)
            try await ScenarioPlayer.play(scenario, on: driver) { print($0) }
            await driver.finish()
            let totals = try kiosk.database.totals()
            running.cancel()
            _ = try? await running.value
            print(
                "Stored: \(totals.visits) visits, \(totals.presses) presses (\(totals.flaggedPresses) flagged), "
                    + "slips \(totals.slipsPrinted) printed, \(totals.slipsNotPrinted) not printed; needs "
                    + totals.needs.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            if let expectation = scenario.expectation {
                let problems = ScenarioCheck.mismatches(expectation, totals: totals)
                if problems.isEmpty {
                    print("Expectations met.")
                } else {
                    for problem in problems { print("EXPECTATION NOT MET: \(problem)") }
                    throw ExitCode.failure
                }
            }
        }
    }

    static func describe(_ response: ControlAPI.PressResponse) -> String {
        switch response.result {
        case "stored":
            var parts: [String] = []
            let flags = response.flags ?? []
            if response.counted == true {
                parts.append(flags.contains("duplicate") ? "already recorded in this visit" : "counted")
            } else {
                parts.append("stored but flagged (\(flags.joined(separator: ", "))) and left out of counts")
            }
            if response.newVisit == true { parts.append("new visit") }
            switch response.slip {
            case "printing": parts.append("slip printing")
            case "deferred": parts.append("slip will print in a moment")
            default: break
            }
            return "\(response.button): " + parts.joined(separator: ", ")
        case "not-stored":
            return "\(response.button): NOT STORED: \(response.error ?? "database problem")"
        default:
            return "\(response.button): ignored (a bounce)"
        }
    }
}

/// Plays a scenario on the running daemon over its control socket, in real time.
struct RemoteScenarioDriver: ScenarioDriver {
    let client: ControlClient
    let start = ContinuousClock.now

    func wait(until offset: Duration) async throws {
        let deadline = start + offset
        if deadline > .now { try await Task.sleep(until: deadline) }
    }

    func press(_ button: String, hold: Duration) async throws -> String {
        let response = try await client.call(
            "POST", "/sim/press",
            body: ControlAPI.PressRequest(button: button, hold: hold),
            as: ControlAPI.PressResponse.self)
        return SimCommand.describe(response)
    }

    func setPrinter(_ status: PrinterStatus) async throws {
        _ = try await client.call(
            "POST", "/sim/printer", body: ControlAPI.PrinterRequest(state: status.key),
            as: ControlAPI.StatusResponse.self)
    }
}
