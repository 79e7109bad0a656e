import Foundation
import HubReportAPI
import KioskControl
import KioskCore
import KioskRuntime
import KioskStore
import Logging
import ServiceLifecycle
import Synchronization

/// The kiosk's partnership sync: a service in the daemon's group, on the kiosk's clock. Every `interval`, and on
/// `hubkiosk sync now`, it sends what changed; after a failure it backs off with full jitter (never giving up) and
/// honours `Retry-After`; a refusal that waiting cannot fix stops it, keeps the counts, and alerts staff. It also
/// keeps the database lean and private: settled rows lose their exact times, acknowledged old presses are purged.
public final class SyncService: Service, SyncControl {
    let files: SyncFiles
    let database: KioskDatabase
    let settings: SyncSettings
    let clock: any KioskClock
    let timeZone: HubTimeZone
    let version: String
    let kiosk: KioskService
    let logger: Logger
    let wakeup = Wakeup()
    private let state: Mutex<State>

    struct State {
        var status: ControlAPI.SyncStatus
        /// Attempts begun, and the number of the last one finished. A `sync now` waits for one begun after it
        /// asked: an attempt already in flight read the tallies before the presses it is meant to send.
        var started = 0
        var finished = 0
        var nextWaiter = 0
        var waiters: [Int: (after: Int, continuation: CheckedContinuation<ControlAPI.SyncStatus?, Never>)] = [:]
    }

    /// How long settled rows keep exact times: past the press rules' longest window and the clock correction.
    let coarsenAfter: TimeInterval

    public init(
        stateDirectory: String, database: KioskDatabase, settings: SyncSettings, clock: any KioskClock,
        timeZone: HubTimeZone, rules: PressRules, version: String, kiosk: KioskService, logger: Logger
    ) {
        self.files = SyncFiles(stateDirectory: stateDirectory)
        self.database = database
        self.settings = settings
        self.clock = clock
        self.timeZone = timeZone
        self.version = version
        self.kiosk = kiosk
        self.logger = logger
        coarsenAfter = KioskDatabase.coarseningAge(for: rules)
        state = Mutex(
            State(status: ControlAPI.SyncStatus(state: "not-enrolled", granularity: settings.resolution.rawValue)))
    }

    // MARK: - SyncControl

    public func status() async -> ControlAPI.SyncStatus {
        var status = state.withLock { $0.status }
        status.backlog = try? database.unacknowledgedBucketCount(settings.resolution)
        return status
    }

    public func syncNow(timeout: Duration) async -> ControlAPI.SyncStatus {
        let after = state.withLock { $0.started }
        wakeup.signal()
        let waited = await withTaskGroup(of: ControlAPI.SyncStatus?.self) { group in
            group.addTask { await self.waitForAttempt(after: after) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if let waited { return waited }
        return await status()
    }

    /// The status once an attempt begun after the `after`th has finished; nil if cancelled first.
    func waitForAttempt(after: Int) async -> ControlAPI.SyncStatus? {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ControlAPI.SyncStatus?, Never>) in
                let done = state.withLock { state -> ControlAPI.SyncStatus?? in
                    if state.finished > after { return .some(state.status) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = (after, continuation)
                    return .none
                }
                if let done { continuation.resume(returning: done) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(returning: nil)
        }
    }

    // MARK: - Running

    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.loop() }
    }

    private func loop() async {
        var failures = 0
        var clockOffset = 0
        var stopped = false
        var next: MonotonicInstant? = clock.now
        var lastMaintenance: MonotonicInstant?
        var connection: (enrolment: SyncEnrolment, transport: SyncTransport)?
        while !Task.isCancelled {
            let forced = await self.waitForTurn(until: next ?? self.clock.now + self.settings.interval)
            if Task.isCancelled { break }
            state.withLock { $0.started += 1 }
            if lastMaintenance.map({ self.clock.now - $0 >= self.settings.interval }) ?? true {
                self.maintain()
                lastMaintenance = self.clock.now
            }
            // The enrolment is read each turn: `hubkiosk sync enrol` then `sync now` needs no restart.
            let enrolment: SyncEnrolment
            let transport: SyncTransport
            let key: HubPrivateKey
            do {
                guard let current = try self.files.enrolment() else {
                    self.update { $0.state = "not-enrolled" }
                    self.completeAttempt()
                    next = nil
                    continue
                }
                enrolment = current
                if stopped && !forced && connection?.enrolment == enrolment { continue }
                if let open = connection, open.enrolment == enrolment {
                    transport = open.transport
                } else {
                    if let old = connection?.transport { await old.shutdown() }
                    connection = nil
                    transport = try SyncTransport(
                        address: try ServiceAddress(enrolment.service), trust: enrolment.trust, files: self.files,
                        timeout: self.settings.requestTimeout)
                    connection = (enrolment, transport)
                    failures = 0
                }
                key = try self.files.privateKey()
            } catch {
                self.finish(
                    .stopped(error.description, whatToDo: "enrol again: hubkiosk sync enrol URL CODE"),
                    enrolment: try? self.files.enrolment(), failures: failures, next: nil, offset: clockOffset)
                stopped = true
                next = nil
                continue
            }
            self.update { $0.state = "syncing" }
            let engine = SyncEngine(
                database: self.database, settings: self.settings, enrolment: enrolment, key: key,
                transport: transport, version: self.version, health: { await self.health() },
                wallNow: { self.clock.wall.date }, logger: self.logger)
            let outcome = await engine.attempt(clockOffset: &clockOffset)
            switch outcome {
            case .synced(let sent):
                if stopped || failures > 0 { self.kiosk.reportSyncProblem(nil) }
                if sent > 0 { self.logger.info("sync: \(sent) buckets acknowledged") }
                failures = 0
                stopped = false
                next = self.clock.now + self.settings.interval
                self.maintain()
            case .transient(let message, _, let retryAfter):
                failures += 1
                var delay = self.backoff(failures: failures)
                if let retryAfter, retryAfter > delay { delay = retryAfter }
                self.logger.warning(
                    "sync failed (it retries in \(delay.components.seconds) s): \(message)",
                    metadata: ["failures": "\(failures)"])
                next = self.clock.now + delay
            case .stopped(let message, let whatToDo):
                failures += 1
                stopped = true
                next = nil
                self.logger.error("sync stopped: \(message)", metadata: ["what-to-do": "\(whatToDo)"])
                self.kiosk.reportSyncProblem("\(message); \(whatToDo)")
            }
            self.finish(outcome, enrolment: enrolment, failures: failures, next: next, offset: clockOffset)
        }
        if let transport = connection?.transport { await transport.shutdown() }
        resumeAllWaiters()
    }

