/// The service's answer to a batch: one result per bucket, in the batch's order, so the kiosk knows what was
/// acknowledged.
public struct TallyBatchResponse: Codable, Sendable, Equatable {
    public var hubID: String
    public var results: [BucketResult]

    public init(hubID: String, results: [BucketResult]) {
        self.hubID = hubID
        self.results = results
    }

    enum CodingKeys: String, CodingKey {
        case hubID = "hub_id"
        case results
    }
}

/// What the service did with one bucket.
public struct BucketResult: Codable, Sendable, Equatable {
    public var key: BucketKey
    /// The revision the kiosk sent.
    public var revision: UInt64
    public var status: MergeStatus
    /// The revision the service holds now (after this batch). The kiosk's revision is acknowledged when this is
    /// at least the one it sent; a kiosk that finds the service ahead of it (a rebuilt database) continues above it.
    /// 0 for a rejected bucket: nothing of it is held.
    public var heldRevision: UInt64
    /// Why a bucket was rejected (the bad fields, named by JSON Pointer, or the date's form); nil otherwise.
    public var reason: String?

    public init(key: BucketKey, revision: UInt64, status: MergeStatus, heldRevision: UInt64, reason: String? = nil) {
        self.key = key
        self.revision = revision
        self.status = status
        self.heldRevision = heldRevision
        self.reason = reason
    }

    /// Whether the kiosk may count its revision as acknowledged: the service holds it or a later one.
    public var isAcknowledged: Bool { heldRevision >= revision }

    enum CodingKeys: String, CodingKey {
        case date, hour, revision, status, reason
        case heldRevision = "held_revision"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = BucketKey(
            date: try container.decodeLocalDate(forKey: .date),
            hour: try container.decodeNumberIfPresent(Int.self, forKey: .hour))
        revision = try container.decodeNumber(UInt64.self, forKey: .revision)
        status = try container.decode(MergeStatus.self, forKey: .status)
        heldRevision = try container.decodeNumber(UInt64.self, forKey: .heldRevision)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key.date, forKey: .date)
        try container.encodeIfPresent(key.hour, forKey: .hour)
        try container.encode(revision, forKey: .revision)
        try container.encode(status, forKey: .status)
        try container.encode(heldRevision, forKey: .heldRevision)
        try container.encodeIfPresent(reason, forKey: .reason)
    }
}
