import Foundation
import GRDB
import HubReport
import HubReportAPI
import KioskApp
import KioskControl
import KioskCore
import KioskRuntime
import KioskSimulator
import KioskStore
import KioskTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import KioskSync

/// The real `hubreport` service (SQLite store, HTTP on 127.0.0.1, an ephemeral port) in this process, on a clock the
/// test sets.
struct ReportService: Sendable {
    let folder = TemporaryDirectory()
    let store: SQLiteReportStore
    let port: Int
    let offset: Offset

    let secure: Bool

    var address: String { "\(secure ? "https" : "http")://127.0.0.1:\(port)" }

    /// Runs `body` with a service whose clock is `clock`'s wall time plus `offset` (settable).
    static func run<T: Sendable>(
        clock: any KioskClock, tls: ServerTLS? = nil, port: Int = 0,
        wrap: @Sendable (SQLiteReportStore) -> any ReportStore = { $0 },
        _ body: @Sendable (ReportService) async throws -> T
    ) async throws -> T {
        let folder = TemporaryDirectory()
        let store = try SQLiteReportStore(path: folder.file("hubreport.sqlite"))
        let offset = Offset()
        var logger = Logger(label: "hubreport-test")
        logger.logLevel = .critical
        let server = ReportServer(
            store: wrap(store), partnership: .example, settings: .init(port: port), logger: logger,
            clock: { clock.wall.date.addingTimeInterval(offset.seconds.withLock { $0 }) })
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [try server.application(tls: tls, onRunning: { portContinuation.yield($0) })], logger: logger)
        )
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw SyncTestError("the service did not start") }
            let service = ReportService(store: store, port: port, offset: offset, secure: tls != nil)
            do {
                let result = try await body(service)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    /// `hubreport hub add`: a hub and its one-time code.
    func addHub(_ id: String, now: Date) async throws -> String {
        let code = EnrolmentCode.make()
        let seconds = Int64(now.timeIntervalSince1970)
        _ = try await store.addHub(
            id: id, name: "Hub \(id)", codeHash: EnrolmentCode.hash(code), now: seconds,
            expiresAt: seconds + EnrolmentCode.lifetime)
        return code
    }
}

/// The service clock's offset from the kiosk's, in seconds.
final class Offset: Sendable {
    let seconds = Mutex<TimeInterval>(0)
}

struct SyncTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A store whose merges fail while `failing` is set (the service answers 503).
final class FlakyStore: ReportStore {
    let base: SQLiteReportStore
    let failing = Mutex(false)

    init(_ base: SQLiteReportStore) { self.base = base }

    func addHub(id: String, name: String, codeHash: Data, now: Int64, expiresAt: Int64) async throws -> HubRecord {
        try await base.addHub(id: id, name: name, codeHash: codeHash, now: now, expiresAt: expiresAt)
    }
    func enrol(
        codeHash: Data, publicKey: HubPublicKey, kioskVersion: String, now: Int64
    ) async throws
        -> EnrolmentOutcome
    {
        try await base.enrol(codeHash: codeHash, publicKey: publicKey, kioskVersion: kioskVersion, now: now)
    }
    func revokeHub(id: String, now: Int64) async throws -> HubRecord? { try await base.revokeHub(id: id, now: now) }
    func hubs() async throws -> [HubRecord] { try await base.hubs() }
    func merge(_ batch: TallyBatch, now: Int64) async throws -> TallyBatchResponse {
        if failing.withLock({ $0 }) { throw SyncTestError("the disk is on fire") }
        return try await base.merge(batch, now: now)
    }
    func buckets<State: Sendable>(
        _ query: BucketQuery, into initial: State, _ update: @escaping @Sendable (inout State, StoredBucket) -> Void
    ) async throws -> State { try await base.buckets(query, into: initial, update) }
    func ping() async throws { try await base.ping() }
    func publicKey(forHub keyID: String) async throws -> HubKeyLookupResult {
        try await base.publicKey(forHub: keyID)
    }
    func record(nonce: String, keyID: String, expiresAt: Int64, now: Int64) async throws -> Bool {
        try await base.record(nonce: nonce, keyID: keyID, expiresAt: expiresAt, now: now)
    }
}

extension InProcessKiosk {
    /// Enrols this kiosk with `service` as hub `id`, the way `hubkiosk sync enrol` does.
    func enrol(
        with service: ReportService, as id: String = "brae-street", replace: Bool = false,
        trust: SyncEnroller.TrustChoice = .none
    ) async throws {
        let code = try await service.addHub(id, now: clock.wall.date)
        _ = try await SyncEnroller(files: SyncFiles(stateDirectory: state.path), version: "test").enrol(
            service: service.address, code: code, trust: trust, replace: replace, owner: nil)
    }

