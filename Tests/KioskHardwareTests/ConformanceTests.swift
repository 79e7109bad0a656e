import ESCPOS
import Foundation
import GPIOConformance
import KioskCore
import KioskHardware
import KioskSimulator
import Logging
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

let quiet: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return logger
}()

// MARK: - ReceiptPrinter

/// A printer under test and a way to make it run out of paper.
struct PrinterHarness: Sendable {
    let printer: any ReceiptPrinter
    /// The bytes the printer received.
    let received: @Sendable () -> [UInt8]
    /// Makes the printer report paper out (true) or paper back (false); nil if the link cannot report status.
    let setPaperOut: (@Sendable (Bool) async -> Void)?
    let close: @Sendable () -> Void
}

enum PrinterKind: String, CaseIterable, Sendable {
    case simulator
    /// The board's printer on a network printer's TCP port.
    case boardTCP
    /// The board's printer on a USB printer device (a FIFO here: it cannot answer status queries).
    case boardLinePrinter

    func make() throws -> PrinterHarness {
        switch self {
        case .simulator:
            let printer = try SimulatedPrinter(profile: .epsonTMT20II, outputDirectory: nil, logger: quiet)
            return PrinterHarness(
                printer: printer, received: { printer.printed.flatMap(\.bytes) },
                setPaperOut: { out in printer.setStatus(out ? .paperOutStatus : .ready) }, close: {})
        case .boardTCP:
            let listener = try TCPPrinterListener()
            let printer = BoardPrinter(
                transport: TCPTransport(host: "127.0.0.1", port: listener.port), recheckInterval: .milliseconds(100),
                logger: quiet)
            return PrinterHarness(
                printer: printer, received: { listener.peer.received },
                setPaperOut: { out in
                    listener.peer.setAnswer(4, out ? 0x72 : 0x12)
                    _ = await printer.refresh()
                },
                close: {
                    printer.stop()
                    listener.close()
                })
        case .boardLinePrinter:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lp-\(UUID().uuidString)")
                .path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            mkfifo(directory + "/lp0", 0o600)
            let reader = open(directory + "/lp0", O_RDONLY | O_NONBLOCK)
            let peer = FakePrinterPeer()
            let serving = PeerThread(peer, serving: reader)
            let printer = BoardPrinter(transport: USBLinePrinterTransport(path: directory + "/lp0"), logger: quiet)
            return PrinterHarness(
                printer: printer, received: { peer.received }, setPaperOut: nil,
                close: {
                    printer.stop()
                    serving.stop()
                    Glibc.close(reader)
                    try? FileManager.default.removeItem(atPath: directory)
                })
        }
    }
}

@Suite("ReceiptPrinter conformance")
struct ReceiptPrinterConformance {
    static var slip: [UInt8] {
        var document = SlipDocument()
        document.text("Brae Street Hub", SlipTextStyle(bold: true, size: .double, alignment: .center))
        document.text("Open now until 16:00 · £3.50")
        document.blocks.append(.qrCode("https://braestreet.example.org/pantry"))
        return ESCPOSEncoder(profile: .epsonTMT20II).encode(document)
    }

    @Test("A ready printer takes a slip's bytes exactly", arguments: PrinterKind.allCases)
    func prints(kind: PrinterKind) async throws {
        let harness = try kind.make()
        defer { harness.close() }
        #expect(await harness.printer.status().canPrint)
        try await harness.printer.print(Self.slip)
        let expected = Self.slip
        #expect(eventually { harness.received().firstRange(of: expected) != nil })
    }

    @Test(
        "Out of paper: the slip is refused with the reason, the change is reported, and so is paper back",
        arguments: PrinterKind.allCases.filter { $0 != .boardLinePrinter })
    func paperOut(kind: PrinterKind) async throws {
        let harness = try kind.make()
        defer { harness.close() }
        let updates = harness.printer.statusUpdates()
        var iterator = updates.makeAsyncIterator()
        await harness.setPaperOut?(true)
        let out = await iterator.next()
        #expect(out?.paperOut == true)
        #expect(await harness.printer.status().problem == "paper out")
        do {
            try await harness.printer.print(Self.slip)
            Issue.record("printed without paper")
        } catch let error as PrinterError {
            #expect(error.code == .paperOut)
        }
        #expect(harness.received().firstRange(of: Self.slip) == nil)
        await harness.setPaperOut?(false)
        let back = await iterator.next()
        #expect(back?.canPrint == true)
        try await harness.printer.print(Self.slip)
    }
}

// MARK: - ButtonSource and Indicator

@Suite("ButtonSource conformance")
struct ButtonSourceConformance {
    @Test("Simulator: a press and a release, in order, with increasing ids and times")
    func simulator() async throws {
        let clock = ManualClock()
        let buttons = SimulatedButtons(layout: .standard(), clock: clock, debounce: .milliseconds(30))
        var events = buttons.events().makeAsyncIterator()
        _ = buttons.down("food")
        clock.advance(by: .milliseconds(5))
        buttons.up("food")  // a bounce inside the debounce window
        buttons.edge("food", .down)
        clock.advance(by: .milliseconds(200))
        buttons.up("food")
        let press = await events.next()
        let release = await events.next()
        #expect(press?.kind == .pressed && release?.kind == .released)
        #expect(press?.button == "food")
        #expect(release!.id > press!.id && release!.at > press!.at)
    }

