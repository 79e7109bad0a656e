import ESCPOS
import Foundation
import Hummingbird
import KioskApp
import KioskConfig
import KioskControl
import KioskCore
import KioskDirectory
import KioskFeed
import KioskRuntime
import KioskSimulator
import KioskStore
import KioskTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// A directory feed on loopback: ORUK v3 pages of services (list items without phones, which only
/// `/services/{id}` has) with an ETag, and the faults a test switches on.
final class FeedServer: Sendable {
    enum Mode: Sendable {
        case normal
        /// Every request answers 500.
        case failing
        /// Answers after `delay` (beyond the kiosk's timeout).
        case slow
        /// Answers with text that is not JSON.
        case invalid
        /// Serves only the first `keep` services (a feed that lost most of them).
        case shrunk(keep: Int)
    }

    struct State {
        var mode = Mode.normal
        var names: [String]
        var version = 1
        var requests: [String] = []
        var notModified = 0
    }

    /// The state, shared with the routes.
    final class Shared: Sendable {
        let mutex: Mutex<State>
        init(_ state: State) { mutex = Mutex(state) }
        func withLock<T: Sendable>(_ body: (inout State) -> T) -> T { mutex.withLock { body(&$0) } }
    }

    let state: Shared
    /// Pages of at most this many services; nil: one plain list (a feed that is one document).
    let pageSize: Int?
    private let group: ServiceGroup
    private let running: Task<Void, any Error>
    let port: Int

    var url: URL { URL(string: "http://127.0.0.1:\(port)/services")! }

    static func start(services: Int, pageSize: Int?) async throws -> FeedServer {
        let state = Shared(State(names: (1...services).map { "Feed Pantry \($0)" }))
        let router = Router()
        router.get("/services") { request, _ in try await FeedServer.list(request, state: state, pageSize: pageSize) }
        router.get("/services/:id") { request, context in
            try await FeedServer.detail(context.parameters.require("id"), state: state)
        }
        var logger = Logger(label: "feed")
        logger.logLevel = .critical
        let (ready, signal) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in signal.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let running = Task { try await group.run() }
        var port = 0
        for await value in ready {
            port = value
            break
        }
        return FeedServer(state: state, pageSize: pageSize, group: group, running: running, port: port)
    }

    private init(state: Shared, pageSize: Int?, group: ServiceGroup, running: Task<Void, any Error>, port: Int) {
        self.state = state
        self.pageSize = pageSize
        self.group = group
        self.running = running
        self.port = port
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }

    func set(_ mode: Mode) { state.withLock { $0.mode = mode } }

    static func service(_ index: Int, name: String, full: Bool) -> String {
        let phones = full ? #", "phones": [{"number": "0131 496 \#(String(format: "%04d", index))"}]"# : ""
        return """
            {"id": "svc-\(index)", "name": "\(name)", "status": "active", "url": "https://feed.example.org/\(index)",
             "attributes": [{"taxonomy_term": {"code": "food-bank", "name": "Food bank"}}],
             "service_at_locations": [{"location": {"addresses": [{"address_1": "\(index) Feed Street"}]}}],
             "schedules": [{"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": "08:00",
                            "closes_at": "20:00"}]\(phones)}
            """
    }

    static func fault(_ state: Shared, _ path: String) async throws -> Response? {
        let mode = state.withLock {
            $0.requests.append(path)
            return $0.mode
        }
        switch mode {
        case .failing: return Response(status: .internalServerError, body: .init(byteBuffer: .init(string: "down")))
        case .slow:
            try await Task.sleep(for: .seconds(15))
            return nil
        case .invalid:
            return Response(status: .ok, body: .init(byteBuffer: .init(string: "<html>maintenance</html>")))
        default: return nil
        }
    }

    static func list(_ request: Request, state: Shared, pageSize: Int?) async throws -> Response {
        if let fault = try await fault(state, request.uri.description) { return fault }
        let (names, version, mode) = state.withLock { ($0.names, $0.version, $0.mode) }
        let etag = "\"v\(version)\""
        if request.headers[.ifNoneMatch] == etag {
            state.withLock { $0.notModified += 1 }
            return Response(status: .notModified, headers: [.eTag: etag])
        }
        var served = names
        if case .shrunk(let keep) = mode { served = Array(names.prefix(keep)) }
        guard let pageSize else {
            let items = served.indices.map { service($0 + 1, name: served[$0], full: true) }
            return Response(
                status: .ok, headers: [.contentType: "application/json", .eTag: etag],
                body: .init(byteBuffer: .init(string: "[\(items.joined(separator: ",\n"))]")))
        }
        let page = Int(request.uri.queryParameters["page"].map(String.init) ?? "1") ?? 1
        let pages = max(1, (served.count + pageSize - 1) / pageSize)
        let slice = served.indices.dropFirst((page - 1) * pageSize).prefix(pageSize)
        let items = slice.map { service($0 + 1, name: served[$0], full: false) }.joined(separator: ",\n")
        let body = """
            {"total_items": \(served.count), "total_pages": \(pages), "page_number": \(page), "size": \(pageSize),
             "contents": [\(items)]}
            """
        return Response(
            status: .ok, headers: [.contentType: "application/json", .eTag: etag],
            body: .init(byteBuffer: .init(string: body)))
    }

