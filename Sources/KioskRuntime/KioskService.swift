import Foundation
import KioskCore
import KioskStore
import Logging
import ServiceLifecycle
import Synchronization

/// The kiosk: turns button edges into stored presses, lights and slips. One per daemon, the same on the board and
/// on the simulator.
///
/// Inputs (buttons, timers, printer, staff) are handled one at a time, in order, by a single loop: the state
/// machine decides, the database commits, and only then are lights set, slips printed and presses acknowledged.
/// Nothing runs while the kiosk is idle: a timer exists only while there is a deadline (a visit to end, a slip to
/// print later, a button to check for being stuck).
public actor KioskService: Service {
    /// What a caller waiting for a press (the control socket, a scenario) is told.
    public enum PressResult: Sendable {
        /// Stored; the outcome says how it counted.
        case acknowledged(PressOutcome)
        /// Not stored: the press is not acknowledged and staff are alerted.
        case failed(StoreError)
        /// The edge was not a new press (a bounce, or a button the kiosk does not have).
        case ignored
    }

    enum Input: Sendable {
        case button(ButtonEvent)
        case tick
        case staffSlip([NeedCode], CheckedContinuation<Result<UUID, StoreError>, Never>)
        case slipFinished(UUID, SlipResult)
        /// The printer's condition may have changed: read it.
        case printerChanged
        case acknowledgeAlerts
        case flush(CheckedContinuation<Void, Never>)
        /// The database was found damaged (and replaced at start, or by the check while running): tell staff
        /// until they acknowledge it.
        case databaseDamaged(String)
        /// The sync needs staff (a message) or works again (nil).
        case syncProblem(String?)
        /// The directory needs staff (a message) or no longer does (nil).
        case directoryProblem(String?)
    }

    public nonisolated let configuration: RuntimeConfiguration
    let buttons: any ButtonSource
    let indicator: any Indicator
    let printer: any ReceiptPrinter
    public nonisolated let clock: any KioskClock
    let database: KioskDatabase
    let logger: Logger

    private var machine: KioskStateMachine
    private let inbox: AsyncStream<Input>
    private let inboxContinuation: AsyncStream<Input>.Continuation
    let printJobs: AsyncStream<SlipJob>
    private let printJobsContinuation: AsyncStream<SlipJob>.Continuation
    let printerState: Mutex<PrinterStatus>
    let renderer: Mutex<SlipRenderer>

    private var timer: Task<Void, Never>?
    private var timerDeadline: MonotonicInstant?
    private var retryNotBefore: MonotonicInstant?
    private var results: [UInt64: PressResult] = [:]
    private var resultOrder: [UInt64] = []
    private var waiters: [UInt64: [CheckedContinuation<PressResult?, Never>]] = [:]
    /// The last failed write, kept until a write succeeds (an input with nothing to store does not clear it).
    private var lastStorageError: StoreError?
    /// The problems the check of the whole database found (empty: sound), once it has run.
    private var databaseCheckResult: [String]?
    private var databaseCheckDone = false
    private var databaseCheckWaiters: [CheckedContinuation<[String]?, Never>] = []
    private var inputsSinceTrim = 0
    /// Whether the wall clock was synchronised when last looked at; rows recorded before it synced are corrected
    /// when it does.
    private var clockSynchronized: Bool
    /// Told a one-line summary whenever the alerts change (systemd's STATUS=).
    private let statusReporter: (@Sendable (String) -> Void)?
    private var lastReportedStatus = ""
    private(set) var slipsInFlight = 0
    /// Slips the state machine holds back until the slip interval has passed (a press shortly after a slip):
    /// at shutdown the kiosk waits for their time (at most that interval) and prints them like the slip in flight.
    private var deferredSlips: Set<UUID> = []
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    let stopping = Mutex(false)
    /// The slips released at shutdown from the slip interval: printed even though the kiosk is stopping.
    let printAtStop = Mutex<Set<UUID>>([])

    public init(
        configuration: RuntimeConfiguration,
        buttons: any ButtonSource,
        indicator: any Indicator,
        printer: any ReceiptPrinter,
        clock: any KioskClock,
        database: KioskDatabase,
        renderer: SlipRenderer,
        makeID: @escaping @Sendable () -> UUID = { UUID() },
        statusReporter: (@Sendable (String) -> Void)? = nil,
        logger: Logger
    ) {
        self.configuration = configuration
        self.statusReporter = statusReporter
        self.clockSynchronized = clock.wall.synchronized
        self.buttons = buttons
        self.indicator = indicator
        self.printer = printer
        self.clock = clock
        self.database = database
        self.logger = logger
        self.machine = KioskStateMachine(
            layout: configuration.layout, rules: configuration.rules, timeZone: configuration.timeZone,
            bootID: clock.bootID, makeID: makeID)
        (inbox, inboxContinuation) = AsyncStream.makeStream(of: Input.self)
        (printJobs, printJobsContinuation) = AsyncStream.makeStream(of: SlipJob.self)
        printerState = Mutex(.ready)
        self.renderer = Mutex(renderer)
    }

    // MARK: - Running

    /// Runs until graceful shutdown (SIGTERM/SIGINT through the `ServiceGroup`): then it stops taking presses,
    /// finishes the slip in flight, commits what it has and returns.
    public func run() async throws {
        logger.info(
            "kiosk ready", metadata: ["buttons": "\(configuration.layout.buttons.count)", "boot": "\(clock.bootID)"])
        let events = buttons.events()
        let statuses = printer.statusUpdates()
        let forwardButtons = Task { [inboxContinuation] in
            for await event in events { inboxContinuation.yield(.button(event)) }
        }
        let forwardStatus = Task { [inboxContinuation] in
            for await _ in statuses { inboxContinuation.yield(.printerChanged) }
        }
        let printing = Task { await self.printLoop() }
        // Alerts kept in the database (a damaged database replaced) come back after a restart until acknowledged.
        do {
            for alert in try database.persistedAlerts() { await process(.databaseDamaged(alert.message)) }
        } catch {
            logger.warning("could not read the stored alerts: \(error.message)")
        }
        inboxContinuation.yield(.printerChanged)
        do {
            let marked = try await database.markApproximate(exceptBoot: clock.bootID)
            if marked > 0 {
                logger.notice("\(marked) presses from a boot whose clock never synchronised are marked approximate")
            }
        } catch {
            logger.warning("could not mark approximate times: \(error.message)")
        }
        rescheduleTimer()

        await withDiscardingTaskGroup { group in
            // The whole file is checked while the kiosk already serves, after every start: start-up does not grow
            // with the database, and damage is still found (and salvaged at the next start).
            if database.lastShutdown != .clean {
                logger.notice("the last stop was not clean (a power cut?): the database is checked in the background")
            }
            group.addTask { await self.checkDatabase() }
            await withGracefulShutdownHandler {
                await processInbox()
            } onGracefulShutdown: { [inboxContinuation] in
                inboxContinuation.finish()
            }
            group.cancelAll()
        }

        logger.info("kiosk stopping: finishing the slip in flight")
        forwardButtons.cancel()
        forwardStatus.cancel()
        await releaseDeferredSlips()
        timer?.cancel()
        stopping.withLock { $0 = true }
        printJobsContinuation.finish()
        let late = await printing.value
        // The group cancels the kiosk when another service fails, and GRDB refuses to write for a cancelled task:
        // the results of the slips that were printed and the clean stop are written from a task of their own.
        await Task { await self.recordStop(late) }.value
        logger.info("kiosk stopped")
    }

    private func recordStop(_ late: [(UUID, SlipResult)]) async {
        for (id, result) in late { await process(.slipFinished(id, result)) }
        do {
            try await database.markCleanShutdown()
        } catch {
            logger.warning("could not record the clean stop (the next start checks the database): \(error.message)")
        }
    }

    /// After the last input: a slip held back by the slip interval is sent to the printer when its time comes,
    /// instead of being dropped with the kiosk's state (its press was acknowledged with "a slip follows").
    /// Deadlines due before it (a stuck button, an alert's end) are handled too. The wait is bounded by the slip
    /// interval in real time as well, so that a clock that does not move (a test's) cannot hold the stop.
    private func releaseDeferredSlips() async {
        let waiting = deferredSlips
        defer { printAtStop.withLock { $0 = waiting.subtracting(deferredSlips) } }
        let interval = configuration.rules.slipInterval
        let giveUpAt = ContinuousClock.now + interval + .seconds(1)
        var ticks = 0
        while !deferredSlips.isEmpty, let deadline = machine.nextDeadline, ticks < 8 {
            ticks += 1
            if deadline > clock.now + interval { break }
            let reached = await withTaskGroup(of: Bool.self) { [clock] group in
                group.addTask { (try? await clock.sleep(until: deadline)) != nil }
                group.addTask {
                    try? await Task.sleep(until: giveUpAt, clock: .continuous)
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            guard reached else { break }
            await process(.tick)
        }
        if !deferredSlips.isEmpty {
            logger.warning("\(deferredSlips.count) slip(s) held back by the slip interval could not be sent at stop")
        }
    }

    private func processInbox() async {
        for await input in inbox {
            await process(input)
        }
    }

    /// Sends `input` to the loop; false if the kiosk is shutting down.
    @discardableResult
    nonisolated func submit(_ input: Input) -> Bool {
        if case .terminated = inboxContinuation.yield(input) { return false }
        return true
    }

    // MARK: - Handling one input

    private func process(_ input: Input) async {
        // Read before the clock: the reading may suspend, and the times below must be current.
        var printerStatus: PrinterStatus?
        if case .printerChanged = input { printerStatus = await printer.status() }
        let now = clock.now
        let wall = clock.wall
        if wall.synchronized && !clockSynchronized { await correctClock(now: now, wall: wall) }
        let machineInput: KioskStateMachine.Input
        var pressedEvent: ButtonEvent?
        switch input {
        case .button(let event):
            machineInput = .button(event, wall: clock.wallTime(of: event.at))
            if event.kind == .pressed { pressedEvent = event }
        case .tick:
            machineInput = .tick(now, wall: wall)
        case .staffSlip(let needs, _):
            machineInput = .staffSlip(needs: needs, at: now, wall: wall)
        case .slipFinished(let id, let result):
            machineInput = .slipFinished(id: id, result: result, at: now, wall: wall)
        case .printerChanged:
            let status = printerStatus ?? .ready
            printerState.withLock { $0 = status }
            machineInput = .printerStatus(status)
        case .acknowledgeAlerts:
            machineInput = .acknowledgeAlerts
        case .flush:
            machineInput = .tick(now, wall: wall)
        case .databaseDamaged(let message):
            machineInput = .databaseDamaged(message)
        case .syncProblem(let message):
            machineInput = .syncProblem(message)
        case .directoryProblem(let message):
            machineInput = .directoryProblem(message)
        }
        if case .acknowledgeAlerts = input {
            do {
                try await database.clearPersistedAlerts()
            } catch {
                logger.warning("could not clear the stored alerts (they return at the next start): \(error.message)")
            }
        }

        var next = machine
        let step = next.handle(machineInput)
        do {
            try await database.commit(step.records, timeZone: configuration.timeZone)
            machine = next
            retryNotBefore = nil
            // Only a write that succeeded shows that storing works again.
            if !step.records.isEmpty { lastStorageError = nil }
            await apply(step.effects)
            if let outcome = step.outcome {
                if outcome.slip == .deferred, let slip = outcome.slipID { deferredSlips.insert(slip) }
                logger.debug(
                    "press stored",
                    metadata: [
                        "button": "\(outcome.button)", "flags": "\(outcome.flags)", "slip": "\(outcome.slip.rawValue)",
                    ])
                resolve(outcome.eventID, .acknowledged(outcome))
            } else if case .button(let event) = input {
                resolve(event.id, .ignored)
            }
            if step.records.contains(where: { if case .visitEnded = $0 { true } else { false } }) {
                await idleMaintenance()
            }
            if case .staffSlip(_, let reply) = input {
                let job = step.effects.compactMap { effect -> UUID? in
                    if case .print(let job) = effect { return job.id }
                    return nil
                }.first
                reply.resume(returning: .success(job ?? UUID()))
            }
        } catch {
            logger.error(
                "could not store: \(error.message)",
                metadata: ["code": "\(error.code.rawValue)", "what-to-do": "\(error.hint)"])
            lastStorageError = error
            let failure = machine.handle(.storageFailed(error.message, button: pressedEvent?.button))
            await apply(failure.effects)
            retryNotBefore = now + .seconds(1)
            if let pressedEvent { resolve(pressedEvent.id, .failed(error)) }
            if case .staffSlip(_, let reply) = input { reply.resume(returning: .failure(error)) }
        }
        if case .flush(let reply) = input { reply.resume() }
        reportStatus()
        // A long busy spell without an idle moment: give freed memory back now and then, off this loop.
        inputsSinceTrim += 1
        if inputsSinceTrim >= 2000 {
            inputsSinceTrim = 0
            Task.detached(priority: .background) { SystemMemory.releaseFreeMemory() }
        }
        if case .slipFinished = input {
            slipsInFlight -= 1
            if slipsInFlight == 0 {
                for waiter in idleWaiters { waiter.resume() }
                idleWaiters.removeAll()
            }
        }
        rescheduleTimer()
    }

    /// The clock has just been synchronised: give this boot's earlier rows their true times.
    private func correctClock(now: MonotonicInstant, wall: WallClockReading) async {
        do {
            let corrected = try await database.correctTimes(
                bootID: clock.bootID, now: now, wall: wall.date, timeZone: configuration.timeZone)
            clockSynchronized = true
            logger.notice(
                "clock synchronised: corrected the times of \(corrected.presses) presses and \(corrected.visits) visits"
            )
        } catch {
            logger.warning("clock synchronised, but the times could not be corrected yet: \(error.message)")
        }
    }

    private func reportStatus() {
        guard let statusReporter else { return }
        let alerts = machine.activeAlerts
        let text = alerts.isEmpty ? "ready" : alerts.map(\.description).joined(separator: "; ")
        guard text != lastReportedStatus else { return }
        lastReportedStatus = text
        statusReporter(text)
    }

    /// Work kept off the press path and done when a visit ends, as nobody is at the kiosk: checkpoint the WAL
    /// into the database file and give freed memory back.
    private func idleMaintenance() async {
        do {
            try await database.checkpoint()
        } catch {
            logger.warning("checkpoint failed: \(error.message)")
        }
        SystemMemory.releaseFreeMemory()
        inputsSinceTrim = 0
    }

    private func apply(_ effects: [KioskEffect]) async {
        for effect in effects {
            switch effect {
            case .light(let light, let pattern):
                do {
                    try await indicator.set(light, to: pattern)
                } catch {
                    logger.warning("could not set light \(light) to \(pattern.rawValue): \(error)")
                }
            case .print(let job):
                deferredSlips.remove(job.id)
                slipsInFlight += 1
                printJobsContinuation.yield(job)
            }
        }
    }

    var currentAlerts: [StaffAlert] { machine.activeAlerts }
    var currentVisitExists: Bool { machine.currentVisit != nil }
    var currentLights: [LightID: LightPattern] { machine.lightStates }
    var storageErrorMessage: String? { lastStorageError?.description }

    /// Returns once no slip is waiting for or at the printer and every result is stored.
    public func waitUntilPrinted() async {
        if slipsInFlight == 0 { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    /// Tells staff about a damaged database until they acknowledge it (``acknowledgeAlerts()``).
    public nonisolated func reportDatabaseDamage(_ message: String) {
        submit(.databaseDamaged(message))
    }

    /// Shows staff that the partnership sync needs them (a message), or clears that alert (nil).
    public nonisolated func reportSyncProblem(_ message: String?) {
        submit(.syncProblem(message))
    }

    /// Shows staff that the directory needs them (a message), or clears that alert (nil).
    public nonisolated func reportDirectoryProblem(_ message: String?) {
        submit(.directoryProblem(message))
    }

    /// Prints every slip from now on with `renderer` (a new directory). A slip already being printed has its
    /// bytes and finishes as it was; the next one, even of the same visit, is composed with the new directory.
    public nonisolated func useRenderer(_ renderer: SlipRenderer) {
        self.renderer.withLock { $0 = renderer }
    }

    /// What the partnership sync reports with each batch: the printer's condition and the open alerts.
    public func healthSnapshot() -> (printer: PrinterStatus, alerts: [StaffAlert]) {
        (printerState.withLock { $0 }, currentAlerts)
    }

    /// Checks the whole database while the kiosk serves. Damage is shown to staff at once (status, LED), stored as
    /// an alert, and recorded so that the next start checks the file and salvages its rows into a fresh one.
    private func checkDatabase() async {
        let clock = ContinuousClock()
        let started = clock.now
        let problems: [String]
        do {
            problems = try await database.backgroundCheck()
        } catch {
            logger.warning("the database could not be checked: \(error.message)", metadata: ["hint": "\(error.hint)"])
            return finishDatabaseCheck(nil)
        }
        if Task.isCancelled { return finishDatabaseCheck(nil) }
        guard !problems.isEmpty else {
            logger.info("database check: sound", metadata: ["took": "\(clock.now - started)"])
            return finishDatabaseCheck([])
        }
        let message =
            "the database is damaged (\(problems.prefix(3).joined(separator: "; "))); restart the kiosk "
            + "(systemctl restart hubkioskd) to salvage its rows into a fresh file, the damaged one is kept"
        logger.error("\(message)")
        do {
            try await database.markDamaged()
            try await database.persistAlert(key: KioskDatabase.damageAlertKey, message: message)
        } catch {
            logger.error("could not record the damage in the database: \(error.message)")
        }
        // Through the inbox, in order with the other inputs (a test's flush after this sees the alert).
        submit(.databaseDamaged(message))
        finishDatabaseCheck(problems)
    }

    private func finishDatabaseCheck(_ problems: [String]?) {
        databaseCheckResult = problems
        databaseCheckDone = true
        for waiter in databaseCheckWaiters { waiter.resume(returning: problems) }
        databaseCheckWaiters.removeAll()
    }

    /// Waits until the check of the whole database after start has finished; returns the problems it found (empty:
    /// sound), nil if it could not run.
    public func databaseCheckFinished() async -> [String]? {
        if databaseCheckDone { return databaseCheckResult }
        return await withCheckedContinuation { databaseCheckWaiters.append($0) }
    }

    /// Reads the printer's condition now (after the simulator changed it), then returns.
    public func refreshPrinterStatus() async {
        submit(.printerChanged)
        await flush()
    }

    // MARK: - Timers

    private func rescheduleTimer() {
        var deadline = machine.nextDeadline
        if let deadline0 = deadline, let retry = retryNotBefore, deadline0 < retry { deadline = retry }
        // While the clock is not synchronised, look again every 30 s, so that a quiet kiosk corrects its times too.
        if !clockSynchronized {
            let check = clock.now + .seconds(30)
            if deadline.map({ check < $0 }) ?? true { deadline = check }
        }
        guard deadline != timerDeadline else { return }
        timer?.cancel()
        timerDeadline = deadline
        guard let deadline else {
            timer = nil
            return
        }
        timer = Task { [clock, inboxContinuation] in
            do {
                try await clock.sleep(until: deadline)
            } catch {
                return
            }
            inboxContinuation.yield(.tick)
        }
    }

    // MARK: - Waiting for answers

    private func resolve(_ eventID: UInt64, _ result: PressResult) {
        results[eventID] = result
        resultOrder.append(eventID)
        if resultOrder.count > 256 {
            results[resultOrder.removeFirst()] = nil
        }
        for waiter in waiters.removeValue(forKey: eventID) ?? [] { waiter.resume(returning: result) }
    }

    /// Waits until the press with button event `id` has been handled; nil if that takes longer than `timeout`.
    public func result(forEvent id: UInt64, timeout: Duration = .seconds(10)) async -> PressResult? {
        if let result = results[id] { return result }
        let timeoutTask = Task { [clock] in
            try? await clock.sleep(for: timeout)
            self.expireWaiter(id)
        }
        defer { timeoutTask.cancel() }
        return await withCheckedContinuation { continuation in
            waiters[id, default: []].append(continuation)
        }
    }

    private func expireWaiter(_ id: UInt64) {
        for waiter in waiters.removeValue(forKey: id) ?? [] { waiter.resume(returning: nil) }
    }

    // MARK: - Requests from staff

    /// Prints a slip for `needs` at once (staff at the desk); it counts nothing. Returns the slip's id.
    public func printStaffSlip(needs: [NeedCode]) async throws(StoreError) -> UUID {
        let result = await withCheckedContinuation { continuation in
            if !submit(.staffSlip(needs, continuation)) {
                continuation.resume(
                    returning: .failure(StoreError(code: .other, path: database.path, message: "the kiosk is stopping"))
                )
            }
        }
        return try result.get()
    }

    /// Clears the staff alerts (a fault is raised again if it is still there).
    public func acknowledgeAlerts() async {
        submit(.acknowledgeAlerts)
        await flush()
    }

    /// Returns once every input submitted before the call has been handled, and due deadlines processed.
    public func flush() async {
        await withCheckedContinuation { continuation in
            if !submit(.flush(continuation)) { continuation.resume() }
        }
    }
}
