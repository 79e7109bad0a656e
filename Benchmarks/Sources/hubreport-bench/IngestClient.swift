import AsyncHTTPClient
import Foundation
import HubReportAPI
import NIOCore
import NIOHTTP1
import Synchronization

/// Simulated kiosks: `clients` concurrent senders, each taking the next hub and sending all its buckets in signed
/// batches, one request after the other, as a kiosk clearing its ledger does.
final class IngestClient: Sendable {
    let http: HTTPClient
    let base: String
    let clients: Int

    init(port: Int, clients: Int) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: clients)
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        base = "http://127.0.0.1:\(port)"
        self.clients = clients
    }

    func shutdown() async throws { try await http.shutdown() }

    func post(_ path: String, body: Data, headers: [HubReportAPI.HTTPField]) async throws -> (UInt, Data) {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: HubReportJSON.mediaType)
        for field in headers { request.headers.add(name: field.name, value: field.value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await http.execute(request, timeout: .seconds(120))
        let answer = try await response.body.collect(upTo: 16 << 20)
        return (response.status.code, Data(answer.readableBytesView))
    }

    /// Runs `work(index)` for 0..<count on `clients` concurrent tasks.
    func spread<T: Sendable>(
        _ count: Int, _ work: @escaping @Sendable (Int) async throws -> T
    ) async throws -> [T] {
        let next = NextIndex()
        return try await withThrowingTaskGroup(of: [T].self) { group in
            for _ in 0..<clients {
                group.addTask {
                    var results: [T] = []
                    while true {
                        let index = next.take()
                        guard index < count else { return results }
                        results.append(try await work(index))
                    }
                }
            }
            var all: [T] = []
            for try await results in group { all += results }
            return all
        }
    }

    /// `POST /v1/enrol` for each hub: its one-time code and its public key.
    func enrol(codes: [String], keys: [HubPrivateKey]) async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await spread(codes.count) { index in
            let body = try HubReportJSON.encode(
                EnrolmentRequest(code: codes[index], publicKey: keys[index].publicKey.base64, kioskVersion: "bench"))
            let (status, answer) = try await self.post("/v1/enrol", body: body, headers: [])
            guard status == 200 else { throw BenchError("enrol: \(status) \(String(decoding: answer, as: UTF8.self))") }
        }
        return clock.now - start
    }

    struct IngestResult {
        var buckets = 0
        var accepted = 0
        var requests = 0
        var retries = 0
        var wall = Duration.zero
        var latencies: [Double] = []

        var p50: Double { percentile(0.5) }
        var p99: Double { percentile(0.99) }
        var max: Double { latencies.max() ?? .nan }

        func percentile(_ p: Double) -> Double {
            let sorted = latencies.sorted()
            guard !sorted.isEmpty else { return .nan }
            return sorted[Swift.min(sorted.count - 1, Swift.max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
        }
    }

    struct HubResult: Sendable {
        var buckets = 0
        var accepted = 0
        var retries = 0
        var latencies: [Double] = []
    }

    /// Every hub's buckets through `POST /v1/tallies`, `batch` buckets a request, each request signed by its hub.
    func ingest(workload: Workload, keys: [HubPrivateKey], batch: Int) async throws -> IngestResult {
        let clock = ContinuousClock()
        let start = clock.now
        let perHub = try await spread(workload.hubs) { hub in
            let id = workload.hubID(hub)
            let signer = RequestSigner(keyID: id, privateKey: keys[hub])
            let buckets = workload.buckets(hub: hub)
            var result = HubResult()
            for first in stride(from: 0, to: buckets.count, by: batch) {
                let chunk = Array(buckets[first..<min(first + batch, buckets.count)])
                let body = try HubReportJSON.encode(
                    TallyBatch(
                        hubID: id, granularity: .hour, buckets: chunk,
                        health: KioskHealth(
                            version: "bench", printer: .ready, openAlerts: [], backlog: buckets.count - first)))
                while true {
                    let headers = try signer.sign(method: "POST", target: "/v1/tallies", body: body, now: Date())
                    let sent = clock.now
                    let (status, answer) = try await self.post("/v1/tallies", body: body, headers: headers)
                    result.latencies.append((clock.now - sent).seconds)
                    if status == 429 || status == 503 {
                        result.retries += 1
                        try await Task.sleep(for: .milliseconds(100))
                        continue
                    }
                    guard status == 200 else {
                        throw BenchError("tallies: \(status) \(String(decoding: answer, as: UTF8.self))")
                    }
                    let response = try HubReportJSON.decode(TallyBatchResponse.self, from: answer)
                    result.accepted += response.results.filter { $0.status == .accepted }.count
                    break
                }
                result.buckets += chunk.count
            }
            return result
        }
        var total = IngestResult()
        total.wall = clock.now - start
        for hub in perHub {
            total.buckets += hub.buckets
            total.accepted += hub.accepted
            total.retries += hub.retries
            total.latencies += hub.latencies
        }
        total.requests = total.latencies.count
        return total
    }
}

/// The next index to work on, shared by the senders.
final class NextIndex: Sendable {
    private let next = Mutex(0)

    func take() -> Int {
        next.withLock { value in
            defer { value += 1 }
            return value
        }
    }
}
