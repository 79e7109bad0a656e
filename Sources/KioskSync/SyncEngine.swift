import Foundation
import HubReportAPI
import KioskCore
import KioskStore
import Logging

/// How the sync runs (`[sync]` in kiosk.toml).
public struct SyncSettings: Sendable, Equatable {
    /// Between successful syncs.
    public var interval: Duration
    /// The buckets sent: hour (the default) or day.
    public var resolution: LedgerResolution
    /// Raw presses are deleted this many days after their buckets were acknowledged.
    public var purgeAfterDays: Int
    /// Buckets per request (the service takes up to 500).
    public var batchBuckets: Int
    /// Backoff after a failure: full jitter between 0 and min(cap, base × 2^failures).
    public var backoffBase: Duration
    public var backoffCap: Duration
    /// How long one request may take (connecting included) before it counts as a failure.
    public var requestTimeout: Duration

    public init(
        interval: Duration = .seconds(300), resolution: LedgerResolution = .hour, purgeAfterDays: Int = 35,
        batchBuckets: Int = 200, backoffBase: Duration = .seconds(1), backoffCap: Duration = .seconds(300),
        requestTimeout: Duration = .seconds(30)
    ) {
        self.requestTimeout = requestTimeout
        self.interval = interval
        self.resolution = resolution
        self.purgeAfterDays = purgeAfterDays
        self.batchBuckets = batchBuckets
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
    }
}

/// How one sync attempt ended.
public enum SyncOutcome: Sendable, Equatable {
    /// Everything changed was sent and acknowledged (`sent` buckets in this attempt).
    case synced(sent: Int)
    /// A network or service condition that passes by itself: retried with backoff (at least `retryAfter`).
    case transient(String, whatToDo: String, retryAfter: Duration?)
    /// A problem someone must fix (a revoked hub, a refused batch, a certificate): not retried until `sync now`,
    /// a restart or a new enrolment; the counts are kept.
    case stopped(String, whatToDo: String)
}

/// Sends the ledger's unacknowledged buckets, batch by batch, signed, and records what the service acknowledged.
public struct SyncEngine: Sendable {
    public let database: KioskDatabase
    public let settings: SyncSettings
    public let enrolment: SyncEnrolment
    let signer: RequestSigner
    let transport: SyncTransport
    let version: String
    /// The printer's condition and the open alerts, for the health report.
    let health: @Sendable () async -> (printer: PrinterHealth, alerts: [AlertKind])
    /// Wall clock now (the kiosk's, uncorrected).
    let wallNow: @Sendable () -> Date
    let logger: Logger

    public init(
        database: KioskDatabase, settings: SyncSettings, enrolment: SyncEnrolment, key: HubPrivateKey,
        transport: SyncTransport, version: String,
        health: @escaping @Sendable () async -> (printer: PrinterHealth, alerts: [AlertKind]),
        wallNow: @escaping @Sendable () -> Date, logger: Logger
    ) {
        self.database = database
        self.settings = settings
        self.enrolment = enrolment
        self.signer = RequestSigner(keyID: enrolment.hubID, privateKey: key)
        self.transport = transport
        self.version = version
        self.health = health
        self.wallNow = wallNow
        self.logger = logger
    }

    var granularity: TallyGranularity { settings.resolution == .day ? .day : .hour }

    /// One attempt: batches until nothing is left unacknowledged, or the first failure. `clockOffset` (service
    /// minus kiosk, seconds) is used for signatures and updated from a clock-skew answer (then retried once).
    public func attempt(clockOffset: inout Int) async -> SyncOutcome {
        var sent = 0
        var retriedSkew = false
        var isFirstBatch = true
        // Bounded: a kiosk offline for a year at hour granularity has under 9,000 buckets; this is far above.
        for _ in 0..<10_000 {
            let buckets: [LedgerBucket]
            let backlog: Int
            do {
                buckets = try database.unacknowledgedBuckets(settings.resolution, limit: settings.batchBuckets)
                // Nothing changed: one batch without buckets still reports the kiosk's health (a heartbeat).
                if buckets.isEmpty && !isFirstBatch { return .synced(sent: sent) }
                backlog = try database.unacknowledgedBucketCount(settings.resolution)
            } catch {
                return .transient(
                    "cannot read the tallies to send: \(error.message)", whatToDo: error.hint, retryAfter: nil)
            }
            let (printer, alerts) = await health()
            let batch = Self.batch(
                hubID: enrolment.hubID, granularity: granularity, buckets: buckets,
                health: KioskHealth(version: version, printer: printer, openAlerts: alerts, backlog: backlog))
            let body: Data
            do {
                body = try HubReportJSON.encode(batch)
            } catch {
                return .stopped("cannot encode a batch: \(error)", whatToDo: "report this bug with the kiosk's logs")
            }
            let response: SyncResponse
            do {
                let now = wallNow().addingTimeInterval(TimeInterval(clockOffset))
                let signature = try signer.sign(method: "POST", target: "/v1/tallies", body: body, now: now)
                response = try await transport.send(
                    method: "POST", path: "/v1/tallies",
                    headers: [("Content-Type", HubReportJSON.mediaType)] + signature.map { ($0.name, $0.value) },
                    body: body, timeout: settings.requestTimeout)
            } catch let error as SyncNetworkError {
                if error.isTrustFailure {
                    return .stopped(
                        error.description,
                        whatToDo: "check the service's address and certificate with the partnership's administrator")
                }
                return .transient(
                    error.description, whatToDo: "nothing: it retries by itself; check the hub's network if it lasts",
                    retryAfter: nil)
            } catch {
                return .stopped(
                    "cannot sign a request: \(error)", whatToDo: "check the kiosk's clock, then enrol again")
            }
            switch response.status {
            case 200:
                let answer: TallyBatchResponse
                do {
                    answer = try HubReportJSON.decode(TallyBatchResponse.self, from: response.body)
                } catch {
                    return .transient(
                        "the service's answer could not be read: \(error.detail)",
                        whatToDo: "nothing: it retries; tell the partnership's administrator if it lasts",
                        retryAfter: nil)
                }
                let outcome = record(answer, sent: buckets)
                sent += outcome.acknowledged
                if let refusal = outcome.refusal { return refusal }
                if buckets.isEmpty { return .synced(sent: sent) }
                isFirstBatch = false
                if outcome.acknowledged == 0 {
                    return .transient(
                        "the service acknowledged none of \(buckets.count) buckets",
                        whatToDo: "nothing: it retries; tell the partnership's administrator if it lasts",
                        retryAfter: nil)
                }
            case 401 where !retriedSkew && problem(response)?.kind == .clockSkew:
                retriedSkew = true
                if let offset = serviceOffset(response) {
                    logger.notice("the kiosk's clock is \(-offset) s off the service's: signing with its time")
                    clockOffset = offset
                }
            case 408, 429, 500...599:
                let problem = problem(response)
                return .transient(
                    "the service answered \(response.status)" + (problem.map { ": \($0.detail)" } ?? ""),
                    whatToDo: "nothing: it retries by itself", retryAfter: Self.retryAfter(response, now: wallNow()))
            default:
                let problem = problem(response)
                return .stopped(
                    "the service refused the batch (\(response.status))" + (problem.map { ": \($0.detail)" } ?? ""),
                    whatToDo: problem?.whatToDo
                        ?? "tell the partnership's administrator; then run hubkiosk sync now")
            }
        }
        return .synced(sent: sent)
    }

