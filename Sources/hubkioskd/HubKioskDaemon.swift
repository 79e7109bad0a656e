import ArgumentParser
import Foundation
import KioskApp
import KioskConfig
import KioskCore
import KioskHardware
import KioskRuntime
import Logging
import ServiceLifecycle
import UnixSignals

/// The HubKiosk daemon: drives the kiosk's buttons, lights and printer, and stores every press.
@main
struct HubKioskDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hubkioskd",
        abstract: "Run the HubKiosk check-in kiosk.",
        discussion: """
            Reads the configuration and the directory of services, opens the database in the state directory and \
            runs until SIGTERM or SIGINT (it then finishes the slip in flight and exits 0).
            """,
        version: "hubkioskd \(HubKioskVersion.current) (libgpiod API v\(GPIOChip.apiVersion), "
            + "\(GPIOChip.kernelDebounce ? "kernel" : "software") debounce)")

    @Option(name: .long, help: "The configuration file.")
    var config: String = ProcessInfo.processInfo.environment["HUBKIOSK_CONFIG"] ?? KioskConfiguration.defaultPath

    @Option(
        name: .customLong("state-dir"),
        help: "Where the database and the simulator's output live (default: $STATE_DIRECTORY, then state_dir).")
    var stateDirectory: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: Logger.Level = .info

    @Flag(
        name: .long,
        help: "Check the configuration and the directory, print every warning, then exit (non-zero on errors only).")
    var check = false

    func run() async throws {
        SystemMemory.limitMallocArenas()
        // Whatever umask the daemon was started with (by hand, say), what it creates is 0750 for folders and 0640
        // for files at most: the counts are not for every user of the board. Only the executable sets it.
        _ = umask(Kiosk.fileCreationMask)
        // A printer or client that goes away mid-write is an error to handle, not a signal that ends the kiosk.
        signal(SIGPIPE, SIG_IGN)
        // SIGHUP reloads the directory once the kiosk runs; before that (start-up) it must not end the process.
        signal(SIGHUP, SIG_IGN)
        let level = logLevel
        LoggingSystem.bootstrap { label in JournalLogHandler(label: label, level: level) }
        let logger = Logger(label: "hubkioskd")
        do {
            let setup = try KioskSetup.load(configPath: config, stateDirectoryFlag: stateDirectory, fileOnly: check)
            if check {
                // Errors stopped `load` already (exit 78); warnings are printed, and still exit 0.
                for line in setup.warningLines() { print(line) }
                let warnings = setup.directoryWarnings.count
                print(
                    "\(setup.configuration.file): ok (\(setup.directory.services.count) services)"
                        + (warnings == 0 ? "" : ", \(warnings) warning\(warnings == 1 ? "" : "s")"))
                return
            }
            let kiosk = try Kiosk(setup: setup, notifier: SystemdNotifier(), logger: logger)
            logger.info(
                "starting",
                metadata: [
                    "config": "\(setup.configuration.file)", "state-dir": "\(setup.stateDirectory)",
                    "backend": "\(setup.configuration.backend.rawValue)", "hub": "\(setup.configuration.hub.id)",
                ])
            let group = ServiceGroup(
                configuration: .init(
                    services: kiosk.services.map { .init(service: $0) },
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger))
            defer { kiosk.cleanUp() }
            // SIGHUP re-reads the directory's source (the file, or a pull of the feed), as `directory reload` does.
            let hangups = Task {
                for await _ in await UnixSignalsSequence(trapping: .sighup) {
                    logger.info("SIGHUP: reloading the directory")
                    await kiosk.directory.reloadFromSignal()
                }
            }
            defer { hangups.cancel() }
            try await group.run()
        } catch let error as StartupError {
            FileHandle.standardError.write(Data("hubkioskd: \(error.message)\n".utf8))
            throw ExitCode(error.exitCode)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
