import ArgumentParser
import ESCPOS
import Foundation
import KioskApp
import KioskConfig
import KioskCore
import KioskRuntime
import KioskSimulator
import KioskStore
import Logging

/// Press → last slip byte handed to the printer, through the daemon's wiring on the simulator, beside a bare
/// SQLite insert + commit on the same disk. The two are measured in alternating blocks so drift hits both alike.
struct LatencyBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency", abstract: "Press → slip bytes at the printer, beside a bare SQLite commit.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Presses to measure (and as many bare commits).")
    var presses = 10_000

    @Option(help: "Presses per block; blocks of kiosk presses and bare commits alternate.")
    var block = 500

    func run() async throws {
        let directory = (common.dir as NSString).appendingPathComponent("latency-\(getpid())")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let setup = try KioskSetup.load(configPath: common.config, stateDirectoryFlag: directory)
        let configuration = setup.configuration
        var logger = Logger(label: "bench")
        logger.logLevel = .critical

        // The daemon's wiring, with the simulator and a manual clock (so that every press is a new visit that
        // prints: the slowest path), and a printer wrapper that notes when the bytes are handed over.
        let clock = ManualClock(wall: Date())
        let buttons = SimulatedButtons(
            layout: configuration.layout, clock: clock, debounce: configuration.rules.debounce)
        let indicator = SimulatedIndicator(clock: clock, logger: logger, keepHistory: 10)
        let printer = HandoffPrinter(
            inner: try SimulatedPrinter(profile: configuration.printerProfile, outputDirectory: nil, logger: logger))
        let database = try KioskDatabase(path: (directory as NSString).appendingPathComponent("hubkiosk.sqlite"))
        let composer = SlipComposer(
            hubName: configuration.hub.name, directory: setup.directory, layout: configuration.layout,
            timeZone: configuration.hub.timeZone, servicesPerNeed: configuration.slip.servicesPerNeed,
            maximumServices: configuration.slip.maximumServices)
        let service = KioskService(
            configuration: RuntimeConfiguration(
                hubID: configuration.hub.id, layout: configuration.layout, rules: configuration.rules,
                timeZone: configuration.hub.timeZone),
            buttons: buttons, indicator: indicator, printer: printer, clock: clock, database: database,
            renderer: SlipRenderer(composer: composer, encoder: ESCPOSEncoder(profile: configuration.printerProfile)),
            logger: logger)
        let running = Task { try await service.run() }
        let bare = try BareSQLite(path: (directory as NSString).appendingPathComponent("reference.sqlite"))

        let needButtons = configuration.layout.buttons.filter { $0.need != nil }.map(\.id)
        var handoffs = printer.handoffs.makeAsyncIterator()
        var kiosk: [Double] = []
        var reference: [Double] = []
        let wallClock = ContinuousClock()
        // Warm up: the first slips compile caches of the directory.
        var n = 0
        for round in 0..<(presses / block + 1) {
            let measured = round > 0
            for _ in 0..<block where measured {
                reference.append(try bare.insertAndCommit().milliseconds)
            }
            for _ in 0..<(measured ? block : 50) {
                let button = needButtons[n % needButtons.count]
                n += 1
                clock.advance(by: .seconds(61))
                await service.flush()
                let start = wallClock.now
                guard let event = buttons.down(button) else { throw BenchError("press was debounced") }
                guard let handedOver = await handoffs.next() else { throw BenchError("printer stream ended") }
                if measured { kiosk.append((handedOver - start).milliseconds) }
                guard case .acknowledged(let outcome)? = await service.result(forEvent: event),
                    outcome.slip == .printing
                else { throw BenchError("press \(n) did not print") }
                clock.advance(by: .milliseconds(100))
                buttons.up(button)
                await service.waitUntilPrinted()
            }
        }
        running.cancel()
        let kioskSummary = Summary(milliseconds: kiosk)
        let referenceSummary = Summary(milliseconds: reference)
        print(
            "Press latency, \(presses) presses, each a new visit that prints a slip (\(configuration.printerProfile.id))"
        )
        print(Summary.header)
        print(referenceSummary.row("bare SQLite insert + commit (WAL, synchronous=FULL)"))
        print(kioskSummary.row("kiosk: press → last slip byte at the printer"))
        print(
            "p99 difference: \(f(kioskSummary.p99 - referenceSummary.p99)) ms (target ≤ 2 ms); "
                + "p50 difference: \(f(kioskSummary.p50 - referenceSummary.p50)) ms")
        let totals = try database.totals()
        print("stored: \(totals.presses) presses, \(totals.slipsPrinted) slips printed")
    }
}

/// A printer that notes the moment each slip's bytes are handed to it, then passes them on.
final class HandoffPrinter: ReceiptPrinter {
    let inner: SimulatedPrinter
    let handoffs: AsyncStream<ContinuousClock.Instant>
    private let continuation: AsyncStream<ContinuousClock.Instant>.Continuation

    init(inner: SimulatedPrinter) {
        self.inner = inner
        (handoffs, continuation) = AsyncStream.makeStream(of: ContinuousClock.Instant.self)
    }

    func print(_ bytes: [UInt8]) async throws {
        continuation.yield(ContinuousClock.now)
        try await inner.print(bytes)
    }

    func status() async -> PrinterStatus { await inner.status() }

    func statusUpdates() -> AsyncStream<PrinterStatus> { inner.statusUpdates() }
}
