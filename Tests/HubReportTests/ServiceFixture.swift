import Foundation
import HubReport
import HubReportAPI
import KioskCore
import KioskTestSupport
import Logging
import ServiceLifecycle
import Synchronization

/// A settable clock for the service (tests move time instead of sleeping).
final class TestClock: Sendable {
    private let seconds: Mutex<TimeInterval>

    init(_ date: Date = Date(timeIntervalSince1970: 1_796_126_400)) {  // 2026-12-01T12:00:00Z
        seconds = Mutex(date.timeIntervalSince1970)
    }

    var now: Date { Date(timeIntervalSince1970: seconds.withLock { $0 }) }
    var unix: Int64 { Int64(seconds.withLock { $0 }) }

    func advance(by interval: TimeInterval) { seconds.withLock { $0 += interval } }
}

/// A real store (a fresh one of each engine in ``StoreEngine/all``) and the real HTTP service on 127.0.0.1, on an
/// ephemeral port.
struct ServiceFixture: Sendable {
    let engine: StoreEngine
    let store: any ReportStore
    let clock: TestClock
    let client: RawHTTPClient

    /// Runs `body` against a running service, once per engine (SQLite, then PostgreSQL when configured), each on a
    /// fresh store; the service stops when `body` returns or throws. An error names the engine it happened on.
    static func run(
        settings: ReportServer.Settings = ReportServer.Settings(),
        engines: [StoreEngine] = StoreEngine.all,
        wrap: @Sendable (any ReportStore) -> any ReportStore = { $0 },
        _ body: @Sendable (ServiceFixture) async throws -> Void
    ) async throws {
        for engine in engines {
            do {
                try await engine.withStore { store, _ in
                    try await run(engine: engine, store: wrap(store), settings: settings, body)
                }
            } catch {
                throw FixtureError.failed(engine: engine.testDescription, error)
            }
        }
    }

    static func run(
        engine: StoreEngine, store: any ReportStore, settings: ReportServer.Settings,
        _ body: @Sendable (ServiceFixture) async throws -> Void
    ) async throws {
        let clock = TestClock()
        var settings = settings
        settings.port = 0
        var logger = Logger(label: "hubreport-test")
        logger.logLevel = .critical
        let server = ReportServer(
            store: store, partnership: .example, settings: settings, logger: logger, clock: { clock.now })
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        try await serving(
            [try server.application(onRunning: { portContinuation.yield($0) })], ports: ports, logger: logger
        ) { port in
            try await body(
                ServiceFixture(engine: engine, store: store, clock: clock, client: RawHTTPClient(port: port)))
        }
    }

    /// Runs `services` (one of which yields its port into `ports`), calls `body` with that port, then shuts them
    /// down, also when `body` throws.
    static func serving(
        _ services: [any Service], ports: AsyncStream<Int>, logger: Logger, _ body: (Int) async throws -> Void
    ) async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services.map { .init(service: $0) }, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw FixtureError.notStarted }
            do {
                try await body(port)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    enum FixtureError: Error {
        case failed(engine: String, any Error)
        case notStarted
        case enrolmentFailed(Int)
    }

    /// Creates hub `id` and returns its one-time code (made `age` seconds ago).
    func addHub(_ id: String, age: Int64 = 0) async throws -> String {
        let code = EnrolmentCode.make()
        let created = clock.unix - age
        _ = try await store.addHub(
            id: id, name: "Hub \(id)", codeHash: EnrolmentCode.hash(code), now: created,
            expiresAt: created + EnrolmentCode.lifetime)
        return code
    }

    /// `POST /v1/enrol` with `code` and `key`.
    func enrol(code: String, key: HubPrivateKey) async throws -> RawResponse {
        let body = try HubReportJSON.encode(
            EnrolmentRequest(code: code, publicKey: key.publicKey.base64, kioskVersion: "hubkiosk 0.1.0"))
        return try await client.send(
            "POST", "/v1/enrol", headers: [("Content-Type", "application/json")], body: body)
    }

    /// A hub enrolled as a kiosk would be: its own key pair, the code from `hub add`.
    func enrolledHub(_ id: String) async throws -> HubPrivateKey {
        let key = HubPrivateKey()
        let response = try await enrol(code: try await addHub(id), key: key)
        guard response.status == 200 else { throw FixtureError.enrolmentFailed(response.status) }
        return key
    }

    /// The header fields a kiosk signs `body` with.
    func signedHeaders(
        _ body: Data, hub: String, key: HubPrivateKey, method: String = "POST", target: String = "/v1/tallies",
        at time: Date? = nil
    ) throws -> [(String, String)] {
        let fields = try RequestSigner(keyID: hub, privateKey: key).sign(
            method: method, target: target, body: body, now: time ?? clock.now)
        return [("Content-Type", "application/json")] + fields.map { ($0.name, $0.value) }
    }

    /// `POST /v1/tallies` with `batch`, signed by `key` as a kiosk would.
    func send(_ batch: TallyBatch, key: HubPrivateKey) async throws -> RawResponse {
        let body = try HubReportJSON.encode(batch)
        return try await client.send(
            "POST", "/v1/tallies", headers: try signedHeaders(body, hub: batch.hubID, key: key), body: body)
    }

    /// Every bucket the store holds, as sent.
    func stored() async throws -> [StoredBucket] { try await store.buckets(BucketQuery()) }
}

/// Batches as a kiosk makes them.
enum Batches {
    static let health = KioskHealth(version: "hubkiosk 0.1.0", printer: .ready, openAlerts: [], backlog: 0)

    static func batch(_ hub: String, _ buckets: [TallyBucket], granularity: TallyGranularity = .hour) -> TallyBatch {
        TallyBatch(hubID: hub, granularity: granularity, buckets: buckets, health: health)
    }

    static func bucket(
        day: Int = 0, hour: Int? = 10, revision: UInt64, visits: Int, needs: [NeedCode: Int] = [:]
    ) -> TallyBucket {
        let date = LocalDate(year: 2026, month: 12, day: 1)!.adding(days: day)
        return TallyBucket(
            key: BucketKey(date: date, hour: hour), revision: revision,
            counts: TallyCounts(visits: visits, visitsByNeed: needs, slipsPrinted: visits, slipsNotPrinted: 0))
    }
}