    /// The kiosk's ledger as the service should hold it.
    func ledger() throws -> [BucketKey: TallyCounts] {
        var buckets: [BucketKey: TallyCounts] = [:]
        for bucket in try kiosk.database.ledgerBuckets(from: nil, to: nil, resolution: .hour) {
            buckets[BucketKey(date: bucket.day, hour: bucket.hour)] = TallyCounts(
                visits: bucket.visits, visitsByNeed: bucket.visitsByNeed, slipsPrinted: bucket.slipsPrinted,
                slipsNotPrinted: bucket.slipsNotPrinted)
        }
        return buckets
    }
}

extension ReportService {
    func held(_ hub: String) async throws -> [BucketKey: TallyCounts] {
        var buckets: [BucketKey: TallyCounts] = [:]
        for bucket in try await store.buckets(BucketQuery(hubID: hub)) { buckets[bucket.key] = bucket.counts }
        return buckets
    }
}

@Suite("Sync: the kiosk's side against the real service")
struct SyncTests {
    @Test("Every count of a busy morning reaches the service exactly, bucket by bucket and need by need")
    func busyMorningSyncs() async throws {
        let kiosk = try InProcessKiosk(start: "2026-12-03T09:00")
        try await ReportService.run(clock: kiosk.clock) { service in
            _ = try await kiosk.play("busy-morning")
            try await kiosk.enrol(with: service)
            let status = await kiosk.kiosk.sync.syncNow(timeout: .seconds(30))
            #expect(status.state == "idle", "\(status)")
            #expect(status.backlog == 0)
            let ledger = try kiosk.ledger()
            #expect(ledger.values.contains { $0.visits > 0 }, "the scenario made visits")
            #expect(try await service.held("brae-street") == ledger)
            // Nothing changed: the next sync sends no bucket and changes nothing.
            let again = await kiosk.kiosk.sync.syncNow(timeout: .seconds(30))
            #expect(again.state == "idle")
            #expect(try await service.held("brae-street") == ledger)
            let hub = try await service.store.hubs().first { $0.id == "brae-street" }
            #expect(hub?.health?.backlog == 0)
            #expect(hub?.lastSyncAt != nil)
        }
        try await kiosk.stop()
    }

    @Test("A revoked hub stops the sync with a staff alert and keeps every count; enrolling again sends them")
    func revokedHubStops() async throws {
        let kiosk = try InProcessKiosk(start: "2026-12-03T09:00")
        try await ReportService.run(clock: kiosk.clock) { service in
            try await kiosk.enrol(with: service)
            #expect(await kiosk.kiosk.sync.syncNow(timeout: .seconds(30)).state == "idle")
            _ = try await service.store.revokeHub(
                id: "brae-street", now: Int64(kiosk.clock.wall.date.timeIntervalSince1970))
            _ = try await kiosk.play("busy-morning")
            let stopped = await kiosk.kiosk.sync.syncNow(timeout: .seconds(30))
            #expect(stopped.state == "stopped", "\(stopped)")
            #expect(stopped.lastError?.contains("revoked") == true, "\(stopped.lastError ?? "")")
            #expect((stopped.backlog ?? 0) > 0, "the counts wait")
            let alerts = try await kiosk.kiosk.service.status().alerts
            #expect(alerts.contains { $0.key == "sync" }, "\(alerts)")
            #expect(try await service.held("brae-street").isEmpty)

            try await kiosk.enrol(with: service, replace: true)
            let resumed = await kiosk.kiosk.sync.syncNow(timeout: .seconds(30))
            #expect(resumed.state == "idle", "\(resumed)")
            #expect(try await service.held("brae-street") == kiosk.ledger())
            await kiosk.kiosk.service.flush()
            #expect(try await kiosk.kiosk.service.status().alerts.allSatisfy { $0.key != "sync" })
        }
        try await kiosk.stop()
    }

    @Test("A kiosk whose clock is an hour slow learns the service's time from the refusal and syncs")
    func learnsClockOffset() async throws {
        let kiosk = try InProcessKiosk(start: "2026-12-03T09:00")
        try await ReportService.run(clock: kiosk.clock) { service in
            try await kiosk.enrol(with: service)
            service.offset.seconds.withLock { $0 = 3600 }
            _ = try await kiosk.play("busy-morning")
            let status = await kiosk.kiosk.sync.syncNow(timeout: .seconds(30))
            #expect(status.state == "idle", "\(status)")
            let offset = try #require(status.clockOffsetSeconds)
            #expect(abs(offset - 3600) <= 2, "\(offset)")
            #expect(try await service.held("brae-street") == kiosk.ledger())
        }
        try await kiosk.stop()
    }

