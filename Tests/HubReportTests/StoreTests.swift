import Foundation
import HubReport
import HubReportAPI
import KioskCore
import KioskTestSupport
import Testing

/// The store's semantics, one suite for every engine (``StoreEngine``: SQLite, and PostgreSQL when configured).
@Suite struct StoreTests {
    /// Runs `body` with a fresh store of `engine` in which `hubs` are enrolled.
    func withStore(
        _ engine: StoreEngine, enrolled hubs: [String] = [],
        _ body: (any ReportStore, StoreEngine.Database) async throws -> Void
    ) async throws {
        try await engine.withStore { store, database in
            for hub in hubs {
                let code = EnrolmentCode.make()
                _ = try await store.addHub(
                    id: hub, name: hub, codeHash: EnrolmentCode.hash(code), now: 1000, expiresAt: 1000 + 86_400)
                let outcome = try await store.enrol(
                    codeHash: EnrolmentCode.hash(code), publicKey: HubPrivateKey().publicKey, kioskVersion: "1",
                    now: 1001)
                guard case .enrolled = outcome else { throw StoreTestError.notEnrolled }
            }
            try await body(store, database)
        }
    }

    enum StoreTestError: Error { case notEnrolled }

    /// Seeded random histories: every bucket goes through revisions 1…n with random counts; the kiosk sends them as
    /// a flaky network delivers them (duplicated, shuffled, some re-sent after a "lost response"), in batches. The
    /// store ends holding each bucket's highest revision, exactly as if that one had arrived once.
    @Test(arguments: StoreEngine.all, [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func anyDeliveryOrderGivesTheHighestRevision(engine: StoreEngine, seed: UInt64) async throws {
        var random = SplitMix64(seed: seed)
        try await withStore(engine, enrolled: ["leith"]) { store, _ in
            var sent: [TallyBucket] = []
            var final: [BucketKey: TallyBucket] = [:]
            for day in 0..<3 {
                for hour in [9, 10, 14] {
                    for revision in 1...UInt64.random(in: 1...4, using: &random) {
                        let visits = Int.random(in: 0...40, using: &random)
                        let bucket = Batches.bucket(
                            day: day, hour: hour, revision: revision, visits: visits,
                            needs: ["food": Int.random(in: 0...visits, using: &random), "gardening": visits / 2])
                        sent.append(bucket)
                        final[bucket.key] = bucket
                    }
                }
            }
            // Duplicates and re-sends, then any order.
            var deliveries = sent + sent.filter { _ in Bool.random(using: &random) }
            deliveries.shuffle(using: &random)
            while !deliveries.isEmpty {
                let size = Int.random(in: 1...5, using: &random)
                var batch: [TallyBucket] = []
                while batch.count < size, let next = deliveries.first {
                    if batch.contains(where: { $0.key == next.key }) { break }  // a batch holds each bucket once
                    batch.append(deliveries.removeFirst())
                }
                _ = try await store.merge(Batches.batch("leith", batch), now: 2000)
            }
            let held = try await store.buckets(BucketQuery())
            #expect(held.count == final.count)
            for bucket in held {
                let expected = try #require(final[bucket.key])
                #expect(bucket.revision == expected.revision)
                #expect(bucket.counts == expected.counts)
            }
        }
    }

    @Test(arguments: StoreEngine.all)
    func theSameBatchTwiceAnswersTheSameAndChangesNothing(engine: StoreEngine) async throws {
        try await withStore(engine, enrolled: ["leith"]) { store, _ in
            let batch = Batches.batch("leith", [Batches.bucket(revision: 3, visits: 12, needs: ["food": 4])])
            let first = try await store.merge(batch, now: 2000)
            let before = try await store.buckets(BucketQuery())
            let second = try await store.merge(batch, now: 2001)
            #expect(first == second)
            #expect(first.results.map(\.status) == [.accepted])
            #expect(try await store.buckets(BucketQuery()) == before)
            let stale = try await store.merge(
                Batches.batch("leith", [Batches.bucket(revision: 2, visits: 99)]), now: 2002)
            #expect(stale.results.map(\.status) == [.stale])
            #expect(stale.results.map(\.heldRevision) == [3])
            #expect(try await store.buckets(BucketQuery()) == before)
        }
    }

    /// Revisions keep their order and value across the whole UInt64 range in SQLite's signed integers.
    @Test(arguments: StoreEngine.all, [0, 1, UInt64(Int64.max), UInt64(Int64.max) + 1, UInt64.max - 1] as [UInt64])
    func revisionsSurviveTheWholeRange(engine: StoreEngine, low: UInt64) async throws {
        try await withStore(engine, enrolled: ["leith"]) { store, _ in
            _ = try await store.merge(Batches.batch("leith", [Batches.bucket(revision: low, visits: 1)]), now: 2000)
            #expect(try await store.buckets(BucketQuery()).map(\.revision) == [low])
            let higher = try await store.merge(
                Batches.batch("leith", [Batches.bucket(revision: low + 1, visits: 2)]), now: 2001)
            #expect(higher.results.map(\.status) == [.accepted])
            let lower = try await store.merge(
                Batches.batch("leith", [Batches.bucket(revision: low, visits: 3)]), now: 2002)
            #expect(lower.results.map(\.status) == [.stale])
            #expect(try await store.buckets(BucketQuery()).map(\.counts.visits) == [2])
        }
    }

    @Test(arguments: StoreEngine.all)
    func unknownNeedCodesAreKeptAndListed(engine: StoreEngine) async throws {
        try await withStore(engine, enrolled: ["leith"]) { store, _ in
            _ = try await store.merge(
                Batches.batch("leith", [Batches.bucket(revision: 1, visits: 9, needs: ["food": 3, "gardening": 2])]),
                now: 2000)
            let bucket = try #require(try await store.buckets(BucketQuery()).first)
            #expect(bucket.counts.visitsByNeed == ["food": 3, "gardening": 2])
            let hub = try #require(try await store.hubs().first)
            #expect(hub.needCodes == ["food", "gardening"])
            #expect(Partnership.example.unknown(hub.needCodes) == ["gardening"])
            #expect(hub.health == Batches.health)
            #expect(hub.lastSyncAt == 2000)
        }
    }

    @Test(arguments: StoreEngine.all)
    func dayResolutionSumsHoursPerHubAndDay(engine: StoreEngine) async throws {
        try await withStore(engine, enrolled: ["leith", "gorgie"]) { store, _ in
            _ = try await store.merge(
                Batches.batch(
                    "leith",
                    [
                        Batches.bucket(hour: 9, revision: 1, visits: 5, needs: ["food": 2]),
                        Batches.bucket(hour: 15, revision: 4, visits: 7, needs: ["food": 1, "money": 3]),
                        Batches.bucket(day: 1, hour: 9, revision: 1, visits: 1),
                    ]), now: 2000)
            _ = try await store.merge(
                Batches.batch("gorgie", [Batches.bucket(hour: nil, revision: 2, visits: 11)], granularity: .day),
                now: 2000)
            let days = try await store.buckets(
                BucketQuery(to: LocalDate(year: 2026, month: 12, day: 1), resolution: .day))
            #expect(days.count == 2)
            let leith = try #require(days.first { $0.hubID == "leith" })
            #expect(leith.key.hour == nil)
            #expect(leith.counts == TallyCounts(visits: 12, visitsByNeed: ["food": 3, "money": 3], slipsPrinted: 12))
            #expect(leith.revision == 4)
            #expect(days.first { $0.hubID == "gorgie" }?.counts.visits == 11)
            #expect(try await store.buckets(BucketQuery(hubID: "gorgie")).count == 1)
        }
    }

    @Test(arguments: StoreEngine.all)
    func aMergeForAHubThatIsNotEnrolledStoresNothing(engine: StoreEngine) async throws {
        try await withStore(engine, enrolled: ["leith"]) { store, _ in
            _ = try await store.revokeHub(id: "leith", now: 1500)
            await #expect(throws: ReportStoreError.self) {
                try await store.merge(Batches.batch("leith", [Batches.bucket(revision: 1, visits: 3)]), now: 2000)
            }
            await #expect(throws: ReportStoreError.self) {
                try await store.merge(Batches.batch("nobody", [Batches.bucket(revision: 1, visits: 3)]), now: 2000)
            }
            #expect(try await store.buckets(BucketQuery()).isEmpty)
            #expect(try await store.publicKey(forHub: "leith") == .revoked)
            #expect(try await store.publicKey(forHub: "nobody") == .unknown)
        }
    }

