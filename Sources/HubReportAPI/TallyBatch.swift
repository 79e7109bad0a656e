import KioskCore

/// How finely a hub's tallies are bucketed: by hour (the default, the finest) or by day.
public enum TallyGranularity: String, Codable, Sendable, CaseIterable {
    case hour
    case day
}

/// What a kiosk sends to `POST /v1/tallies`: its current counts of some buckets, and its health.
///
/// Nothing in a batch is finer than a bucket: no press ids, no times, no flags.
public struct TallyBatch: Codable, Sendable, Equatable {
    /// The hub, as enrolled (the signature's `keyid`).
    public var hubID: String
    public var granularity: TallyGranularity
    public var buckets: [TallyBucket]
    public var health: KioskHealth

    public init(hubID: String, granularity: TallyGranularity, buckets: [TallyBucket], health: KioskHealth) {
        self.hubID = hubID
        self.granularity = granularity
        self.buckets = buckets
        self.health = health
    }

    enum CodingKeys: String, CodingKey {
        case hubID = "hub_id"
        case granularity, buckets, health
    }
}

/// Which bucket of a hub's tallies: a local date and, for hour buckets, the hour (0–23, hub time).
public struct BucketKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var date: LocalDate
    /// Nil for a day bucket.
    public var hour: Int?

    public init(date: LocalDate, hour: Int?) {
        self.date = date
        self.hour = hour
    }

    public static func < (lhs: BucketKey, rhs: BucketKey) -> Bool {
        (lhs.date, lhs.hour ?? -1) < (rhs.date, rhs.hour ?? -1)
    }

    /// `2026-12-01` or `2026-12-01 09h`.
    public var description: String {
        guard let hour else { return date.description }
        return "\(date) \(hour < 10 ? "0" : "")\(hour)h"
    }
}

/// The counts of one bucket.
public struct TallyCounts: Sendable, Hashable {
    /// Counted visits (a visit with no need counts too).
    public var visits: Int
    /// Visits that recorded each need (each need counts once per visit, so never more than `visits`).
    public var visitsByNeed: [NeedCode: Int]
    public var slipsPrinted: Int
    public var slipsNotPrinted: Int

    public init(visits: Int = 0, visitsByNeed: [NeedCode: Int] = [:], slipsPrinted: Int = 0, slipsNotPrinted: Int = 0) {
        self.visits = visits
        self.visitsByNeed = visitsByNeed
        self.slipsPrinted = slipsPrinted
        self.slipsNotPrinted = slipsNotPrinted
    }
}

/// One bucket as the kiosk holds it now: its key, its revision and its counts.
public struct TallyBucket: Codable, Sendable, Equatable {
    public var key: BucketKey
    /// Grows every time the kiosk changes this bucket's counts; the service keeps the highest it has seen.
    public var revision: UInt64
    public var counts: TallyCounts

    public init(key: BucketKey, revision: UInt64, counts: TallyCounts) {
        self.key = key
        self.revision = revision
        self.counts = counts
    }

    public var date: LocalDate { key.date }
    public var hour: Int? { key.hour }

    enum CodingKeys: String, CodingKey {
        case date, hour, revision, visits
        case visitsByNeed = "visits_by_need"
        case slipsPrinted = "slips_printed"
        case slipsNotPrinted = "slips_not_printed"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = BucketKey(
            date: try container.decodeLocalDate(forKey: .date),
            hour: try container.decodeNumberIfPresent(Int.self, forKey: .hour))
        revision = try container.decodeNumber(UInt64.self, forKey: .revision)
        counts = TallyCounts(
            visits: try container.decodeNumber(Int.self, forKey: .visits),
            visitsByNeed: try container.decodeNeedCounts(forKey: .visitsByNeed),
            slipsPrinted: try container.decodeNumber(Int.self, forKey: .slipsPrinted),
            slipsNotPrinted: try container.decodeNumber(Int.self, forKey: .slipsNotPrinted))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key.date, forKey: .date)
        try container.encodeIfPresent(key.hour, forKey: .hour)
        try container.encode(revision, forKey: .revision)
        try container.encode(counts.visits, forKey: .visits)
        try container.encode(
            Dictionary(uniqueKeysWithValues: counts.visitsByNeed.map { ($0.key.rawValue, $0.value) }),
            forKey: .visitsByNeed)
        try container.encode(counts.slipsPrinted, forKey: .slipsPrinted)
        try container.encode(counts.slipsNotPrinted, forKey: .slipsNotPrinted)
    }
}