    /// Waits until `deadline` or a `sync now`; true for the latter.
    func waitForTurn(until deadline: MonotonicInstant) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.wakeup.wait()
                return true
            }
            group.addTask {
                try? await self.clock.sleep(until: deadline)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    func backoff(failures: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return Self.backoff(failures: failures, base: settings.backoffBase, cap: settings.backoffCap, using: &generator)
    }

    /// Full jitter: a random delay between 0 and min(cap, base × 2^failures).
    static func backoff(
        failures: Int, base: Duration, cap: Duration, using generator: inout some RandomNumberGenerator
    ) -> Duration {
        let ceiling = min(cap.secondsDouble, base.secondsDouble * pow(2, Double(min(max(failures, 0), 30))))
        return .milliseconds(Int64(Double.random(in: 0...max(ceiling, 0.001), using: &generator) * 1000))
    }

    func health() async -> (printer: PrinterHealth, alerts: [AlertKind]) {
        let (printer, alerts) = await kiosk.healthSnapshot()
        return (Self.printerHealth(printer), alerts.compactMap(AlertKind.init))
    }

    static func printerHealth(_ status: PrinterStatus) -> PrinterHealth {
        if !status.online { return .offline }
        if status.coverOpen { return .coverOpen }
        if status.paperOut { return .paperOut }
        if status.cutterError { return .error }
        if status.paperNearEnd { return .paperLow }
        return .ready
    }

    /// Privacy at rest and purge: settled rows keep only their hour; raw rows of acknowledged old days go.
    func maintain() {
        do {
            let coarsened = try database.coarsenSettledRows(now: clock.wall.date, olderThan: coarsenAfter)
            if coarsened > 0 { logger.info("\(coarsened) settled rows now keep only their hour") }
            let today = timeZone.localDate(of: clock.wall.date)
            let purged = try database.purgeAcknowledgedRows(
                olderThanDays: settings.purgeAfterDays, today: today, resolution: settings.resolution)
            if purged > 0 { logger.info("purged \(purged) acknowledged raw rows (their tallies stay)") }
        } catch {
            logger.warning("database upkeep failed (it is tried again later): \(error.message)")
        }
    }

    // MARK: - Status

    func update(_ change: (inout ControlAPI.SyncStatus) -> Void) {
        state.withLock { change(&$0.status) }
    }

    func finish(
        _ outcome: SyncOutcome, enrolment: SyncEnrolment?, failures: Int, next: MonotonicInstant?, offset: Int
    ) {
        let now = clock.wall.date
        update { status in
            status.service = enrolment?.service
            status.hubID = enrolment?.hubID
            status.lastAttempt = Self.timestamp(now)
            status.failures = failures
            status.clockOffsetSeconds = offset == 0 ? nil : offset
            status.nextAttempt = next.map {
                Self.timestamp(now.addingTimeInterval(($0 - self.clock.now).secondsDouble))
            }
            switch outcome {
            case .synced:
                status.state = "idle"
                status.lastSuccess = Self.timestamp(now)
                status.lastError = nil
                status.whatToDo = nil
            case .transient(let message, let whatToDo, _):
                status.state = "retrying"
                status.lastError = message
                status.whatToDo = whatToDo
            case .stopped(let message, let whatToDo):
                status.state = "stopped"
                status.lastError = message
                status.whatToDo = whatToDo
            }
        }
        completeAttempt()
    }

    /// Counts an attempt, saves the status file, and answers the `sync now` callers that waited for it.
    func completeAttempt() {
        var status = state.withLock { $0.status }
        status.backlog = try? database.unacknowledgedBucketCount(settings.resolution)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if let data = try? encoder.encode(status) {
            do {
                try files.saveStatus(data)
            } catch {
                logger.debug("\(error.description)")
            }
        }
        let ready = state.withLock { state -> [CheckedContinuation<ControlAPI.SyncStatus?, Never>] in
            state.finished = state.started
            let due = state.waiters.filter { $0.value.after < state.finished }
            for id in due.keys { state.waiters.removeValue(forKey: id) }
            return due.values.map(\.continuation)
        }
        for waiter in ready { waiter.resume(returning: status) }
    }

    func resumeAllWaiters() {
        let status = state.withLock { $0.status }
        let waiters = state.withLock { state in
            defer { state.waiters.removeAll() }
            return state.waiters.values.map(\.continuation)
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