    static func detail(_ id: String, state: Shared) async throws -> Response {
        if let fault = try await fault(state, "/services/\(id)") { return fault }
        let names = state.withLock { $0.names }
        guard id.hasPrefix("svc-"), let index = Int(id.dropFirst(4)), names.indices.contains(index - 1) else {
            return Response(status: .notFound)
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: .init(string: service(index, name: names[index - 1], full: true))))
    }
}

@Suite("The directory pulled from a feed, kept, and changed without a restart")
struct DirectoryFeedTests {
    /// The example configuration pulling `feed` (2 s timeouts), in `dir`.
    /// Pulls are weekly unless `pullEveryHours` says otherwise, so that a test moving the clock a day on does not
    /// race a scheduled pull with its own reloads.
    static func configuration(
        feed: URL, in dir: TemporaryDirectory, pullEveryHours: Int = 168, extra: String = ""
    ) throws -> String {
        var text = try String(contentsOfFile: Repository.exampleConfig, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "directory = \"directory.json\"",
            with: "directory = \"\(Repository.root.path)/Simulator/directory.json\"")
        text +=
            "\n[directory]\nsource = \"\(feed.absoluteString)\"\ntimeout_seconds = 5\npull_every_hours = \(pullEveryHours)\n"
            + extra
        try text.write(toFile: dir.file("kiosk.toml"), atomically: true, encoding: .utf8)
        return dir.file("kiosk.toml")
    }

