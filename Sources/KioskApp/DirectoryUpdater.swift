import Foundation
import KioskConfig
import KioskControl
import KioskCore
import KioskDirectory
import KioskFeed
import KioskHardware
import KioskRuntime
import Logging
import ServiceLifecycle

/// Keeps the kiosk's directory current without a restart: pulls a feed every night at `[directory] pull_at`, or every
/// `pull_every_hours` (and at start when the copy is a day old), re-reads the source on `hubkiosk directory reload` or SIGHUP, and applies
/// `hubkiosk directory import … --apply`. A new directory is used only if it is good: no errors, and not most
/// services gone at once (that waits for staff). The last good copy is kept in the state directory. A directory
/// not checked for `stale_after_days`, or a copy held back, is a staff alert.
///
/// Swapping the directory swaps the kiosk's slip renderer: a slip being printed has its bytes and finishes with
/// the old directory; every slip after it uses the new one.
public actor DirectoryUpdater: Service, DirectoryControl {
    let configuration: KioskConfiguration
    let files: DirectoryFiles
    let kiosk: KioskService
    let clock: any KioskClock
    let logger: Logger
    let fetcher: FeedFetcher
    private var directory: ServiceDirectory
    private var state: DirectoryState
    private var nextPull: Date?
    private var alert: String?
    private var sleeper: CheckedContinuation<Void, Never>?
    private var napID = 0
    /// The last operation queued: reload, apply and pulls run one at a time, in order.
    private var tail: Task<Void, Never>?
    /// The operations in progress or waiting, to stop at shutdown.
    private var operations: [Int: Task<ControlAPI.DirectoryStatus, Never>] = [:]
    private var operationCount = 0
    private var stopping = false
    /// The directory file's bytes to keep as the last good copy at start, if it is not already.
    private var copyToSave: [UInt8]?

    public init(
        setup: KioskSetup, kiosk: KioskService, clock: any KioskClock, fetcher: FeedFetcher? = nil, logger: Logger
    ) {
        configuration = setup.configuration
        files = DirectoryFiles(stateDirectory: setup.stateDirectory)
        self.kiosk = kiosk
        self.clock = clock
        self.logger = logger
        self.fetcher =
            fetcher
            ?? FeedFetcher(
                timeout: setup.configuration.directorySource.timeout,
                userAgent: "hubkiosk/\(HubKioskVersion.current)", logger: logger)
        directory = setup.directory
        state = setup.directoryState
        copyToSave = setup.directoryCopyToSave
        if let notice = setup.directoryNotice, setup.directoryState.lastError != nil { alert = notice }
    }

    var isFeed: Bool { configuration.directorySource.url != nil }

    // MARK: - Service

    public func run() async throws {
        useCurrent()
        if let alert { kiosk.reportDirectoryProblem(alert) }
        if let bytes = copyToSave {
            // The file as it was read and checked at start: the copy to fall back on if it later gains an error.
            copyToSave = nil
            state.copySource = configuration.directorySourceName
            save(copy: bytes)
        }
        if isFeed {
            // A copy older than a day (or none) is pulled at start; otherwise at the next quiet hour.
            let due = state.checkedAt.map { clock.wall.date.timeIntervalSince($0) >= 86_400 } ?? true
            nextPull = due ? clock.wall.date : scheduledPull(after: clock.wall.date)
        }
        await withGracefulShutdownHandler {
            await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    await self.turn()
                }
            }
        } onGracefulShutdown: {
            Task { await self.stopOperations() }
        }
    }

    /// One turn of the loop: a pull if one is due, else a look at staleness and a nap until the next pull (at
    /// most an hour) or a request that moved it.
    private func turn() async {
        let now = clock.wall.date
        if let due = nextPull, due <= now {
            _ = await serially { await self.pull(reason: "scheduled") }
            return
        }
        checkStaleness()
        let untilPull = nextPull.map { $0.timeIntervalSince(now) } ?? .infinity
        await nap(seconds: min(untilPull, 3600))
    }

    private func nap(seconds: Double) async {
        guard !Task.isCancelled else { return }
        napID += 1
        let id = napID
        let clock = self.clock
        let timer = Task {
            try? await clock.sleep(for: .milliseconds(Int64(max(seconds, 0) * 1000)))
            self.wakeUp(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in sleeper = continuation }
        } onCancel: {
            Task { await self.wakeUp(nil) }
        }
        timer.cancel()
    }

    /// Ends the nap `id` (nil: whichever is going on).
    private func wakeUp(_ id: Int?) {
        guard id == nil || id == napID, let sleeper else { return }
        self.sleeper = nil
        sleeper.resume()
    }

    /// The next `pull_at` in the hub's time after `date`, with a few minutes' spread so that a partnership's kiosks
    /// do not all ask at once.
    func scheduledPull(after date: Date) -> Date {
        if let hours = configuration.directorySource.pullEveryHours {
            return date.addingTimeInterval(Double(hours) * 3600 + Double.random(in: 0..<600))
        }
        let zone = configuration.hub.timeZone
        let (today, _) = zone.local(of: date)
        var candidate = zone.instant(of: today, at: configuration.directorySource.pullAt)
        if candidate <= date {
            candidate = zone.instant(of: today.adding(days: 1), at: configuration.directorySource.pullAt)
        }
        return candidate.addingTimeInterval(Double.random(in: 0..<600))
    }

    // MARK: - DirectoryControl

    public func status() async -> ControlAPI.DirectoryStatus { makeStatus(result: nil) }

    public func reload() async -> ControlAPI.DirectoryStatus {
        await serially {
            if await self.isFeed { return await self.pull(reason: "reload") }
            return await self.reloadFile()
        }
    }

    /// `reload()` for SIGHUP: what it did goes to the log.
    public func reloadFromSignal() async {
        let status = await reload()
        logger.info("directory reload (SIGHUP): \(status.result ?? status.lastError ?? "done")")
    }

    public func apply(
        document: [UInt8], format: String, label: String, allowLoss: Bool
    ) async -> ControlAPI.DirectoryStatus {
        // Not queued behind a pull that may take minutes (the client would give up, and it would apply unseen).
        guard operations.isEmpty else {
            return makeStatus(result: "a pull or reload is in progress; nothing was changed: try again in a minute")
        }
        return await serially {
            await self.use(
                document: document, format: DirectoryFormat(name: format) ?? .auto, origin: "import of \(label)",
                allowLoss: allowLoss, validators: nil)
        }
    }

    /// Runs `body` after every operation before it has finished. A caller that is cancelled (the loop at
    /// shutdown) cancels its operation; ``stopOperations()`` cancels every one (a reload a client is waiting for).
    private func serially(
        _ body: @escaping @Sendable () async -> ControlAPI.DirectoryStatus
    ) async -> ControlAPI.DirectoryStatus {
        guard !stopping else { return makeStatus(result: "the daemon is stopping; nothing was changed") }
        let previous = tail
        operationCount += 1
        let id = operationCount
        let task = Task {
            await previous?.value
            if Task.isCancelled { return self.makeStatus(result: "stopped: the daemon is stopping") }
            return await body()
        }
        operations[id] = task
        tail = Task { _ = await task.value }
        let status = await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
        operations[id] = nil
        // The next pull may have moved (a failed reload retries sooner): the loop looks again.
        wakeUp(nil)
        return status
    }

    /// At shutdown: every pull, reload or apply in progress or waiting is stopped, and no new one starts.
    private func stopOperations() {
        stopping = true
        for task in operations.values { task.cancel() }
        wakeUp(nil)
    }

    // MARK: - Pulling, reading, using

    private func pull(reason: String) async -> ControlAPI.DirectoryStatus {
        guard let url = configuration.directorySource.url else { return makeStatus(result: "no feed configured") }
        let started = clock.wall.date
        state.lastAttempt = started
        let validators = FeedValidators(etag: state.etag, lastModified: state.lastModified)
        let fetched: FeedFetch
        do {
            fetched = try await fetcher.fetch(
                url, format: configuration.directoryFormat,
                validators: state.origin == state.source && !validators.isEmpty ? validators : nil)
        } catch {
            return failed("the pull of \(url.absoluteString) failed: \(error.description)")
        }
        for note in fetched.notes { logger.warning("directory feed: \(note)") }
        switch fetched.outcome {
        case .notModified:
            state.checkedAt = clock.wall.date
            state.lastError = nil
            state.failures = 0
            nextPull = scheduledPull(after: clock.wall.date)
            save(copy: nil)
            useCurrent()
            logger.info("directory feed: not modified since the last pull (\(reason))")
            return makeStatus(result: "the feed has not changed; the directory is current")
        case .fetched(let document, let format):
            return use(
                document: document, format: format, origin: url.absoluteString, allowLoss: false,
                validators: fetched.validators, pages: fetched.pages)
        }
    }

    private func reloadFile() -> ControlAPI.DirectoryStatus {
        let file = configuration.directoryFile
        state.lastAttempt = clock.wall.date
        guard let bytes = FileManager.default.contents(atPath: file) else {
            return failed("cannot read \(file); the directory in use is kept")
        }
        return use(
            document: Array(bytes), format: configuration.directoryFormat, origin: file, allowLoss: true,
            validators: nil)
    }

    /// Decodes `document`; uses it if it has no errors and (unless `allowLoss`) loses no more than
    /// `max_loss_percent` of the active services; keeps the copy and the state.
    private func use(
        document: [UInt8], format: DirectoryFormat, origin: String, allowLoss: Bool, validators: FeedValidators?,
        pages: Int? = nil
    ) -> ControlAPI.DirectoryStatus {
        let needs = configuration.layout.needs
        let today = configuration.hub.timeZone.localDate(of: clock.wall.date)
        let result = DirectoryDecoder().decode(document, format: format, needs: needs, today: today)
        let errors = result.errors
        guard errors.isEmpty else {
            let first = errors[0]
            return failed(
                "\(origin) has \(errors.count) error\(errors.count == 1 ? "" : "s") (first: "
                    + "\(first.line.map { "line \($0): " } ?? "")\(first.serviceID.map { "service \"\($0)\", " } ?? "")"
                    + "\(first.field.isEmpty ? "" : "\(first.field): ")\(first.message)); the directory in use is kept; "
                    + "`hubkiosk directory check \(origin.hasPrefix("import of ") ? "FILE" : origin)"
                    + "\(isFeed ? " --save FILE" : "")` lists them all (fix it, then `hubkiosk directory reload`)")
        }
        let changes = DirectoryChanges(from: directory, to: result.directory)
        let percent = configuration.directorySource.maximumLossPercent
        // Against the copy in use, except a feed's first pull over the fallback file it started with.
        let replacingFallback = isFeed && state.origin == configuration.directoryFile
        let source = origin.hasPrefix("import of ") ? String(origin.dropFirst("import of ".count)) : origin
        if !allowLoss && !replacingFallback && changes.losesMost(percent: percent) {
            let message =
                "a new copy from \(source) has \(changes.activeAfter) active services where \(changes.activeBefore) "
                + "are in use: held back (more than \(percent) % gone at once); check the feed, then run `hubkiosk "
                + "directory import \(source) --apply --allow-loss` to use it"
            state.heldBack = message
            state.lastError = message
            state.failures += 1
            nextPull = scheduledPull(after: clock.wall.date)
            save(copy: nil)
            raise(message)
            logger.error("directory: \(message)")
            return makeStatus(result: message, changes: changes.lines())
        }
        let now = clock.wall.date
        directory = result.directory
        state = DirectoryState(
            origin: origin, source: configuration.directorySourceName, format: result.format.rawValue,
            services: result.directory.services.count, checkedAt: now,
            changedAt: changes.isEmpty ? (state.changedAt ?? now) : now, etag: validators?.etag,
            lastModified: validators?.lastModified, lastAttempt: now)
        if isFeed { nextPull = scheduledPull(after: now) }
        // Kept for restarts: offline (a feed), or after the file gained an error (a typo in a hand-kept file).
        state.copySource = configuration.directorySourceName
        save(copy: document)
        for warning in result.warnings.prefix(20) { logger.warning("directory \(origin): \(warning)") }
        useCurrent()
        clearAlert()
        let summary =
            "using \(origin): \(result.directory.services.count) services (\(changes.activeAfter) active)"
            + (pages.map { ", \($0) page\($0 == 1 ? "" : "s")" } ?? "") + "; \(changes.summary)"
            + (result.warnings.isEmpty ? "" : "; \(result.warnings.count) warnings in the log")
        logger.info("directory: \(summary)")
        return makeStatus(result: summary, changes: changes.lines())
    }

    private func failed(_ message: String) -> ControlAPI.DirectoryStatus {
        state.lastError = message
        state.failures += 1
        if isFeed {
            // 1, 2, 4 … minutes, at most an hour; the nightly pull goes on regardless.
            let minutes = min(60.0, pow(2.0, Double(min(state.failures - 1, 6))))
            let retry = clock.wall.date.addingTimeInterval(minutes * 60 * Double.random(in: 0.75...1.25))
            nextPull = min(retry, scheduledPull(after: clock.wall.date))
        }
        save(copy: nil)
        logger.error("directory: \(message)")
        checkStaleness()
        return makeStatus(result: message)
    }

    /// Hands the directory in use to the kiosk's renderer, with the day it was last checked for the slip.
    private func useCurrent() {
        let checkedOn = state.checkedAt.map { configuration.hub.timeZone.localDate(of: $0) }
        kiosk.useRenderer(SlipRenderer(configuration: configuration, directory: directory, checkedOn: checkedOn))
    }

    private func save(copy: [UInt8]?) {
        do {
            try files.write(copy: copy, state: state)
        } catch {
            logger.error("directory: \(error.description) (the directory in use is unaffected until a restart)")
        }
    }

    // MARK: - Staleness and the staff alert

    var isStale: Bool {
        guard let days = configuration.directorySource.effectiveStaleAfterDays else { return false }
        guard let checked = state.checkedAt else { return true }
        return clock.wall.date.timeIntervalSince(checked) > Double(days) * 86_400
    }

    private func checkStaleness() {
        if let held = state.heldBack {
            raise(held)
        } else if isStale {
            let days = configuration.directorySource.effectiveStaleAfterDays ?? 0
            let since = state.checkedAt.map { "since \(configuration.hub.timeZone.localDate(of: $0))" } ?? "ever"
            let why = state.lastError.map { "; last attempt: \($0)" } ?? ""
            raise(
                "the directory has not been checked against \(configuration.directorySourceName) \(since) (over "
                    + "\(days) days): opening times may be out of date\(why)")
        } else if alert != nil && state.lastError == nil {
            clearAlert()
        }
    }

    private func raise(_ message: String) {
        guard alert != message else { return }
        alert = message
        kiosk.reportDirectoryProblem(message)
    }

    private func clearAlert() {
        state.heldBack = nil
        guard alert != nil else { return }
        alert = nil
        kiosk.reportDirectoryProblem(nil)
    }

    // MARK: - Status

    private func makeStatus(result: String?, changes: [String]? = nil) -> ControlAPI.DirectoryStatus {
        let formatter = ISO8601DateFormatter()
        return ControlAPI.DirectoryStatus(
            source: configuration.directorySourceName, sourceKind: isFeed ? "feed" : "file", inUse: state.origin,
            format: state.format, services: directory.services.count,
            activeServices: directory.services.filter { $0.status == .active }.count,
            checkedAt: state.checkedAt.map(formatter.string), changedAt: state.changedAt.map(formatter.string),
            nextPull: nextPull.map(formatter.string), lastAttempt: state.lastAttempt.map(formatter.string),
            lastError: state.lastError, failures: state.failures, heldBack: state.heldBack, stale: isStale,
            result: result, changes: changes)
    }
}
