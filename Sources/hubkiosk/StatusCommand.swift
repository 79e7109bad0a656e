import ArgumentParser
import Foundation
import KioskConfig
import KioskControl
import KioskCore
import KioskStore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Today's counts, the printer, alerts and the last press.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() async throws {
        if let client = try await global.runningControl() {
            let status = try await client.call("GET", "/status", as: ControlAPI.StatusResponse.self)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(status), as: UTF8.self))
                return
            }
            print("\(status.hubName) (\(status.hub)), \(status.backend) backend, daemon running")
            printCounts(
                day: status.day, visits: status.visits, needs: status.needs, presses: status.presses,
                flagged: status.flaggedPresses, printed: status.slipsPrinted, notPrinted: status.slipsNotPrinted,
                lastPress: status.lastPressAt)
            print("Printer: \(status.printer)")
            print("Alerts: " + (status.alerts.isEmpty ? "none" : ""))
            for alert in status.alerts { print("  - \(alert)") }
            if status.visitInProgress { print("A visit is in progress.") }
            if let error = status.storageError { print("STORAGE PROBLEM: \(error)") }
            if let sync = status.sync {
                if sync.state == "not-enrolled" {
                    print("Sync: not enrolled")
                } else {
                    print(
                        "Sync: \(sync.state), last success \(sync.lastSuccess ?? "never"), backlog \(sync.backlog ?? 0)"
                            + (sync.lastError.map { " (\($0))" } ?? ""))
                }
            }
            if let directory = status.directory {
                print(
                    "Directory: \(directory.services) services from \(directory.inUse), last checked "
                        + "\(directory.checkedAt ?? "never")" + (directory.stale ? " — OUT OF DATE" : "")
                        + (directory.heldBack.map { " (\($0))" } ?? directory.lastError.map { " (\($0))" } ?? ""))
            }
            return
        }
        // No daemon: the database still has today's counts.
        let configuration = try await global.configuration()
        let database = try await global.database(configuration)
        let today = configuration.hub.timeZone.localDate(of: Date())
        let counts = try database.dayCounts(today)
        print("\(configuration.hub.name) (\(configuration.hub.id)): the daemon is NOT running")
        printCounts(
            day: today.description, visits: counts.visits,
            needs: Dictionary(uniqueKeysWithValues: counts.needs.map { ($0.key.rawValue, $0.value) }),
            presses: counts.presses, flagged: counts.flaggedPresses, printed: counts.slipsPrinted,
            notPrinted: counts.slipsNotPrinted,
            lastPress: counts.lastPressAt.map { ISO8601DateFormatter().string(from: $0) })
        // Alerts kept in the database show here too (the daemon shows them again when it starts).
        let alerts = try database.persistedAlerts()
        print("Alerts: " + (alerts.isEmpty ? "none" : ""))
        for alert in alerts { print("  - database: \(alert.message)") }
    }

    private func printCounts(
        day: String, visits: Int, needs: [String: Int], presses: Int, flagged: Int, printed: Int, notPrinted: Int,
        lastPress: String?
    ) {
        print("Today (\(day)): \(visits) visit\(visits == 1 ? "" : "s")")
        if !needs.isEmpty {
            print(
                "  needs: " + needs.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        print("  presses: \(presses) (\(flagged) flagged), slips: \(printed) printed, \(notPrinted) not printed")
        print("  last press: \(lastPress ?? "none today")")
    }
}

struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts", abstract: "Acknowledge the staff alerts (talk to someone, printer, …).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "ack")
    var action: String = "ack"

    func run() async throws {
        guard action == "ack" else { throw ValidationError("the only action is `ack`") }
        let status = try await global.control().call("POST", "/alerts/acknowledge", as: ControlAPI.StatusResponse.self)
        print(status.alerts.isEmpty ? "Alerts cleared." : "Still active: " + status.alerts.joined(separator: "; "))
    }
}
