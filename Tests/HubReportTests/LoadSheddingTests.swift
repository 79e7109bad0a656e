import Foundation
import HubReport
import HubReportAPI
import Synchronization
import Testing

/// A store whose enrolments wait at a gate the test opens, so a request can be held in flight without sleeping.
final class GatedStore: ReportStore {
    let base: any ReportStore
    let entered: AsyncStream<Void>
    private let enteredContinuation: AsyncStream<Void>.Continuation
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    init(_ base: any ReportStore) {
        self.base = base
        (entered, enteredContinuation) = AsyncStream<Void>.makeStream()
    }

    /// Lets every held request (and every later one) through.
    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func pass() async {
        enteredContinuation.yield()
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func addHub(id: String, name: String, codeHash: Data, now: Int64, expiresAt: Int64) async throws -> HubRecord {
        try await base.addHub(id: id, name: name, codeHash: codeHash, now: now, expiresAt: expiresAt)
    }

    func enrol(
        codeHash: Data, publicKey: HubPublicKey, kioskVersion: String, now: Int64
    ) async throws
        -> EnrolmentOutcome
    {
        await pass()
        return try await base.enrol(codeHash: codeHash, publicKey: publicKey, kioskVersion: kioskVersion, now: now)
    }

    func revokeHub(id: String, now: Int64) async throws -> HubRecord? { try await base.revokeHub(id: id, now: now) }
    func hubs() async throws -> [HubRecord] { try await base.hubs() }
    func merge(_ batch: TallyBatch, now: Int64) async throws -> TallyBatchResponse {
        try await base.merge(batch, now: now)
    }
    func buckets<State: Sendable>(
        _ query: BucketQuery, into initial: State, _ update: @escaping @Sendable (inout State, StoredBucket) -> Void
    ) async throws -> State { try await base.buckets(query, into: initial, update) }
    func ping() async throws { try await base.ping() }
    func publicKey(forHub keyID: String) async throws -> HubKeyLookupResult {
        try await base.publicKey(forHub: keyID)
    }
    func record(nonce: String, keyID: String, expiresAt: Int64, now: Int64) async throws -> Bool {
        try await base.record(nonce: nonce, keyID: keyID, expiresAt: expiresAt, now: now)
    }
}

/// Hands the gated store from the fixture's set-up to the test.
final class Holder: Sendable {
    let store = Mutex<GatedStore?>(nil)
}

@Suite struct LoadSheddingTests {
    /// With every place taken, a request is refused at once with 429 and Retry-After; health checks still answer;
    /// the held request completes once let through, and the next one is served again.
    @Test(arguments: [1, 3])
    func pastTheLimitRequestsAreShedWith429(limit: Int) async throws {
        let gate = Holder()
        try await ServiceFixture.run(
            settings: ReportServer.Settings(maxConcurrentRequests: limit, retryAfterSeconds: 7),
            wrap: { base in
                let store = GatedStore(base)
                gate.store.withLock { $0 = store }
                return store
            }
        ) { service in
            let store = try #require(gate.store.withLock { $0 })
            var codes: [String] = []
            for index in 0...limit { codes.append(try await service.addHub("hub\(index)")) }
            try await withThrowingTaskGroup(of: RawResponse.self) { held in
                var entered = store.entered.makeAsyncIterator()
                for code in codes.prefix(limit) {
                    held.addTask { try await service.enrol(code: code, key: HubPrivateKey()) }
                    _ = await entered.next()
                }
                // Every place is taken now.
                let shed = try await service.enrol(code: codes[limit], key: HubPrivateKey())
                try expectProblem(shed, .rateLimited)
                #expect(shed.headers["retry-after"] == "7")
                #expect(try await service.client.send("GET", "/healthz").status == 200)
                store.open()
                for try await response in held { #expect(response.status == 200) }
            }
            #expect(try await service.enrol(code: codes[limit], key: HubPrivateKey()).status == 200)
            #expect(try await service.store.hubs().allSatisfy { $0.state == .enrolled })
        }
    }

    @Test func theShedderNeverGoesPastItsLimit() async {
        let shedder = LoadShedder(limit: 4)
        let admitted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<64 { group.addTask { shedder.enter() } }
            var count = 0
            for await entered in group where entered { count += 1 }
            return count
        }
        #expect(admitted == 4)
        #expect(shedder.current == 4)
        for _ in 0..<4 { shedder.leave() }
        #expect(shedder.current == 0)
        #expect(shedder.enter())
    }
}
