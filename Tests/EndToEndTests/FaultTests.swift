import ESCPOS
import Foundation
import GRDB
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

@Suite("Clock and storage faults")
struct FaultTests {
    @Test("A clock starting at 2023-01-01: 30 presses, then a jump of 500 days; the times are corrected")
    func clockJump() async throws {
        let state = TemporaryDirectory()
        let setup = try KioskSetup.load(configPath: Repository.exampleConfig, stateDirectoryFlag: state.path)
        let start = ISO8601DateFormatter().date(from: "2023-01-01T09:00:00Z")!
        let clock = ManualClock(wall: start, synchronized: false, bootID: "boot-a")
        let kiosk = try Kiosk(
            setup: setup, clock: clock, control: false, runtimeLink: false, logger: Logger(label: "t"))
        let running = Task { try await kiosk.service.run() }
        let buttons = kiosk.simulator!.buttons
        let needs: [ButtonID] = ["money", "food", "housing", "wellbeing", "social", "caring", "work", "checkin"]
        for i in 0..<30 {
            clock.advance(by: .seconds(i % 3 == 0 ? 70 : 4))
            let id = try #require(buttons.down(needs[i % needs.count]))
            guard case .acknowledged = await kiosk.service.result(forEvent: id) else {
                Issue.record("press \(i) not stored")
                return
            }
            clock.advance(by: .milliseconds(100))
            if let release = buttons.edge(needs[i % needs.count], .up) {
                _ = await kiosk.service.result(forEvent: release.id)
            }
        }
        await kiosk.service.flush()
        let before = try kiosk.database.allPresses()
        #expect(before.count == 30)
        #expect(before.allSatisfy { !$0.clockSynchronized && !$0.timeCorrected })
        #expect(before.allSatisfy { $0.pressedAt < ISO8601DateFormatter().date(from: "2023-01-02T00:00:00Z")! })

        // NTP arrives: the wall clock jumps 500 days ahead; monotonic time goes on.
        let synced = clock.wall.date.addingTimeInterval(500 * 86_400)
        clock.setWall(synced, synchronized: true)
        await kiosk.service.flush()
        let after = try kiosk.database.allPresses()
        #expect(after.allSatisfy { $0.timeCorrected && !$0.timeApproximate })
        let now = clock.now
        for press in after {
            let expected = synced.addingTimeInterval(-Double(now.nanoseconds - press.monotonicNanoseconds) / 1e9)
            #expect(abs(press.pressedAt.timeIntervalSince(expected)) < 0.001)
        }
        // The tallies moved to the true day, 500 days on.
        let report = try kiosk.database.tallyReport(hubID: "h", needs: [], grouping: .day)
        #expect(report.rows.map(\.period.label) == ["2024-05-15"])
        let visits = try kiosk.database.totals().visits
        #expect(report.rows.first?.visits == visits)
        running.cancel()
        _ = try? await running.value
    }

    @Test("Presses from a boot whose clock never synchronised are kept and marked approximate")
    func neverSynced() async throws {
        let state = TemporaryDirectory()
        let setup = try KioskSetup.load(configPath: Repository.exampleConfig, stateDirectoryFlag: state.path)
        let logger = Logger(label: "t")
        do {
            let clock = ManualClock(
                wall: ISO8601DateFormatter().date(from: "2023-01-01T09:00:00Z")!, synchronized: false, bootID: "boot-a")
            let kiosk = try Kiosk(setup: setup, clock: clock, control: false, runtimeLink: false, logger: logger)
            let running = Task { try await kiosk.service.run() }
            let id = try #require(kiosk.simulator!.buttons.down("food"))
            _ = await kiosk.service.result(forEvent: id)
            running.cancel()
            _ = try? await running.value
        }
        // The board restarts (another boot) with the clock synchronised.
        let clock = ManualClock(wall: Date(), synchronized: true, bootID: "boot-b")
        let kiosk = try Kiosk(setup: setup, clock: clock, control: false, runtimeLink: false, logger: logger)
        let running = Task { try await kiosk.service.run() }
        await kiosk.service.flush()
        let presses = try kiosk.database.allPresses()
        #expect(presses.count == 1, "never dropped")
        #expect(presses[0].timeApproximate && !presses[0].timeCorrected)
        #expect(try kiosk.database.totals().visits == 1, "still counted")
        running.cancel()
        _ = try? await running.value
    }

