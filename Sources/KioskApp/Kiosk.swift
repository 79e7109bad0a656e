import ESCPOS
import Foundation
import KioskConfig
import KioskControl
import KioskCore
import KioskFeed
import KioskHardware
import KioskRuntime
import KioskSimulator
import KioskStore
import KioskSync
import KioskWeb
import Logging
import ServiceLifecycle

/// A started kiosk: database open, backend built, services ready to run in a `ServiceGroup`.
public final class Kiosk: Sendable {
    public let setup: KioskSetup
    public let database: KioskDatabase
    public let service: KioskService
    public let simulator: SimulatorBackend?
    /// The board's hardware, when the backend is "board".
    public let board: BoardBackend?
    /// What start-up found wrong with the database and repaired, if anything.
    public let recovery: RecoveryReport?
    /// The control socket, if the kiosk serves one.
    public let controlSocket: String?
    /// Everything to run, in start order (the kiosk first, so the control socket only opens onto a ready kiosk).
    public let services: [any Service]
    /// The partnership sync (idle until the kiosk is enrolled).
    public let sync: SyncService
    /// Keeps the directory of services current (pulls, reloads, imports).
    public let directory: DirectoryUpdater
    /// The staff pages, when `[web]` asks for them (and the kiosk serves its control socket).
    public let web: WebPages?
    private let lock: StateDirectoryLock
    private let runtimeLink: RuntimeLink?

