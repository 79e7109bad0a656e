import ArgumentParser
import Foundation
import KioskApp
import KioskConfig
import KioskControl
import Logging

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the GPIO chip and lines, the printer, the database, the disk and the clock.",
        discussion: "Prints what to do about each problem. Exits 1 if there is a problem.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let configuration = try await global.configuration()
        let stateDirectory =
            await global.resolvedStateDirectory(configuration) ?? KioskConfiguration.defaultStateDirectory
        var daemon: KioskDoctor.DaemonState?
        if let client = try? await global.control(),
            let info = try? await client.call("GET", "/info", as: ControlAPI.InfoResponse.self),
            let status = try? await client.call("GET", "/status", as: ControlAPI.StatusResponse.self)
        {
            daemon = KioskDoctor.DaemonState(pid: info.pid, printer: status.printer)
        }
        var logger = Logger(label: "hubkiosk")
        logger.logLevel = .critical
        let directoryStatus = try? await DirectoryCommand.currentStatus(global).0
        let checks = await KioskDoctor.run(
            configuration: configuration, stateDirectory: stateDirectory, daemon: daemon,
            directoryStatus: directoryStatus, logger: logger)
        for check in checks {
            let mark: String
            switch check.level {
            case .ok: mark = "ok     "
            case .warning: mark = "WARNING"
            case .problem: mark = "PROBLEM"
            }
            print("\(mark) \(check.area.padding(toLength: 13, withPad: " ", startingAt: 0)) \(check.message)")
            if let advice = check.advice, check.level != .ok {
                print("        \(String(repeating: " ", count: 13)) → \(advice)")
            }
        }
        let problems = checks.filter { $0.level == .problem }.count
        print(problems == 0 ? "No problems found." : "\(problems) problem\(problems == 1 ? "" : "s") found.")
        if problems > 0 { throw ExitCode.failure }
    }
}