    /// Records the acknowledged buckets; a refused bucket stops the sync (kept, never dropped).
    func record(_ answer: TallyBatchResponse, sent: [LedgerBucket]) -> (acknowledged: Int, refusal: SyncOutcome?) {
        var acks: [LedgerAck] = []
        var ahead: [LedgerAck] = []
        var refused: [String] = []
        for result in answer.results {
            if result.status == .rejected {
                refused.append("\(result.key): \(result.reason ?? "refused")")
            } else if result.isAcknowledged {
                acks.append(LedgerAck(day: result.key.date, hour: result.key.hour, revision: result.revision))
                // The service holds a later revision (or other counts under this one): continue above it, so the
                // kiosk's counts, the truth, are sent again and taken.
                if result.status == .stale || result.status == .conflict {
                    ahead.append(LedgerAck(day: result.key.date, hour: result.key.hour, revision: result.heldRevision))
                }
            }
        }
        do {
            try database.acknowledge(acks, resolution: settings.resolution)
            if try database.continueAbove(ahead, resolution: settings.resolution) > 0 {
                logger.notice("sync: the service held later revisions of \(ahead.count) buckets; sending them again")
            }
        } catch {
            return (
                0,
                .transient(
                    "cannot record the acknowledgement: \(error.message)", whatToDo: error.hint, retryAfter: nil)
            )
        }
        guard refused.isEmpty else {
            return (
                acks.count,
                .stopped(
                    "the service refused \(refused.count) buckets (\(refused.prefix(3).joined(separator: "; ")))",
                    whatToDo: "tell the partnership's administrator (hubreport hub list); the counts are kept")
            )
        }
        return (acks.count, nil)
    }

    func problem(_ response: SyncResponse) -> ProblemDetails? {
        try? JSONDecoder().decode(ProblemDetails.self, from: response.body)
    }

    /// Service minus kiosk, in seconds, from the problem's `service_time` or the `Date` header.
    func serviceOffset(_ response: SyncResponse) -> Int? {
        let serviceDate = problem(response)?.serviceDate ?? response.header("Date").flatMap(Self.httpDate)
        guard let serviceDate else { return nil }
        let offset = serviceDate.timeIntervalSince(wallNow()).rounded()
        guard offset.isFinite, abs(offset) < 1e12 else { return nil }
        return Int(offset)
    }

    /// What leaves the box: the buckets' counts and the health, nothing else (see the payload property test).
    static func batch(
        hubID: String, granularity: TallyGranularity, buckets: [LedgerBucket], health: KioskHealth
    ) -> TallyBatch {
        TallyBatch(hubID: hubID, granularity: granularity, buckets: buckets.map(wireBucket), health: health)
    }

    static func wireBucket(_ bucket: LedgerBucket) -> TallyBucket {
        TallyBucket(
            key: BucketKey(date: bucket.day, hour: bucket.hour), revision: bucket.revision,
            counts: TallyCounts(
                visits: bucket.visits, visitsByNeed: bucket.visitsByNeed, slipsPrinted: bucket.slipsPrinted,
                slipsNotPrinted: bucket.slipsNotPrinted))
    }

    /// `Retry-After` as seconds or an HTTP date, bounded to a day.
    static func retryAfter(_ response: SyncResponse, now: Date) -> Duration? {
        guard let value = response.header("Retry-After")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Int(value), seconds >= 0 { return .seconds(min(seconds, 86_400)) }
        if let date = httpDate(value) {
            let seconds = date.timeIntervalSince(now)
            return .seconds(Int(min(max(seconds, 0), 86_400)))
        }
        return nil
    }

    /// An IMF-fixdate (RFC 9110 §5.6.7), like `Tue, 01 Dec 2026 15:04:05 GMT`.
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