    @Test("A kiosk whose revisions went back (a database restored from a back-up) continues above the service's")
    func continuesAboveTheService() async throws {
        let kiosk = try InProcessKiosk(start: "2026-12-03T09:00")
        try await ReportService.run(clock: kiosk.clock) { service in
            _ = try await kiosk.play("busy-morning")
            try await kiosk.enrol(with: service)
            #expect(await kiosk.kiosk.sync.syncNow(timeout: .seconds(30)).state == "idle")
            let held = try await service.store.buckets(BucketQuery(hubID: "brae-street"))
            #expect(held.contains { $0.revision > 2 }, "a busy hour has many revisions")
            // The restored file hands out revisions from 1 again, and knows of no acknowledgement.
            let queue = try DatabaseQueue(path: kiosk.kiosk.setup.databasePath)
            try await queue.write { db in try db.execute(sql: "UPDATE ledger_hour SET revision = 1, acked_revision = 0")
            }
            try queue.close()
            // A visit in the busiest hour changes its counts under a revision the service has seen higher.
            _ = try await kiosk.driver.press("food", hold: .milliseconds(100))
            try await kiosk.driver.wait(until: .seconds(4 * 3600))
            let status = await kiosk.kiosk.sync.syncNow(timeout: .seconds(30))
            #expect(status.state == "idle", "\(status)")
            #expect(try await service.held("brae-street") == kiosk.ledger(), "the kiosk's counts are taken")
        }
        try await kiosk.stop()
    }

    @Test("The daemon keeps settled rows to the hour, enrolled or not: no exact time, no monotonic time")
    func privacyAtRest() async throws {
        let kiosk = try InProcessKiosk(start: "2026-12-03T09:00")
        _ = try await kiosk.play("busy-morning")
        let queue = try DatabaseQueue(path: kiosk.kiosk.setup.databasePath)
        let exactBefore = try await queue.read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM press WHERE pressed_at != CAST(pressed_at / 3600 AS INTEGER) * 3600")
        }
        #expect((exactBefore ?? 0) > 0, "the scenario's presses start with their exact times")
        // The exact times as SQLite writes a REAL: 8 bytes, big-endian IEEE 754.
        let exactTimes = try await queue.read { db in
            try Double.fetchAll(
                db, sql: "SELECT pressed_at FROM press WHERE pressed_at != CAST(pressed_at / 3600 AS INTEGER) * 3600")
        }
        let patterns = exactTimes.map { time in withUnsafeBytes(of: time.bitPattern.bigEndian) { Data($0) } }
        try await kiosk.driver.wait(until: .seconds(6 * 3600))
        _ = await kiosk.kiosk.sync.syncNow(timeout: .seconds(30))
        let (exact, monotonic, slips) = try await queue.read { db in
            (
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM press WHERE pressed_at != CAST(pressed_at / 3600 AS INTEGER) * 3600"),
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM press WHERE mono_ns != 0"),
                try Int.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) FROM slip WHERE requested_at != CAST(requested_at / 3600 AS INTEGER) * 3600")
            )
        }
        try queue.close()
        #expect(exact == 0, "no press keeps a time finer than its hour")
        // Nor do the files: not in free space, not in the write-ahead log.
        for suffix in ["", "-wal"] {
            guard let bytes = FileManager.default.contents(atPath: kiosk.kiosk.setup.databasePath + suffix) else {
                continue
            }
            let left = patterns.filter { bytes.range(of: $0) != nil }.count
            #expect(left == 0, "\(left) of \(patterns.count) exact times still in hubkiosk.sqlite\(suffix)")
        }
        #expect(monotonic == 0)
        #expect(slips == 0)
        // The counts are all still there.
        #expect(try kiosk.ledger().values.contains { $0.visits > 0 })
        try await kiosk.stop()
    }

    @Test("A failing service is retried after a backoff, and nothing is lost")
    func serviceFailureRetries() async throws {
        let kiosk = try InProcessKiosk(start: "2026-12-03T09:00")
        let flaky = Mutex<FlakyStore?>(nil)
        try await ReportService.run(
            clock: kiosk.clock,
            wrap: { base in
                let store = FlakyStore(base)
                flaky.withLock { $0 = store }
                return store
            }
        ) { service in
            try await kiosk.enrol(with: service)
            let store = try #require(flaky.withLock { $0 })
            store.failing.withLock { $0 = true }
            _ = try await kiosk.play("busy-morning")
            let failing = await kiosk.kiosk.sync.syncNow(timeout: .seconds(30))
            #expect(failing.state == "retrying", "\(failing)")
            #expect(failing.failures >= 1)
            #expect(failing.nextAttempt != nil)
            #expect((failing.backlog ?? 0) > 0)
            store.failing.withLock { $0 = false }
            let recovered = await kiosk.kiosk.sync.syncNow(timeout: .seconds(30))
            #expect(recovered.state == "idle", "\(recovered)")
            #expect(recovered.failures == 0)
            #expect(try await service.held("brae-street") == kiosk.ledger())
        }
        try await kiosk.stop()
    }

    @Test("The enrolment's files: a private key only the daemon reads, and an address it checks")
    func enrolmentFiles() async throws {
        let kiosk = try InProcessKiosk(start: "2026-12-03T09:00")
        try await ReportService.run(clock: kiosk.clock) { service in
            try await kiosk.enrol(with: service)
            let files = SyncFiles(stateDirectory: kiosk.state.path)
            let key = try FileManager.default.attributesOfItem(atPath: files.keyPath)
            #expect((key[.posixPermissions] as? Int) == 0o600)
            let folder = try FileManager.default.attributesOfItem(atPath: files.directory)
            #expect((folder[.posixPermissions] as? Int) == 0o750)
            let enrolment = try #require(try files.enrolment())
            #expect(enrolment.hubID == "brae-street")
            #expect(enrolment.trust == .loopback)
            // A second enrolment needs --replace, and an unknown code is refused with the service's words.
            await #expect(throws: SyncSetupError.self) { try await kiosk.enrol(with: service) }
            do {
                _ = try await SyncEnroller(files: files, version: "test").enrol(
                    service: service.address, code: "WRONG-CODE", trust: .none, replace: true, owner: nil)
                Issue.record("an unknown code enrolled")
            } catch let error as SyncSetupError {
                #expect(error.description.contains("refused"), "\(error)")
            }
            #expect(try files.enrolment() == enrolment, "a refused enrolment changes nothing")
        }
        try await kiosk.stop()
    }
}