    @Test(
        "A database damaged on purpose: found by the check, then moved aside, its readable rows salvaged, staff alerted",
        arguments: [[10], [10, 25]])
    func damagedDatabase(damagedLeaves: [Int]) async throws {
        let state = TemporaryDirectory()
        let path = state.file("hubkiosk.sqlite")
        var pressIDs: [String] = []
        do {
            let database = try KioskDatabase(path: path)
            var records: [KioskRecord] = []
            let zone = HubTimeZone.london
            for i in 0..<3000 {
                let visit = UUID()
                let wall = WallClockReading(
                    date: Date(timeIntervalSince1970: 1_795_435_200 + Double(i * 120)), synchronized: true)
                let local = zone.local(of: wall.date)
                records.append(
                    .visitStarted(
                        VisitEntry(
                            id: visit, startedAt: wall, startedMonotonic: .init(nanoseconds: Int64(i) * 1_000_000_000),
                            bootID: "b", localDay: local.date, localHour: local.time.hour)))
                let pressID = UUID()
                pressIDs.append(pressID.uuidString.lowercased())
                records.append(
                    .press(
                        PressEntry(
                            id: pressID, button: "food", need: "food", at: wall,
                            monotonic: .init(nanoseconds: Int64(i) * 1_000_000_000), bootID: "b", flags: [],
                            visitID: visit, countsVisit: true, countsNeed: true)))
            }
            try database.commitSync(records, timeZone: zone)
            _ = try await database.checkpoint()
            try database.close()
        }
        // Find one leaf page of the press table (SQLite's dbstat table) and overwrite it with garbage: exactly the
        // rows on that page become unreadable.
        let (pages, pageSize, lostRows) = try await DatabaseQueue(path: path).read { db -> ([Int], Int, Int) in
            let leaves = try Row.fetchAll(
                db, sql: "SELECT pageno, ncell FROM dbstat WHERE name = 'press' AND pagetype = 'leaf' ORDER BY pageno")
            let chosen = damagedLeaves.map { leaves[$0] }
            return (
                chosen.map { $0["pageno"] }, try Int.fetchOne(db, sql: "PRAGMA page_size")!,
                chosen.reduce(0) { $0 + ($1["ncell"] as Int) }
            )
        }
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        for page in pages {
            try handle.seek(toOffset: UInt64((page - 1) * pageSize))
            try handle.write(contentsOf: Data(repeating: 0xA5, count: pageSize))
        }
        try handle.close()

        let setup = try KioskSetup.load(configPath: Repository.exampleConfig, stateDirectoryFlag: state.path)
        // The first start opens at once (nothing reads the damaged pages yet); the check of the whole file, run
        // while the kiosk serves, finds the damage and alerts staff.
        do {
            let kiosk = try Kiosk(
                setup: setup, clock: ManualClock(), control: false, runtimeLink: false, logger: Logger(label: "t"))
            #expect(kiosk.recovery == nil)
            let running = Task { try await kiosk.service.run() }
            let problems = await kiosk.service.databaseCheckFinished()
            #expect(problems?.isEmpty == false, "the background check finds the damage")
            await kiosk.service.flush()
            #expect(kiosk.simulator?.indicator.pattern(of: .staffAlert) == .error)
            running.cancel()
            _ = try? await running.value
        }
        // The next start checks the whole file first, keeps it aside and salvages its rows.
        let kiosk = try Kiosk(
            setup: setup, clock: ManualClock(), control: false, runtimeLink: false, logger: Logger(label: "t"))
        let running = Task { try await kiosk.service.run() }
        await kiosk.service.flush()
        let report = try #require(kiosk.recovery)
        #expect(FileManager.default.fileExists(atPath: report.movedTo))
        // Every press that can still be read from the damaged file, by its key, is salvaged: only rows on the
        // damaged pages are lost.
        let damaged = try DatabaseQueue(path: report.movedTo)
        let readable = Set(
            pressIDs.filter { id in
                (try? damaged.read { db in
                    try Row.fetchOne(
                        db, sql: "SELECT id FROM press WHERE id = ?", arguments: [KioskDatabase.storedKey(id)])
                }) != nil
            })
        // A damaged leaf can also hide the record next to it on its parent page (WITHOUT ROWID tables keep
        // records on interior pages too): at most one more row per damaged page.
        #expect(readable.count >= 3000 - lostRows - damagedLeaves.count, "the damage is no wider than the pages")
        let salvaged = Set(try kiosk.database.allPresses().map(\.id))
        #expect(readable.isSubset(of: salvaged), "every readable press is salvaged")
        #expect(salvaged.isSubset(of: Set(pressIDs)), "nothing is invented")
        #expect(3000 - salvaged.count <= lostRows + damagedLeaves.count, "only the damaged pages' rows are lost")
        #expect(report.salvaged["visit"] == 3000)
        #expect(!report.problem.isEmpty, "quick_check found the damage")
        #expect(try kiosk.database.integrityProblems().isEmpty)
        #expect(try kiosk.database.allPresses().count == report.salvagedPresses)
        let status = try await kiosk.service.status()
        #expect(status.alerts.contains { $0.description.contains("damaged") })
        // The kiosk works on.
        let id = try #require(kiosk.simulator!.buttons.down("money"))
        guard case .acknowledged = await kiosk.service.result(forEvent: id) else {
            Issue.record("press after recovery not stored")
            return
        }
        running.cancel()
        _ = try? await running.value
    }

