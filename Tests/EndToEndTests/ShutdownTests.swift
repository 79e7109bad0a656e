import ESCPOS
import Foundation
import KioskApp
import KioskConfig
import KioskCore
import KioskRuntime
import KioskSimulator
import KioskStore
import KioskTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// Keeps every log message (level and text), and yields each message's text to `messages`.
struct RecordingLogHandler: LogHandler {
    final class Box: Sendable {
        let lines = Mutex<[(Logger.Level, String)]>([])
        let messages: AsyncStream<String>
        let continuation: AsyncStream<String>.Continuation
        init() { (messages, continuation) = AsyncStream.makeStream(of: String.self) }
    }

    let box: Box
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        box.lines.withLock { $0.append((event.level, "\(event.message)")) }
        box.continuation.yield("\(event.message)")
    }
}

/// A service that runs until graceful shutdown, as the control socket and the sync do in the daemon's group.
struct IdleService: Service {
    func run() async throws {
        try? await gracefulShutdown()
    }
}

/// The kiosk in a `ServiceGroup` as the daemon runs it (the kiosk first, two services after it), on a printer the
/// test holds and a manual clock.
struct StoppingKiosk {
    let state = TemporaryDirectory()
    let clock = ManualClock()
    let printer = HangingPrinter()
    let buttons: SimulatedButtons
    let service: KioskService
    let group: ServiceGroup
    let running: Task<Void, any Error>
    let log = RecordingLogHandler.Box()
    var databasePath: String { state.file("hubkiosk.sqlite") }

    init() throws {
        let setup = try KioskSetup.load(configPath: Repository.exampleConfig, stateDirectoryFlag: state.path)
        let configuration = setup.configuration
        let database = try KioskDatabase(path: state.file("hubkiosk.sqlite"))
        buttons = SimulatedButtons(layout: configuration.layout, clock: clock, debounce: .milliseconds(30))
        let composer = SlipComposer(
            hubName: "Hub", directory: setup.directory, layout: configuration.layout, timeZone: .london)
        let box = log
        let logger = Logger(label: "t") { _ in RecordingLogHandler(box: box) }
        service = KioskService(
            configuration: RuntimeConfiguration(
                hubID: "h", layout: configuration.layout, rules: configuration.rules, timeZone: .london),
            buttons: buttons, indicator: SimulatedIndicator(clock: clock, logger: logger), printer: printer,
            clock: clock, database: database,
            renderer: SlipRenderer(composer: composer, encoder: ESCPOSEncoder(profile: .epsonTMT20II)),
            logger: logger)
        var groupLogger = Logger(label: "group")
        groupLogger.logLevel = .critical
        group = ServiceGroup(
            configuration: .init(
                services: [.init(service: service), .init(service: IdleService()), .init(service: IdleService())],
                logger: groupLogger))
        let group = self.group
        running = Task { try await group.run() }
    }

    /// Presses and releases `button`; returns how its slip was decided.
    func press(_ button: ButtonID) async throws -> PressOutcome.SlipDecision? {
        let id = try #require(buttons.down(button))
        guard case .acknowledged(let outcome) = await service.result(forEvent: id) else { return nil }
        clock.advance(by: .milliseconds(100))
        if let release = buttons.edge(button, .up) { _ = await service.result(forEvent: release.id) }
        return outcome.slip
    }

    /// Waits until the kiosk has stopped taking inputs and is finishing what it has (the log says so).
    func waitUntilStopping() async {
        for await message in log.messages where message.hasPrefix("kiosk stopping") { return }
    }

    /// The warnings and errors logged.
    var problems: [String] { log.lines.withLock { $0.filter { $0.0 >= .warning }.map(\.1) } }
}

@Suite("Graceful shutdown (SIGTERM)")
struct ShutdownTests {
    @Test(
        "A slip at a stalled printer at SIGTERM is finished and recorded as printed, and the stop is recorded clean",
        arguments: 0..<20)
    func slipInFlight(run: Int) async throws {
        let kiosk = try StoppingKiosk()
        #expect(try await kiosk.press("food") == .printing)
        for await _ in kiosk.printer.arrivals { break }
        await kiosk.group.triggerGracefulShutdown()
        // The printer takes the slip again while the kiosk stops (odd runs: once it is finishing what it has).
        if run % 2 == 1 { await kiosk.waitUntilStopping() }
        kiosk.printer.release()
        try await kiosk.running.value

        let reopened = try KioskDatabase(path: kiosk.databasePath)
        #expect(reopened.lastShutdown == .clean)
        #expect(try reopened.allSlips().map(\.status) == ["printed"])
        #expect(try reopened.totals().visits == 1)
        #expect(kiosk.problems.isEmpty, "\(kiosk.problems)")
    }

    @Test(
        "A slip waiting out the slip interval at SIGTERM is printed when its time comes, before the kiosk stops",
        arguments: 0..<10)
    func deferredSlip(run: Int) async throws {
        let kiosk = try StoppingKiosk()
        kiosk.printer.release()
        #expect(try await kiosk.press("food") == .printing)
        kiosk.clock.advance(by: .seconds(1))
        #expect(try await kiosk.press("money") == .deferred)
        await kiosk.group.triggerGracefulShutdown()
        await kiosk.waitUntilStopping()
        kiosk.clock.advance(by: .seconds(5))
        try await kiosk.running.value

        let reopened = try KioskDatabase(path: kiosk.databasePath)
        #expect(reopened.lastShutdown == .clean)
        let slips = try reopened.allSlips()
        #expect(slips.map(\.needs) == [["food"], ["money"]])
        #expect(slips.map(\.status) == ["printed", "printed"])
        #expect(kiosk.printer.printed == 2)
        #expect(kiosk.problems.isEmpty, "\(kiosk.problems)")
    }
}

@Suite("Cancellation while a slip is at the printer")
struct CancelledStopTests {
    @Test(
        "The group cancelled (a service failed) while a slip is at a stalled printer: its result and the clean stop are still recorded",
        arguments: 0..<10)
    func cancelledWithSlipInFlight(run: Int) async throws {
        let kiosk = try StoppingKiosk()
        #expect(try await kiosk.press("food") == .printing)
        for await _ in kiosk.printer.arrivals { break }
        kiosk.running.cancel()
        if run % 2 == 1 { await kiosk.waitUntilStopping() }
        kiosk.printer.release()
        _ = try? await kiosk.running.value

        let reopened = try KioskDatabase(path: kiosk.databasePath)
        #expect(reopened.lastShutdown == .clean)
        #expect(try reopened.allSlips().map(\.status) == ["printed"])
        #expect(try reopened.totals().visits == 1)
    }
}