    @Test(arguments: StoreEngine.all)
    func codesAreSingleUseExpireAndAreReplacedByANewerOne(engine: StoreEngine) async throws {
        try await withStore(engine) { store, _ in
            let key = HubPrivateKey().publicKey
            let first = EnrolmentCode.make()
            _ = try await store.addHub(
                id: "leith", name: "Leith", codeHash: EnrolmentCode.hash(first), now: 1000, expiresAt: 2000)
            let second = EnrolmentCode.make()
            _ = try await store.addHub(
                id: "leith", name: "Leith Hub", codeHash: EnrolmentCode.hash(second), now: 1100, expiresAt: 2100)
            #expect(
                try await store.enrol(codeHash: EnrolmentCode.hash(first), publicKey: key, kioskVersion: "1", now: 1200)
                    == .unknownCode)
            #expect(
                try await store.enrol(
                    codeHash: EnrolmentCode.hash(second), publicKey: key, kioskVersion: "1", now: 2101)
                    == .expired(hubID: "leith"))
            let third = EnrolmentCode.make()
            _ = try await store.addHub(
                id: "leith", name: "Leith Hub", codeHash: EnrolmentCode.hash(third), now: 3000, expiresAt: 4000)
            // Typed in lower case and without dashes, the code still works.
            let typed = third.lowercased().replacingOccurrences(of: "-", with: "")
            guard
                case .enrolled(let hub) = try await store.enrol(
                    codeHash: EnrolmentCode.hash(typed), publicKey: key, kioskVersion: "1", now: 3001)
            else {
                Issue.record("the fresh code did not enrol")
                return
            }
            #expect(hub.state == .enrolled && hub.name == "Leith Hub" && hub.publicKey == key)
            #expect(
                try await store.enrol(codeHash: EnrolmentCode.hash(third), publicKey: key, kioskVersion: "1", now: 3002)
                    == .used(hubID: "leith"))
        }
    }

    @Test(arguments: StoreEngine.all)
    func noncesAreRefusedInsideTheirWindowAndPrunedAfter(engine: StoreEngine) async throws {
        try await withStore(engine) { store, _ async throws in
            #expect(try await store.record(nonce: "n1", keyID: "leith", expiresAt: 1300, now: 1000))
            #expect(try await !store.record(nonce: "n1", keyID: "leith", expiresAt: 1310, now: 1010))
            #expect(try await store.record(nonce: "n1", keyID: "gorgie", expiresAt: 1310, now: 1010))
            #expect(try await store.record(nonce: "n2", keyID: "leith", expiresAt: 1700, now: 1400))
            // n1's windows are over: pruned.
            #expect(try await #require(store as? any StoreInspection).nonceCount() == 1)
        }
    }

    /// Several kiosks send one code at once, and one nonce arrives on several connections at once: one enrols, one
    /// nonce is recorded; the others are told the code is used and the request a replay.
    @Test(arguments: StoreEngine.all)
    func oneCodeEnrolsOnceAndOneNonceIsRecordedOnceUnderConcurrency(engine: StoreEngine) async throws {
        try await withStore(engine) { store, _ async throws in
            let code = EnrolmentCode.make()
            _ = try await store.addHub(
                id: "leith", name: "Leith", codeHash: EnrolmentCode.hash(code), now: 1000, expiresAt: 90_000)
            let outcomes = try await withThrowingTaskGroup(of: EnrolmentOutcome.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await store.enrol(
                            codeHash: EnrolmentCode.hash(code), publicKey: HubPrivateKey().publicKey,
                            kioskVersion: "1", now: 1001)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { if case .enrolled = $0 { true } else { false } }.count == 1)
            #expect(outcomes.filter { $0 == .used(hubID: "leith") }.count == 7)
            let recorded = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await store.record(nonce: "n1", keyID: "leith", expiresAt: 1300, now: 1000) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(recorded.filter { $0 }.count == 1)
        }
    }

    @Test(arguments: StoreEngine.all, ["", "Leith", "UPPER", "-dash", String(repeating: "a", count: 65), "a b"])
    func badHubIDsAreRefused(engine: StoreEngine, id: String) async throws {
        try await withStore(engine) { store, _ async throws in
            #expect(!WireSyntax.isHubID(id))
            await #expect(throws: ReportStoreError.self) {
                try await store.addHub(id: id, name: "x", codeHash: Data(count: 32), now: 1, expiresAt: 2)
            }
            #expect(try await store.hubs().isEmpty)
        }
    }
}

/// What the tests read of a store beyond ``ReportStore``.
protocol StoreInspection: Sendable {
    func nonceCount() async throws -> Int
}

extension SQLiteReportStore: StoreInspection {}
extension PostgresReportStore: StoreInspection {}