    @Test("A file that is not a database at all is replaced, and the kiosk starts")
    func notADatabase() async throws {
        let state = TemporaryDirectory()
        _ = FileManager.default.createFile(
            atPath: state.file("hubkiosk.sqlite"), contents: Data(repeating: 0x42, count: 50_000))
        let (database, report) = try KioskDatabase.openRecovering(path: state.file("hubkiosk.sqlite"))
        #expect(report != nil)
        #expect(report?.salvagedPresses == 0)
        #expect(try database.integrityProblems().isEmpty)
    }

    @Test("Paper low: a short slip (name, phone, QR) and a staff alert")
    func paperLow() async throws {
        let kiosk = try InProcessKiosk(start: "2026-12-03T10:00")
        try await kiosk.driver.setPrinter(PrinterStatus(paperNearEnd: true))
        _ = try await kiosk.driver.press("food", hold: .milliseconds(100))
        await kiosk.driver.finish()
        let printed = try #require(kiosk.kiosk.simulator?.printer.printed.last)
        #expect(printed.receipt.lines.contains("Brae Street Community Pantry"))
        #expect(!printed.receipt.lines.contains { $0.hasPrefix("Open now") || $0.contains("Junction") })
        #expect(printed.receipt.lines.filter { $0.hasPrefix("Tel ") }.count == 2)
        #expect(printed.receipt.qrPayloads == ["https://braestreet.example.org/pantry"], "the lunch has no web address")
        #expect(try await kiosk.kiosk.service.status().alerts.contains(.paperLow))
        try await kiosk.stop()
    }
}

/// A printer that hangs until released, like one whose USB link stalled (or the VM's printer peer while paused),
/// and tells the test when a slip has reached it.
final class HangingPrinter: ReceiptPrinter {
    private let state = Mutex<(hung: Bool, waiting: [CheckedContinuation<Void, Never>], printed: Int)>((true, [], 0))
    /// Yields each time a slip reaches the printer (before it is held).
    let arrivals: AsyncStream<Void>
    private let arrived: AsyncStream<Void>.Continuation

    init() {
        (arrivals, arrived) = AsyncStream.makeStream(of: Void.self)
    }

    func print(_ bytes: [UInt8]) async throws {
        arrived.yield()
        await withCheckedContinuation { continuation in
            let resume = state.withLock { state -> Bool in
                if state.hung {
                    state.waiting.append(continuation)
                    return false
                }
                return true
            }
            if resume { continuation.resume() }
        }
        state.withLock { $0.printed += 1 }
    }

    func release() {
        let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.hung = false
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    var printed: Int { state.withLock { $0.printed } }

    func status() async -> PrinterStatus { .ready }

    func statusUpdates() -> AsyncStream<PrinterStatus> { AsyncStream { _ in } }
}

@Suite("A hung printer")
struct HungPrinterTests {
    @Test("Presses are stored while the printer hangs; slips that waited too long are not replayed")
    func noBulkReplay() async throws {
        let state = TemporaryDirectory()
        let setup = try KioskSetup.load(configPath: Repository.exampleConfig, stateDirectoryFlag: state.path)
        let configuration = setup.configuration
        let clock = ManualClock()
        let database = try KioskDatabase(path: state.file("hubkiosk.sqlite"))
        let buttons = SimulatedButtons(layout: configuration.layout, clock: clock, debounce: .milliseconds(30))
        let printer = HangingPrinter()
        let composer = SlipComposer(
            hubName: "Hub", directory: setup.directory, layout: configuration.layout, timeZone: .london)
        let service = KioskService(
            configuration: RuntimeConfiguration(
                hubID: "h", layout: configuration.layout, rules: configuration.rules, timeZone: .london),
            buttons: buttons, indicator: SimulatedIndicator(clock: clock, logger: Logger(label: "t")), printer: printer,
            clock: clock, database: database,
            renderer: SlipRenderer(composer: composer, encoder: ESCPOSEncoder(profile: .epsonTMT20II)),
            logger: Logger(label: "t"))
        let running = Task { try await service.run() }
        for button: ButtonID in ["food", "money", "housing"] {
            clock.advance(by: .seconds(61))
            let id = try #require(buttons.down(button))
            guard case .acknowledged(let outcome) = await service.result(forEvent: id) else {
                Issue.record("not acknowledged while the printer hangs")
                return
            }
            #expect(outcome.slip == .printing)
            clock.advance(by: .milliseconds(100))
            if let release = buttons.edge(button, .up) { _ = await service.result(forEvent: release.id) }
        }
        // The printer comes back 5 minutes later: the slip at the printer finishes, the ones queued behind it
        // are too old to print.
        clock.advance(by: .seconds(300))
        printer.release()
        await service.flush()
        await service.waitUntilPrinted()
        let slips = try database.allSlips()
        #expect(slips.map(\.status) == ["printed", "not_printed", "not_printed"])
        #expect(slips.dropFirst().allSatisfy { $0.reason?.hasPrefix("expired") == true })
        #expect(printer.printed == 1)
        let totals = try database.totals()
        let counts = try database.visitCounts()
        #expect(totals.visits == 3, "\(totals) \(counts)")
        running.cancel()
        _ = try? await running.value
    }
}
