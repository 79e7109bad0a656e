import Foundation
import HubReportAPI
import KioskCore

/// Where `hubreport` keeps hubs, enrolment codes, the nonces of the signature window and the tally buckets, and
/// (each engine is also the ``ReportAccounts`` of the pages: their users, setup codes and the audit log).
///
/// One protocol for every engine (SQLite now; PostgreSQL can follow): values are Swift types, times are whole
/// seconds since 1970, dates are `LocalDate`s, and each method is one transaction. Nothing here names an engine's
/// SQL dialect. As a ``HubKeyLookup`` and a ``NonceStore`` it is what HubReportAPI's ``SignatureVerifier`` checks
/// requests against.
public protocol ReportStore: HubKeyLookup, NonceStore {
    /// Creates hub `id` named `name` (or renames an existing one) and stores the SHA-256 of a new one-time
    /// enrolment code valid until `expiresAt`. Earlier unused codes of the hub stop working.
    func addHub(id: String, name: String, codeHash: Data, now: Int64, expiresAt: Int64) async throws -> HubRecord

    /// Enrols the hub whose code hashes to `codeHash`: stores its public key, marks the code used. Single use.
    func enrol(
        codeHash: Data, publicKey: HubPublicKey, kioskVersion: String, now: Int64
    ) async throws -> EnrolmentOutcome

    /// Revokes hub `id`: its signatures are refused from now on (its tallies stay). Nil if there is no such hub.
    func revokeHub(id: String, now: Int64) async throws -> HubRecord?

    /// Every hub, by id.
    func hubs() async throws -> [HubRecord]

    /// Merges a validated batch from its (verified) hub with HubReportAPI's highest-revision rule, in one
    /// transaction, and records the hub's health and last sync. A date's counts come from one form only: a day
    /// bucket replaces the date's hour buckets, an hour bucket for a date held as a day bucket is `rejected` (see
    /// `TallyMerge.apply`). Throws ``ReportStoreError`` with code
    /// `.notEnrolled` if the hub is not enrolled or was revoked meanwhile (nothing is stored then).
    func merge(_ batch: TallyBatch, now: Int64) async throws -> TallyBatchResponse

    /// Reads the buckets held for `query` (exact counts) one at a time, by hub, date and hour, and folds each into
    /// `initial` with `update`, like `reduce(into:_:)`: only the state is kept, never every bucket at once (an
    /// export of every hub reads hundreds of thousands). ``buckets(_:)`` collects them.
    func buckets<State: Sendable>(
        _ query: BucketQuery, into initial: State, _ update: @escaping @Sendable (inout State, StoredBucket) -> Void
    ) async throws -> State

    /// Whether the storage answers (for `/healthz`).
    func ping() async throws
}

extension ReportStore {
    /// The buckets held for `query`, with their exact counts, by hub, date and hour.
    public func buckets(_ query: BucketQuery) async throws -> [StoredBucket] {
        try await buckets(query, into: []) { $0.append($1) }
    }
}

/// A hub as the service knows it.
public struct HubRecord: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        /// Created by `hubreport hub add`; no kiosk has enrolled with its code yet.
        case pending
        case enrolled
        case revoked
    }

    public var id: String
    public var name: String
    public var state: State
    /// The enrolled kiosk's public key (never a private key).
    public var publicKey: HubPublicKey?
    public var createdAt: Int64
    public var enrolledAt: Int64?
    public var revokedAt: Int64?
    public var lastSyncAt: Int64?
    public var kioskVersion: String?
    /// The health the kiosk sent with its last batch.
    public var health: KioskHealth?
    public var granularity: TallyGranularity?
    /// Every need code the hub has sent, sorted (partnership codes and unknown ones alike: nothing is dropped).
    public var needCodes: [NeedCode]

    public init(
        id: String, name: String, state: State, publicKey: HubPublicKey? = nil, createdAt: Int64,
        enrolledAt: Int64? = nil, revokedAt: Int64? = nil, lastSyncAt: Int64? = nil, kioskVersion: String? = nil,
        health: KioskHealth? = nil, granularity: TallyGranularity? = nil, needCodes: [NeedCode] = []
    ) {
        self.id = id
        self.name = name
        self.state = state
        self.publicKey = publicKey
        self.createdAt = createdAt
        self.enrolledAt = enrolledAt
        self.revokedAt = revokedAt
        self.lastSyncAt = lastSyncAt
        self.kioskVersion = kioskVersion
        self.health = health
        self.granularity = granularity
        self.needCodes = needCodes
    }
}

/// What an enrolment attempt found.
public enum EnrolmentOutcome: Sendable, Equatable {
    case enrolled(HubRecord)
    /// No code hashes to this (a typing mistake, or a code replaced by a newer `hub add`).
    case unknownCode
    /// The code's 24 hours are over.
    case expired(hubID: String)
    /// The code enrolled a kiosk already.
    case used(hubID: String)
}

/// Which buckets to read.
public struct BucketQuery: Sendable, Equatable {
    public enum Resolution: Sendable, Equatable {
        /// Buckets as the hubs sent them (hour buckets keep their hour).
        case asSent
        /// Hour buckets summed per hub and day (day buckets as they are).
        case day
    }

    public var from: LocalDate?
    public var to: LocalDate?
    public var hubID: String?
    public var resolution: Resolution

    public init(from: LocalDate? = nil, to: LocalDate? = nil, hubID: String? = nil, resolution: Resolution = .asSent) {
        self.from = from
        self.to = to
        self.hubID = hubID
        self.resolution = resolution
    }
}

/// One bucket the service holds: which hub, which bucket, and its exact counts.
public struct StoredBucket: Sendable, Equatable {
    public var hubID: String
    public var key: BucketKey
    /// The highest revision seen (for summed day rows, the highest of the hours).
    public var revision: UInt64
    public var counts: TallyCounts

    public init(hubID: String, key: BucketKey, revision: UInt64, counts: TallyCounts) {
        self.hubID = hubID
        self.key = key
        self.revision = revision
        self.counts = counts
    }
}
