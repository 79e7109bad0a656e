import HubReportAPI
import KioskCore
import KioskTestSupport
import Testing

/// The merge keeps the highest revision, whatever the order, duplication or loss of responses.
@Suite struct TallyMergeTests {
    static let key = BucketKey(date: LocalDate(year: 2026, month: 12, day: 1)!, hour: 10)

    /// The counts a kiosk has at each revision of a bucket: they only grow.
    static func history(_ length: Int, using random: inout SplitMix64) -> [HeldBucket] {
        var revision: UInt64 = 0
        var visits = 0
        return (0..<length).map { _ in
            revision += UInt64.random(in: 1...5, using: &random)
            visits += Int.random(in: 0...3, using: &random)
            return HeldBucket(
                revision: revision,
                counts: TallyCounts(visits: visits, visitsByNeed: ["food": visits / 2], slipsPrinted: visits / 2))
        }
    }

    @Test(arguments: Array(UInt64(1)...40))
    func anyPermutationWithDuplicatesEndsAtTheHighestRevision(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let history = Self.history(Int.random(in: 1...12, using: &random), using: &random)
        var deliveries = history
        for _ in 0..<Int.random(in: 0...12, using: &random) {
            deliveries.append(history[Int.random(in: 0...(history.count - 1), using: &random)])
        }
        deliveries.shuffle(using: &random)

        var held: HeldBucket?
        for incoming in deliveries {
            let before = held
            let (after, status) = TallyMerge.merge(held: held, incoming: incoming)
            if let before, incoming.revision < before.revision {
                #expect(status == .stale && after == before, "seed \(seed): an older revision changed the bucket")
            } else {
                #expect(status == .accepted, "seed \(seed)")
            }
            #expect(after.revision >= (before?.revision ?? 0), "seed \(seed): the revision went back")
            held = after
        }
        #expect(held == history.last, "seed \(seed): \(deliveries.map(\.revision))")
    }

    @Test(arguments: Array(UInt64(1)...20))
    func batchesResentOutOfOrderGiveTheStateOfTheNewestCounts(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let keys = (0..<6).map { BucketKey(date: LocalDate(year: 2026, month: 11, day: 20 + $0 / 3)!, hour: $0) }
        let histories = Dictionary(uniqueKeysWithValues: keys.map { ($0, Self.history(5, using: &random)) })
        let health = KioskHealth(version: "1.0.0", printer: .ready, openAlerts: [], backlog: 0)
        // The kiosk syncs now and then: each batch carries the buckets' counts at some point of their history.
        var batches: [TallyBatch] = []
        for step in 0..<5 {
            let buckets = keys.filter { _ in Bool.random(using: &random) || step == 4 }.map { key in
                let held = histories[key]![step]
                return TallyBucket(key: key, revision: held.revision, counts: held.counts)
            }
            batches.append(TallyBatch(hubID: "hub-1", granularity: .hour, buckets: buckets, health: health))
        }
        // The network duplicates, reorders and loses responses (a lost response means a resend).
        var deliveries = batches + (0..<6).map { _ in batches[Int.random(in: 0...4, using: &random)] }
        deliveries.shuffle(using: &random)

        var state: [BucketKey: HeldBucket] = [:]
        for batch in deliveries {
            let (next, response) = TallyMerge.apply(batch, to: state)
            #expect(response.results.map(\.key) == batch.buckets.map(\.key))
            for result in response.results {
                #expect(result.heldRevision == next[result.key]?.revision)
                #expect((result.status == .accepted) == (result.heldRevision == result.revision))
                #expect(result.isAcknowledged)
            }
            state = next
        }
        #expect(state == histories.mapValues { $0.last! }, "seed \(seed)")

        // Once everything has arrived, sending any batch again changes nothing.
        for batch in batches {
            #expect(TallyMerge.apply(batch, to: state).state == state)
        }
    }

    @Test func twoContentsOfOneRevisionConvergeWhicheverArrivesFirst() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let revision = UInt64.random(in: 1...9, using: &random)
            func counts() -> TallyCounts {
                TallyCounts(
                    visits: Int.random(in: 0...3, using: &random),
                    visitsByNeed: Bool.random(using: &random)
                        ? ["food": 1] : ["money": Int.random(in: 0...1, using: &random)],
                    slipsPrinted: Int.random(in: 0...1, using: &random))
            }
            let a = HeldBucket(revision: revision, counts: counts())
            let b = HeldBucket(revision: revision, counts: counts())
            let ab = TallyMerge.merge(held: a, incoming: b)
            let ba = TallyMerge.merge(held: b, incoming: a)
            #expect(ab.held == ba.held, "\(a) \(b)")
            #expect([a, b].contains(ab.held))
            #expect(ab.status == (a == b ? .accepted : .conflict))
        }
    }

    @Test func aNewBucketIsAccepted() {
        let incoming = HeldBucket(revision: 1, counts: TallyCounts(visits: 2))
        let (held, status) = TallyMerge.merge(held: nil, incoming: incoming)
        #expect(held == incoming && status == .accepted)
    }
}