    static func start(config: String, state: String) throws -> (Kiosk, ManualClock, ServiceGroup, Task<Void, any Error>)
    {
        let setup = try KioskSetup.load(configPath: config, stateDirectoryFlag: state)
        let clock = ManualClock(
            wall: setup.configuration.hub.timeZone.instant(
                of: LocalDate(iso: "2026-12-03")!, at: LocalTime(text: "10:00")!))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        // 5 s: long enough for a loaded 2-core test run, short beside the slow feed's 15 s.
        let fetcher = FeedFetcher(timeout: .seconds(5), retryDelays: [.milliseconds(50)], logger: logger)
        let kiosk = try Kiosk(
            setup: setup, clock: clock, control: false, runtimeLink: false, directoryFetcher: fetcher, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: kiosk.services.map { .init(service: $0) }, logger: logger))
        let running = Task { try await group.run() }
        return (kiosk, clock, group, running)
    }

    /// Presses and releases food, waits until the visit ended, and returns the printed slip's lines.
    static func slip(_ kiosk: Kiosk, _ clock: ManualClock) async throws -> [String] {
        let before = kiosk.simulator?.printer.printed.count ?? 0
        try await press(InProcessScenarioDriver(kiosk: kiosk, clock: clock))
        let printed = kiosk.simulator?.printer.printed ?? []
        #expect(printed.count == before + 1)
        return ESCPOSDecoder().decode(printed.last?.bytes ?? []).lines
    }

    /// A press of food, its release, and two minutes (the visit ends).
    static func press(_ driver: InProcessScenarioDriver) async throws {
        _ = try await driver.press("food", hold: .milliseconds(100))
        try await driver.wait(until: driver.clock.now - driver.start + .seconds(120))
        await driver.finish()
    }

    /// Waits (a minute at most: a loaded test run) until the kiosk uses the feed.
    static func waitForFeed(_ kiosk: Kiosk, _ feed: URL) async throws -> ControlAPI.DirectoryStatus {
        for _ in 0..<1200 {
            let status = await kiosk.directory.status()
            if status.inUse == feed.absoluteString { return status }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the kiosk never used the feed")
        return await kiosk.directory.status()
    }

    @Test(
        "Pages and details pulled at start; a 304, a change, 500s, a timeout, invalid JSON and a 90 % loss each keep the last good copy; a restart offline prints from it"
    )
    func feedLifecycle() async throws {
        let feed = try await FeedServer.start(services: 20, pageSize: 8)
        let dir = TemporaryDirectory()
        let config = try Self.configuration(feed: feed.url, in: dir)
        let state = dir.file("state")
        try await firstRun(feed: feed, config: config, state: state)
        let (kiosk, clock, group, running) = try Self.start(config: config, state: state)
        // A restart with the feed down: the last good copy, not the fallback file.
        var status = await kiosk.directory.status()
        #expect(status.inUse == feed.url.absoluteString)
        #expect(status.services == 20)
        let lines = try await Self.slip(kiosk, clock)
        #expect(lines.contains("Renamed Pantry"), "\(lines)")

        // Staff confirm the smaller copy: it is used.
        feed.set(.shrunk(keep: 2))
        let fetched = try await FeedFetcher(timeout: .seconds(30), logger: Logger(label: "test")).fetch(feed.url)
        guard case .fetched(let document, let format) = fetched.outcome else {
            Issue.record("no document")
            return
        }
        status = await kiosk.directory.apply(
            document: document, format: format.rawValue, label: feed.url.absoluteString, allowLoss: true)
        #expect(status.services == 2, "\(status)")
        #expect(status.heldBack == nil)
        await group.triggerGracefulShutdown()
        try await running.value
        kiosk.cleanUp()
        try await feed.stop()
    }

    /// The first run of ``feedLifecycle()``: it ends with the feed failing and the kiosk stopped.
    func firstRun(feed: FeedServer, config: String, state: String) async throws {
        let (kiosk, clock, group, running) = try Self.start(config: config, state: state)

        // At start there is no copy: the first pull follows all three pages and fetches each service's details.
        var status = try await Self.waitForFeed(kiosk, feed.url)
        #expect(status.services == 20)
        #expect(status.sourceKind == "feed")
        #expect(status.lastError == nil)
        let requests = feed.state.withLock { $0.requests }
        // Distinct requests: a loaded run may time out and ask again.
        #expect(
            Set(requests.filter { $0.hasPrefix("/services?") || $0 == "/services" })
                == ["/services", "/services?page=2", "/services?page=3"])
        #expect(Set(requests.filter { $0.hasPrefix("/services/svc-") }).count == 20)
        #expect(FileManager.default.fileExists(atPath: state + "/directory/current.json"))
        var lines = try await Self.slip(kiosk, clock)
        #expect(lines.contains { $0.hasPrefix("Feed Pantry") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("Tel 0131 496") }, "the phones only the details have: \(lines)")
        #expect(lines.contains("Opening times as of Thu 3 Dec"))

        // Unchanged: a paged feed is fetched whole (its first page's ETag says nothing of the others); no change, and
        // the check counts.
        clock.advance(by: .seconds(86_400))
        status = await kiosk.directory.reload()
        #expect(feed.state.withLock { $0.notModified } == 0)
        #expect(status.result?.contains("no changes") == true, "\(status)")
        lines = try await Self.slip(kiosk, clock)
        #expect(lines.contains("Opening times as of Fri 4 Dec"), "the check moved the as-of day: \(lines)")

        // A renamed service: used at once, the change said.
        feed.state.withLock {
            $0.names[0] = "Renamed Pantry"
            $0.version = 2
        }
        status = await kiosk.directory.reload()
        #expect(status.changes?.contains { $0.contains("renamed \"Feed Pantry 1\" to \"Renamed Pantry\"") } == true)
        #expect(status.lastError == nil)

        // Faults: each keeps the copy in use (20 services) and says why; slips still print from it.
        for (mode, expected) in [
            (FeedServer.Mode.failing, "answered 500"), (.slow, "did not answer"), (.invalid, "not valid JSON"),
        ] {
            feed.set(mode)
            status = await kiosk.directory.reload()
            #expect(status.services == 20)
            #expect(status.lastError?.contains(expected) == true, "\(mode): \(status.lastError ?? "no error")")
            lines = try await Self.slip(kiosk, clock)
            #expect(lines.contains("Renamed Pantry"), "\(mode): \(lines)")
        }

        // 90 % gone: held back for staff, with an alert; the copy in use stays.
        feed.state.withLock { $0.version = 3 }
        feed.set(.shrunk(keep: 2))
        status = await kiosk.directory.reload()
        #expect(status.services == 20)
        #expect(status.heldBack?.contains("--allow-loss") == true, "\(status)")
        let alerts = try await kiosk.service.status().alerts
        #expect(alerts.contains { $0.key == "directory" }, "\(alerts)")

        feed.set(.failing)
        await group.triggerGracefulShutdown()
        try await running.value
        kiosk.cleanUp()
    }

    @Test("A feed that is one document: a conditional pull answered 304 counts as a check; a change is fetched")
    func notModified() async throws {
        let feed = try await FeedServer.start(services: 4, pageSize: nil)
        let dir = TemporaryDirectory()
        let config = try Self.configuration(feed: feed.url, in: dir)
        let (kiosk, clock, group, running) = try Self.start(config: config, state: dir.file("state"))
        var status = try await Self.waitForFeed(kiosk, feed.url)
        #expect(status.services == 4)
        clock.advance(by: .seconds(86_400))
        status = await kiosk.directory.reload()
        #expect(feed.state.withLock { $0.notModified } == 1)
        #expect(status.result?.contains("not changed") == true, "\(status)")
        #expect(status.checkedAt == ISO8601DateFormatter().string(from: clock.wall.date))
        feed.state.withLock {
            $0.names[1] = "Second Pantry"
            $0.version = 2
        }
        status = await kiosk.directory.reload()
        #expect(
            status.changes?.contains { $0.contains("to \"Second Pantry\"") } == true,
            "\(status) \(feed.state.withLock { ($0.requests, $0.notModified, $0.version) })")
        await group.triggerGracefulShutdown()
        try await running.value
        kiosk.cleanUp()
        try await feed.stop()
    }

    @Test("A feed failing for longer than stale_after_days is a staff alert, said in the status; a good pull clears it")
    func staleness() async throws {
        let feed = try await FeedServer.start(services: 5, pageSize: 10)
        let dir = TemporaryDirectory()
        let config = try Self.configuration(
            feed: feed.url, in: dir, pullEveryHours: 24, extra: "stale_after_days = 3\n")
        let (kiosk, clock, group, running) = try Self.start(config: config, state: dir.file("state"))
        _ = try await Self.waitForFeed(kiosk, feed.url)
        func alert() async throws -> StaffAlert? {
            try await kiosk.service.status().alerts.first { $0.key == "directory" }
        }
        #expect(try await alert() == nil)
        feed.set(.failing)
        var found: StaffAlert?
        for _ in 0..<5 {
            clock.advance(by: .seconds(86_400))
            for _ in 0..<40 {
                found = try await alert()
                if found != nil { break }
                try await Task.sleep(for: .milliseconds(25))
            }
        }
        #expect(
            found?.description.contains("has not been checked against \(feed.url.absoluteString) since 2026-12-03")
                == true, "\(String(describing: found))")
        #expect(found?.description.contains("answered 500") == true)
        var status = await kiosk.directory.status()
        #expect(status.stale)
        #expect(status.services == 5)
        feed.set(.normal)
        status = await kiosk.directory.reload()
        #expect(!status.stale)
        for _ in 0..<100 where try await alert() != nil { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try await alert() == nil)
        await group.triggerGracefulShutdown()
        try await running.value
        kiosk.cleanUp()
        try await feed.stop()
    }

    @Test("Reload under load: every press during reloads gets its slip, each from a whole directory")
    func reloadUnderLoad() async throws {
        let dir = TemporaryDirectory()
        var text = try String(contentsOfFile: Repository.exampleConfig, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "directory = \"directory.json\"", with: "directory = \"\(dir.file("directory.json"))\"")
        try text.write(toFile: dir.file("kiosk.toml"), atomically: true, encoding: .utf8)
        func write(_ name: String) throws {
            let services = (1...5).map { FeedServer.service($0, name: "\(name) \($0)", full: true) }
            try "[\(services.joined(separator: ",\n"))]".write(
                toFile: dir.file("directory.json"), atomically: true, encoding: .utf8)
        }
        try write("Alpha")
        let (kiosk, clock, group, running) = try Self.start(config: dir.file("kiosk.toml"), state: dir.file("state"))
        let driver = InProcessScenarioDriver(kiosk: kiosk, clock: clock)
        let reloads = Task {
            for round in 0..<20 {
                try write(round % 2 == 0 ? "Beta" : "Alpha")
                _ = await kiosk.directory.reload()
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        for _ in 0..<40 { try await Self.press(driver) }
        try await reloads.value
        // The last reload (round 19 wrote Alpha) is what the next slip lists.
        try write("Beta")
        _ = await kiosk.directory.reload()
        try await Self.press(driver)
        // Every slip the simulator printed, from the files it writes (it keeps only the last few in memory).
        let folder = kiosk.setup.simulatorOutput + "/slips"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".escpos") }
        #expect(files.count == 41)
        let last = try #require(files.sorted().last)
        let lastLines = ESCPOSDecoder().decode(Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + last))))
            .lines
        #expect(lastLines.contains("Beta 1"), "\(lastLines)")
        for file in files {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file)))
            let lines = ESCPOSDecoder().decode(bytes).lines
            let alpha = lines.filter { $0.hasPrefix("Alpha ") }.count
            let beta = lines.filter { $0.hasPrefix("Beta ") }.count
            #expect((alpha == 3 && beta == 0) || (alpha == 0 && beta == 3), "one directory per slip: \(lines)")
        }
        let slips = try kiosk.database.allSlips()
        #expect(slips.count == 41)
        #expect(slips.allSatisfy { $0.status == "printed" })
        await group.triggerGracefulShutdown()
        try await running.value
        kiosk.cleanUp()
    }
}
