import KioskCore

/// What the service holds for one bucket of one hub.
public struct HeldBucket: Sendable, Hashable {
    public var revision: UInt64
    public var counts: TallyCounts

    public init(revision: UInt64, counts: TallyCounts) {
        self.revision = revision
        self.counts = counts
    }
}

/// What a merge did with an incoming bucket.
public enum MergeStatus: String, Codable, Sendable, CaseIterable {
    /// The service holds the incoming revision now (new, newer, or the same counts again).
    case accepted
    /// The service holds a higher revision; the incoming one changed nothing.
    case stale
    /// The service holds the same revision with other counts. The kiosk gave one revision two contents (a rebuilt
    /// database?); both sides still agree on one result, the larger counts, whatever the order of arrival.
    case conflict
    /// The service refused this bucket and holds nothing of it; `reason` says why. The rest of the batch is merged,
    /// so one bad bucket never blocks the others. Sending it again unchanged gets the same answer.
    case rejected
}

/// The idempotent merge rule of the sync: per bucket, the highest revision wins.
///
/// The merge is a join (commutative, associative, idempotent): sending a batch twice, out of order, or again after
/// a lost response leaves the same state as applying the highest revision once.
public enum TallyMerge {
    /// The bucket to hold after `incoming` arrives where `held` was held, and what happened.
    public static func merge(held: HeldBucket?, incoming: HeldBucket) -> (held: HeldBucket, status: MergeStatus) {
        guard let held else { return (incoming, .accepted) }
        if incoming.revision > held.revision { return (incoming, .accepted) }
        if incoming.revision < held.revision { return (held, .stale) }
        if incoming.counts == held.counts { return (held, .accepted) }
        return (precedes(held.counts, incoming.counts) ? incoming : held, .conflict)
    }

    /// Merges every bucket of `batch` into `state` (the buckets the service holds for the batch's hub, of every date
    /// the batch names, in both forms) and returns the new state and the response for the kiosk. Call it with a
    /// validated batch.
    ///
    /// A date's counts come from one form only. A day bucket counts the whole date, so it replaces the date's hour
    /// buckets (a hub that moves to day buckets keeps its history, counted once); an hour bucket for a date held as
    /// a day bucket is `rejected` (the day bucket already counts that hour).
    public static func apply(
        _ batch: TallyBatch, to state: [BucketKey: HeldBucket]
    ) -> (
        state: [BucketKey: HeldBucket], response: TallyBatchResponse
    ) {
        var state = state
        var results: [BucketResult] = []
        results.reserveCapacity(batch.buckets.count)
        for bucket in batch.buckets {
            if bucket.key.hour != nil, state[BucketKey(date: bucket.key.date, hour: nil)] != nil {
                // One form per date: the service holds this date as a day bucket, which counts the whole date.
                results.append(
                    BucketResult(
                        key: bucket.key, revision: bucket.revision, status: .rejected, heldRevision: 0,
                        reason:
                            "the service holds \(bucket.key.date) as a day bucket, which counts the whole date; "
                            + "send that date as a day bucket"))
                continue
            }
            if bucket.key.hour == nil {
                // A day bucket counts the whole date: it replaces the date's hour buckets, so nothing counts twice.
                for key in state.keys where key.date == bucket.key.date && key.hour != nil { state[key] = nil }
            }
            let (held, status) = merge(
                held: state[bucket.key], incoming: HeldBucket(revision: bucket.revision, counts: bucket.counts))
            state[bucket.key] = held
            results.append(
                BucketResult(key: bucket.key, revision: bucket.revision, status: status, heldRevision: held.revision))
        }
        return (state, TallyBatchResponse(hubID: batch.hubID, results: results))
    }

    /// A total order on counts, used only to break a tie between two contents of one revision.
    static func precedes(_ lhs: TallyCounts, _ rhs: TallyCounts) -> Bool {
        if lhs.visits != rhs.visits { return lhs.visits < rhs.visits }
        if lhs.slipsPrinted != rhs.slipsPrinted { return lhs.slipsPrinted < rhs.slipsPrinted }
        if lhs.slipsNotPrinted != rhs.slipsNotPrinted { return lhs.slipsNotPrinted < rhs.slipsNotPrinted }
        let left = lhs.visitsByNeed.sorted { $0.key < $1.key }
        let right = rhs.visitsByNeed.sorted { $0.key < $1.key }
        for (l, r) in zip(left, right) where l != r {
            return l.key != r.key ? l.key > r.key : l.value < r.value
        }
        return left.count < right.count
    }
}
