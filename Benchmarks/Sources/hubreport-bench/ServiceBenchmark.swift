import ArgumentParser
import Foundation
import HubReport
import HubReportAPI
import KioskCore
import Logging

/// Ingest through `hubreport serve` (signed batches over HTTP from several clients, as kiosks send them) beside a bare
/// bulk insert of the same rows into the same engine; then `hubreport export --by week` of everything beside the
/// same GROUP BY queries in `sqlite3` / `psql`; the service's and the export's peak memory.
struct ServiceBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service", abstract: "hubreport ingest and export, beside the bare engine.")

    enum Engine: String, ExpressibleByArgument, CaseIterable {
        case sqlite, postgres
    }

    @Option(help: "sqlite or postgres.") var engine: Engine = .sqlite
    @Option(help: "PostgreSQL database URL (each run uses its own schemas and drops them).")
    var postgresURL = "postgres://postgres@127.0.0.1:54340/hubreport_test"
    @Option(help: "Simulated hubs.") var hubs = 100
    @Option(help: "Days of hourly tallies per hub (10 opening hours a day).") var days = 365
    @Option(help: "Concurrent clients sending batches.") var clients = 8
    @Option(help: "Buckets per request (the kiosk's default batch).") var batch = 200
    @Option(help: "Runs of each export command.") var exportRuns = 7
    @Option(help: "The hubreport binary.") var hubreport = ".build/release/hubreport"
    @Option(help: "Loopback port for the service.") var port = 54_380
    @Option(help: "Folder for the SQLite files (on the disk being measured).") var dir = ".bench-state"
    @Flag(help: "Keep the databases.") var keep = false

    func run() async throws {
        let directory = URL(fileURLWithPath: dir).appendingPathComponent("service-\(getpid())").standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let workload = Workload(hubs: hubs, days: days)
        let total = workload.hubs * workload.bucketsPerHub
        let tag = "b\(getpid())"
        let api = location(directory, "\(tag)_api")
        let bare = [location(directory, "\(tag)_bare1"), location(directory, "\(tag)_bare2")]
        defer { if !keep { cleanUp(directory, [api] + bare) } }
        let hubreportPath = URL(fileURLWithPath: hubreport).standardizedFileURL.path
        print(
            "\(engine.rawValue): \(grouped(workload.hubs)) hubs × \(workload.days) days × 10 h = \(grouped(total)) "
                + "hour buckets, \(clients) clients, \(batch) buckets per request")

        // The reference first, and again after the service: the machine's drift shows as their difference.
        var bareTimes: [Double] = []
        var bareCopyPeak: Int?
        let first = try await bareInsert(bare[0], workload: workload, directory: directory)
        bareTimes.append(first.0.seconds)
        bareCopyPeak = first.1

        let keys = (0..<workload.hubs).map { _ in HubPrivateKey() }
        let codes = try await addHubs(api, workload: workload)
        let server = try Server.start(hubreportPath, database: api.text, port: port, directory: directory)
        defer { server.stop() }
        try await server.waitUntilReady()
        let client = IngestClient(port: port, clients: clients)
        let enrolled = try await client.enrol(codes: codes, keys: keys)
        let afterEnrol = (rss: server.kilobytes("VmRSS:"), peak: server.kilobytes("VmHWM:"))
        let cpuBefore = (server: ProcessStats.cpuSeconds(server.pid), bench: ProcessStats.cpuSeconds(getpid()))
        let ingest = try await client.ingest(workload: workload, keys: keys, batch: batch)
        let cpuAfter = (server: ProcessStats.cpuSeconds(server.pid), bench: ProcessStats.cpuSeconds(getpid()))
        let afterIngest = (rss: server.kilobytes("VmRSS:"), peak: server.kilobytes("VmHWM:"))
        try await client.shutdown()
        let stopped = server.stop()

        let second = try await bareInsert(bare[1], workload: workload, directory: directory)
        bareTimes.append(second.0.seconds)

        print()
        print("### Ingest (\(engine.rawValue))")
        print()
        print("| what | buckets | wall s | buckets/s |")
        print("|---|---:|---:|---:|")
        let bareName =
            engine == .sqlite
            ? "bare: prepared INSERTs, C API, one transaction (WAL, synchronous=FULL)"
            : "bare: `psql` COPY of both tables, one transaction"
        for (index, seconds) in bareTimes.enumerated() {
            print(
                "| \(bareName), \(index == 0 ? "before" : "after") | \(grouped(total)) | \(f(seconds, 2)) | "
                    + "\(grouped(Int(Double(total) / seconds))) |")
        }
        let apiRate = Double(ingest.buckets) / ingest.wall.seconds
        print(
            "| hubreport serve: signed POST /v1/tallies, \(clients) clients | \(grouped(ingest.buckets)) | "
                + "\(f(ingest.wall.seconds, 2)) | \(grouped(Int(apiRate))) |")
        let bareRate = Double(total) / (bareTimes.reduce(0, +) / Double(bareTimes.count))
        print()
        print("ratio bare / API: \(f(bareRate / apiRate, 1))× (API at \(f(apiRate / bareRate * 100, 1)) % of bare)")
        print(
            "requests: \(grouped(ingest.requests)), p50 \(f(ingest.p50 * 1000, 1)) ms, p99 \(f(ingest.p99 * 1000, 1)) ms, "
                + "max \(f(ingest.max * 1000, 1)) ms; accepted \(grouped(ingest.accepted)) of \(grouped(ingest.buckets)); "
                + "429/503 retries \(ingest.retries)")
        print(
            "CPU during ingest: hubreport \(f(cpuAfter.server - cpuBefore.server, 1)) s, the clients (this process: "
                + "generation, JSON, signing, HTTP) \(f(cpuAfter.bench - cpuBefore.bench, 1)) s")
        if let bareCopyPeak { print("psql COPY peak RSS: \(f(Double(bareCopyPeak) / 1024)) MB") }
        print("enrolment of \(workload.hubs) hubs over POST /v1/enrol: \(f(enrolled.seconds, 2)) s")
        print()
        print("### hubreport serve memory (\(engine.rawValue))")
        print()
        print("| when | VmRSS MB | VmHWM (peak) MB |")
        print("|---|---:|---:|")
        print("| after start and \(workload.hubs) enrolments | \(mb(afterEnrol.rss)) | \(mb(afterEnrol.peak)) |")
        print("| after the ingest | \(mb(afterIngest.rss)) | \(mb(afterIngest.peak)) |")
        print("SIGTERM → exit: \(stopped)")

        try exportBenchmark(api, hubreport: hubreportPath, directory: directory)
        if keep { print("kept: \(api.text)") }
    }

    private func mb(_ kilobytes: Int?) -> String { kilobytes.map { f(Double($0) / 1024) } ?? "?" }

    // MARK: - Databases

    struct Location {
        var text: String
        var sqlitePath: String?
        var schema: String?
    }

    func location(_ directory: String, _ name: String) -> Location {
        switch engine {
        case .sqlite: return Location(text: "\(directory)/\(name).sqlite", sqlitePath: "\(directory)/\(name).sqlite")
        case .postgres: return Location(text: "\(postgresURL)?schema=\(name)", schema: name)
        }
    }

    var psql: [String] {
        get throws {
            let url = try PostgresLocation(parsing: postgresURL)
            return ["/usr/bin/psql", "-h", url.host, "-p", String(url.port), "-U", url.user, "-d", url.database]
        }
    }

    func cleanUp(_ directory: String, _ locations: [Location]) {
        for location in locations {
            if let schema = location.schema, let psql = try? psql {
                _ = try? CommandRun.run(
                    psql[0], Array(psql.dropFirst()) + ["-X", "-q", "-c", "DROP SCHEMA IF EXISTS \(schema) CASCADE"],
                    outputFile: directory + "/drop.out", environment: ["PGOPTIONS": "--client-min-messages=warning"])
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Creates the schema and the hubs (with their one-time codes) through hubreport's own store.
    func addHubs(_ location: Location, workload: Workload) async throws -> [String] {
        let now = Int64(Date().timeIntervalSince1970)
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        return try await DatabaseLocation(parsing: location.text).withStore(logger: logger) { store in
            var codes: [String] = []
            for hub in 0..<workload.hubs {
                let code = EnrolmentCode.make()
                _ = try await store.addHub(
                    id: workload.hubID(hub), name: "Hub \(hub)", codeHash: EnrolmentCode.hash(code), now: now,
                    expiresAt: now + EnrolmentCode.lifetime)
                codes.append(code)
            }
            return codes
        }
    }

    func bareInsert(
        _ location: Location, workload: Workload, directory: String
    ) async throws -> (Duration, Int?) {
        _ = try await addHubs(location, workload: workload)
        if let path = location.sqlitePath {
            return (try BareInsert.sqlite(path: path, workload: workload), nil)
        }
        let (time, peak) = try BareInsert.postgres(
            psql: try psql, schema: location.schema!, workload: workload, directory: directory)
        return (time, peak)
    }
}