@Suite("Sync: addresses, backoff and Retry-After")
struct SyncUnitTests {
    @Test(arguments: [
        "http://127.0.0.1:8470", "http://localhost:1", "http://[::1]:8470", "https://report.example.org",
        "https://report.example.org:8443/", "http://127.10.0.1",
    ])
    func acceptedAddresses(text: String) throws {
        _ = try ServiceAddress(text)
    }

    @Test(arguments: [
        ("http://report.example.org", "plain http"), ("http://192.168.1.5:8470", "plain http"),
        ("ftp://report.example.org", "https://"), ("https://report.example.org/v1", "no path"),
        ("https://user@report.example.org", "no path"), ("report.example.org", "not a service address"),
        ("https://report.example.org:0", "out of range"), ("", "not a service address"),
    ])
    func refusedAddresses(text: String, reason: String) {
        do {
            _ = try ServiceAddress(text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.description.contains(reason), "\(text): \(error)")
        }
    }
}

@Suite("Sync: backoff and Retry-After")
struct SyncBackoffTests {
    @Test("Full jitter stays between 0 and min(cap, base × 2^failures), and spreads over that range")
    func fullJitter() {
        var generator = SplitMix64(seed: 7)
        for failures in [1, 2, 5, 8, 9, 40, 1000] {
            let ceiling = min(300, pow(2, Double(min(failures, 30))))
            let delays = (0..<400).map { _ in
                SyncService.backoff(failures: failures, base: .seconds(1), cap: .seconds(300), using: &generator)
                    .secondsDouble
            }
            #expect(delays.allSatisfy { $0 >= 0 && $0 <= ceiling + 0.001 }, "failures \(failures)")
            #expect(delays.max()! > ceiling * 0.8, "reaches the top of its range")
            #expect(delays.min()! < ceiling * 0.2, "and the bottom: the hubs back from an outage spread out")
        }
    }

    @Test(
        "Retry-After in seconds or as an HTTP date, bounded to a day; anything else is ignored",
        arguments: [
            ("5", 5), ("0", 0), ("86400", 86_400), ("999999999", 86_400), ("-3", nil), ("soon", nil),
            ("Thu, 03 Dec 2026 09:00:30 GMT", 30), ("Thu, 03 Dec 2026 08:00:00 GMT", 0),
        ] as [(String, Int?)])
    func retryAfter(value: String, seconds: Int?) {
        let now = Date(timeIntervalSince1970: 1_796_288_400)  // 2026-12-03T09:00:00Z
        let response = SyncResponse(status: 429, headers: [("Retry-After", value)], body: Data())
        #expect(SyncEngine.retryAfter(response, now: now) == seconds.map { .seconds($0) }, "\(value)")
    }
}