    /// Opens the state directory and database and builds the backend. `clock` nil means the system clock.
    /// With `control` the kiosk serves its control socket in the state directory, and with `runtimeLink` links it
    /// from the per-user runtime folder so that `hubkiosk` finds it without flags.
    public init(
        setup: KioskSetup,
        clock: (any KioskClock)? = nil,
        control: Bool = true,
        pages: Bool = true,
        runtimeLink linkFromRuntimeDirectory: Bool = true,
        makeID: @escaping @Sendable () -> UUID = { UUID() },
        directoryFetcher: FeedFetcher? = nil,
        notifier: SystemdNotifier = SystemdNotifier(environment: [:]),
        logger: Logger
    ) throws(StartupError) {
        self.setup = setup
        let configuration = setup.configuration
        for warning in setup.directoryWarnings {
            logger.warning("directory \(configuration.directoryFile): \(warning)")
        }
        if let notice = setup.directoryNotice { logger.warning("directory: \(notice)") }
        do {
            lock = try StateDirectoryLock(directory: setup.stateDirectory, logger: logger)
        } catch {
            throw StartupError(error)
        }
        let system = SystemClock(trustWallClock: configuration.trustClock)
        // The simulator with pages gets a clock its page can move forward (demos); otherwise the system's.
        let clock: any KioskClock =
            clock
            ?? (configuration.backend == .simulator && configuration.web != nil && pages
                ? DemoClock(base: system) : system)
        let buttons: any ButtonSource
        let indicator: any Indicator
        let printer: any ReceiptPrinter
        switch configuration.backend {
        case .simulator:
            let simulator: SimulatorBackend
            do {
                simulator = try SimulatorBackend(
                    layout: configuration.layout, rules: configuration.rules, profile: configuration.printerProfile,
                    clock: clock, outputDirectory: setup.simulatorOutput, hold: configuration.simulator.hold,
                    logger: logger)
            } catch {
                throw StartupError(
                    message: "cannot create the simulator's output folder \(setup.simulatorOutput): \(error)",
                    exitCode: 73)
            }
            for folder in [setup.simulatorOutput, (setup.simulatorOutput as NSString).appendingPathComponent("slips")] {
                StateDirectoryLock.restrict(folder: folder, logger: logger)
            }
            self.simulator = simulator
            self.board = nil
            (buttons, indicator, printer) = (simulator.buttons, simulator.indicator, simulator.printer)
        case .board:
            let board = try BoardBackend.make(configuration: configuration, logger: logger)
            self.simulator = nil
            self.board = board
            (buttons, indicator, printer) = (board.buttons, board.lights, board.printer)
            Task { await board.printer.refresh() }
        }
        // The hardware is in place: only now is the database opened (and repaired if it was damaged).
        do {
            (database, recovery) = try KioskDatabase.openRecovering(path: setup.databasePath)
        } catch {
            // Never damage (that is repaired above): a disk, folder, lock or memory condition. Nothing was changed.
            throw StartupError(
                message: "cannot open the database; nothing was changed, and every count is still there once this is "
                    + "fixed: \(error.description)", exitCode: 73)
        }
        if let recovery { logger.error("\(recovery)") }
        // The same renderer as `hubkiosk slip preview`; printers without QR firmware get libqrencode images.
        let renderer = SlipRenderer(
            configuration: configuration, directory: setup.directory,
            checkedOn: setup.directoryState.checkedAt.map { configuration.hub.timeZone.localDate(of: $0) })
        service = KioskService(
            configuration: RuntimeConfiguration(
                hubID: configuration.hub.id, layout: configuration.layout, rules: configuration.rules,
                timeZone: configuration.hub.timeZone),
            buttons: buttons, indicator: indicator, printer: printer, clock: clock, database: database,
            renderer: renderer, makeID: makeID, statusReporter: { notifier.status($0) }, logger: logger)
        // The alert of a replaced database is stored in the fresh one: the service shows it until acknowledged.

        sync = SyncService(
            stateDirectory: setup.stateDirectory, database: database,
            settings: SyncSettings(
                interval: configuration.sync.interval,
                resolution: configuration.sync.granularity == .day ? .day : .hour,
                purgeAfterDays: configuration.sync.purgePressesAfterDays,
                requestTimeout: configuration.sync.requestTimeout),
            clock: clock, timeZone: configuration.hub.timeZone, rules: configuration.rules,
            version: HubKioskVersion.current, kiosk: service, logger: logger)

        directory = DirectoryUpdater(
            setup: setup, kiosk: service, clock: clock, fetcher: directoryFetcher, logger: logger)

        var services: [any Service] = [service]
        if control, pages, let settings = configuration.web {
            web = try WebPages(
                web: settings, configuration: configuration, stateDirectory: setup.stateDirectory, service: service,
                database: database, simulator: simulator, sync: sync, directory: directory, logger: logger)
        } else {
            web = nil
        }
        if control {
            let socket = ControlSocketLocator.socketPath(stateDirectory: setup.stateDirectory)
            // We hold the state directory's lock: a socket file left here is from a daemon that died.
            unlink(socket)
            let link = linkFromRuntimeDirectory ? RuntimeLink(target: socket, logger: logger) : nil
            var webSetup: (@Sendable () async -> ControlAPI.WebSetupResponse)?
            if let pages = web { webSetup = { @Sendable in await pages.issueSetupCode() } }
            let server = ControlServer(
                service: service, simulator: simulator,
                info: .init(
                    configFile: configuration.file, stateDirectory: setup.stateDirectory,
                    backend: configuration.backend.rawValue, pid: getpid()),
                hubName: configuration.hub.name, layout: configuration.layout, sync: sync, directory: directory,
                webSetup: webSetup)
            do {
                services.append(
                    try server.service(socketPath: socket, logger: logger) {
                        chmod(socket, 0o660)
                        await link?.create()
                        logger.info("control socket ready", metadata: ["socket": "\(socket)"])
                        notifier.ready(status: "ready")
                    })
                if let web {
                    services.append(contentsOf: web.services { message in logger.error("\(message)") })
                    services.append(WebFirstCode(pages: web))
                }
            } catch {
                throw StartupError(message: "cannot serve the control socket \(socket): \(error)", exitCode: 73)
            }
            controlSocket = socket
            runtimeLink = link
        } else {
            controlSocket = nil
            runtimeLink = nil
        }
        // After the control server, so stopped before it at shutdown: a reload a client waits for is stopped first,
        // and the server's own stop does not wait on a pull.
        services.append(directory)
        // Last in, first stopped at shutdown: a sync in flight never delays the kiosk's own stop.
        services.append(sync)
        if let interval = notifier.watchdogInterval {
            services.append(WatchdogService(notifier: notifier, interval: interval, kiosk: service))
        }
        self.services = services
    }

    /// The file-creation mask hubkioskd sets in its `main` (a library never changes the process's umask): group
    /// may read, others get nothing. What the kiosk creates gets its mode explicitly whatever the umask.
    public static let fileCreationMask: mode_t = 0o027

    /// Removes the control socket and its runtime link (call after the services stopped).
    public func cleanUp() {
        board?.stop()
        runtimeLink?.remove()
        if let controlSocket { unlink(controlSocket) }
    }
}