    @Test("Board (gpio-sim): an active-low button pressed and released", .enabled(if: GPIOSim.isAvailable))
    func board() async throws {
        let sim = try GPIOSim(names: ["HK_FOOD", "HK_MONEY"])
        let chip = try GPIOChip(path: sim.chipPath)
        try sim.setInput(0, high: true)
        let request = try chip.requestInputs(
            [0, 1], consumer: "hubkiosk-test", activeLow: true, bias: .pullUp,
            debounce: GPIOChip.kernelDebounce ? .milliseconds(5) : .zero)
        let mapper = ButtonEdgeMapper(
            buttons: [.init(chip: sim.chipPath, offset: 0): "food", .init(chip: sim.chipPath, offset: 1): "money"],
            debounce: GPIOChip.kernelDebounce ? .zero : .milliseconds(5), boottimeOffset: GPIOChip.boottimeOffset())
        let buttons = try GPIOButtons(requests: [request], mapper: mapper, logger: quiet)
        defer { buttons.stop() }
        var events = buttons.events().makeAsyncIterator()
        try sim.setInput(0, high: false)
        let press = await events.next()
        try await Task.sleep(for: .milliseconds(50))
        try sim.setInput(0, high: true)
        let release = await events.next()
        #expect(press?.button == "food" && press?.kind == .pressed)
        #expect(release?.kind == .released && release!.at > press!.at)
        #expect(try GPIOLineResolver.resolve(.name("HK_MONEY"), defaultChip: nil, key: "test").offset == 1)
    }
}

@Suite("Indicator conformance")
struct IndicatorConformance {
    @Test("Simulator: lights show the last pattern set")
    func simulator() async throws {
        let indicator = SimulatedIndicator(clock: ManualClock(), logger: quiet)
        try await indicator.set(.button("food"), to: .on)
        try await indicator.set(.staffAlert, to: .error)
        try await indicator.set(.button("food"), to: .off)
        #expect(indicator.pattern(of: .button("food")) == .off)
        #expect(indicator.pattern(of: .staffAlert) == .error)
    }

    @Test("Board (gpio-sim): an LED line follows its pattern", .enabled(if: GPIOSim.isAvailable))
    func board() async throws {
        let sim = try GPIOSim(names: ["HK_LED", "HK_ALERT"])
        let chip = try GPIOChip(path: sim.chipPath)
        let request = try chip.requestOutputs([0, 1], consumer: "hubkiosk-test", activeLow: false)
        let lights = GPIOLights(
            outputs: [
                .button("food"): .init(request: request, offset: 0), .staffAlert: .init(request: request, offset: 1),
            ],
            alertDevice: .led, logger: quiet)
        defer { lights.allOff() }
        try await lights.set(.button("food"), to: .on)
        #expect(try sim.outputValue(0))
        try await lights.set(.button("food"), to: .off)
        #expect(try !sim.outputValue(0))
        try await lights.set(.staffAlert, to: .attention)
        #expect(eventually { (try? sim.outputValue(1)) == true })
        #expect(eventually { (try? sim.outputValue(1)) == false }, "it blinks")
    }
}

@Suite("The board's printer")
struct BoardPrinterTests {
    @Test("Unplugged: slips are refused as offline; plugged in again: noticed without a restart, and printing works")
    func replug() async throws {
        let listener = try TCPPrinterListener()
        let port = listener.port
        let printer = BoardPrinter(
            transport: TCPTransport(host: "127.0.0.1", port: port, connectTimeout: .milliseconds(300)),
            recheckInterval: .milliseconds(100), logger: quiet)
        defer { printer.stop() }
        var updates = printer.statusUpdates().makeAsyncIterator()
        try await printer.print(Array("one\n".utf8))
        listener.close()
        await #expect(throws: PrinterError.self) { try await printer.print(Array("two\n".utf8)) }
        let offline = await updates.next()
        #expect(offline?.online == false)
        let again = try TCPPrinterListener(port: port)
        defer { again.close() }
        let back = await updates.next()
        #expect(back?.canPrint == true, "the recheck found it")
        try await printer.print(Array("three\n".utf8))
        #expect(eventually { again.peer.received.firstRange(of: Array("three\n".utf8)) != nil })
    }

    @Test("Paper running low is read after each slip")
    func paperLow() async throws {
        let listener = try TCPPrinterListener()
        defer { listener.close() }
        let printer = BoardPrinter(transport: TCPTransport(host: "127.0.0.1", port: listener.port), logger: quiet)
        defer { printer.stop() }
        try await printer.print(Array("one\n".utf8))
        #expect(await printer.status() == .ready)
        listener.peer.setAnswer(4, 0x1E)
        try await printer.print(Array("two\n".utf8))
        #expect(await printer.status().paperNearEnd)
        #expect(await printer.status().canPrint, "low is not out")
    }

    @Test("A printer that never answers status queries is asked once, then trusted")
    func silent() async throws {
        let listener = try TCPPrinterListener()
        defer { listener.close() }
        for n: UInt8 in 1...4 { listener.peer.setAnswer(n, nil) }
        let printer = BoardPrinter(transport: TCPTransport(host: "127.0.0.1", port: listener.port), logger: quiet)
        defer { printer.stop() }
        try await printer.print(Array("one\n".utf8))
        try await printer.print(Array("two\n".utf8))
        #expect(listener.peer.state.withLock { $0.statusQueries } == 1)
        #expect(eventually { listener.peer.received == Array("one\ntwo\n".utf8) })
    }
}
