import ArgumentParser
import CoreFoundation
import Foundation
import KioskConfig
import KioskControl
import KioskHardware
import KioskStore
import KioskSync

/// `hubkiosk sync enrol|now|status`: the partnership sync.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Enrol the kiosk with the partnership's reporting service, and see its sync.",
        subcommands: [SyncEnrolCommand.self, SyncNowCommand.self, SyncStatusCommand.self])
}

struct SyncEnrolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enrol",
        abstract: "Make the kiosk's key pair and register it with the service using a one-time code.",
        discussion: """
            The partnership's administrator runs `hubreport hub add ID --name NAME`, which prints the code (valid \
            24 hours, once). For an https:// service say whom to trust: --ca FILE (the CA that issued its \
            certificate) or --pin sha256/… (`hubreport tls pin --cert FILE` prints it). Plain http:// is refused \
            except to this machine.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The service's address, like https://report.example.org:8443.")
    var url: String

    @Argument(help: "The one-time enrolment code.")
    var code: String

    @Option(name: .long, help: "Trust only certificates issued by the CAs in this PEM file.")
    var ca: String?

    @Option(name: .long, help: "Trust only the certificate whose public key has this pin (sha256/BASE64).")
    var pin: String?

    @Flag(name: .long, help: "Replace an existing enrolment (and its key).")
    var replace = false

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() async throws {
        if ca != nil && pin != nil { throw ToolError("give --ca or --pin, not both") }
        let configuration = try? await global.configuration()
        guard let stateDirectory = await global.resolvedStateDirectory(configuration) else {
            throw ToolError("no state directory: pass --state-dir")
        }
        var owner: (uid_t, gid_t)?
        if geteuid() == 0 {
            // Run as root: the files belong to whoever owns the state directory (the daemon's user).
            var info = stat()
            if stat(stateDirectory, &info) == 0 { owner = (info.st_uid, info.st_gid) }
        }
        let choice: SyncEnroller.TrustChoice =
            if let ca { .certificateAuthority(path: ca) } else if let pin { .pin(pin) } else { .none }
        let enroller = SyncEnroller(files: SyncFiles(stateDirectory: stateDirectory), version: HubKioskVersion.current)
        let enrolment: SyncEnrolment
        do {
            enrolment = try await enroller.enrol(
                service: url, code: code, trust: choice, replace: replace, owner: owner)
        } catch {
            throw ToolError("enrolment failed: \(error.description)")
        }
        // A running daemon picks the enrolment up at once.
        let status = try? await global.runningControl()?.call("POST", "/sync/now", as: ControlAPI.SyncStatus.self)
        if json {
            try printJSON(
                status
                    ?? ControlAPI.SyncStatus(
                        state: "enrolled", service: enrolment.service,
                        hubID: enrolment.hubID, granularity: configuration?.sync.granularity.rawValue ?? "hour"))
            return
        }
        print(
            "Enrolled as hub \(enrolment.hubID) (\(enrolment.hubName)) of \(enrolment.partnership) at \(enrolment.service)."
        )
        if let status {
            print("First sync: \(status.state)" + (status.lastError.map { " (\($0))" } ?? ""))
        } else {
            print("The daemon is not running: it syncs once started.")
        }
    }
}

struct SyncNowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "now", abstract: "Sync now (also retries a sync that stopped on a problem), and show the result.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() async throws {
        let status = try await global.control().call("POST", "/sync/now", as: ControlAPI.SyncStatus.self)
        if json { try printJSON(status) } else { printSyncStatus(status, daemonRunning: true) }
        if status.state != "idle" { throw ExitCode(1) }
    }
}

struct SyncStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "The last successful sync, the backlog, and the last error with what to do.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() async throws {
        var running = false
        var status: ControlAPI.SyncStatus
        if let client = try await global.runningControl() {
            status = try await client.call("GET", "/sync/status", as: ControlAPI.SyncStatus.self)
            running = true
        } else {
            // The daemon is stopped: its last status file, and the backlog from the database.
            let configuration = try await global.configuration()
            guard let directory = await global.resolvedStateDirectory(configuration) else {
                throw ToolError("no state directory: pass --state-dir")
            }
            let files = SyncFiles(stateDirectory: directory)
            let granularity = configuration.sync.granularity
            if let data = FileManager.default.contents(atPath: files.statusPath),
                let saved = try? JSONDecoder().decode(ControlAPI.SyncStatus.self, from: data)
            {
                status = saved
            } else {
                let enrolment = try? files.enrolment()
                status = ControlAPI.SyncStatus(
                    state: enrolment == nil ? "not-enrolled" : "idle", service: enrolment?.service,
                    hubID: enrolment?.hubID, granularity: granularity.rawValue)
            }
            let database = try await global.database(configuration)
            status.backlog = try database.unacknowledgedBucketCount(granularity == .day ? .day : .hour)
            status.nextAttempt = nil
        }
        if json { try printJSON(status) } else { printSyncStatus(status, daemonRunning: running) }
    }
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

func printSyncStatus(_ status: ControlAPI.SyncStatus, daemonRunning: Bool) {
    guard status.state != "not-enrolled" else {
        print("Sync: not enrolled. Ask the partnership's administrator for a code, then: hubkiosk sync enrol URL CODE")
        return
    }
    print("Sync: \(status.state)\(daemonRunning ? "" : " (the daemon is NOT running)")")
    if let service = status.service {
        print("Service: \(service), hub \(status.hubID ?? "?"), by \(status.granularity)")
    }
    print("Last success: \(status.lastSuccess ?? "never")")
    if let backlog = status.backlog { print("Backlog: \(backlog) bucket\(backlog == 1 ? "" : "s") to send") }
    if let next = status.nextAttempt { print("Next attempt: \(next)") }
    if let error = status.lastError {
        print("Last error: \(error)")
        if let whatToDo = status.whatToDo { print("What to do: \(whatToDo)") }
    }
    if let offset = status.clockOffsetSeconds {
        print("Clock: \(offset) s behind the service's (signing with its time)")
    }
}
