import ArgumentParser
import Foundation
import KioskControl
import KioskCore
import KioskStore

import struct KioskTestSupport.SplitMix64

/// The kiosk's sync against the real service: a 72-hour backlog cleared by `hubkiosk sync now` (beside an empty
/// sync), then press latency and memory of a daemon syncing every 10 s beside one with sync off, in alternating
/// blocks. Release `hubkioskd`, `hubkiosk` and `hubreport`, loopback only.
struct SyncBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "A 72 h backlog cleared; press latency and RSS with sync on and off.")

    @OptionGroup var common: CommonOptions
    @Option(help: "The daemon.") var daemon = ".build/release/hubkioskd"
    @Option(help: "The kiosk tool.") var tool = ".build/release/hubkiosk"
    @Option(help: "The reporting service.") var hubreport = ".build/release/hubreport"
    @Option(help: "Loopback port for the service.") var port = 54_390
    @Option(help: "Hours of presses not yet synced.") var hours = 72
    @Option(help: "Visits in each of those hours.") var visitsPerHour = 12
    @Option(help: "Empty syncs timed (the reference).") var runs = 7
    @Option(help: "Presses per daemon for the latency comparison.") var presses = 1_500
    @Option(help: "Pause after each press, in ms (so that the presses span several sync intervals).") var pause = 20
    @Option(help: "Presses per block; blocks alternate between the two daemons.") var block = 100

    func run() async throws {
        let directory = URL(fileURLWithPath: common.dir).appendingPathComponent("sync-\(getpid())")
            .standardizedFileURL.path
        let on = directory + "/on"
        let off = directory + "/off"
        for folder in [on, off] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try syncConfiguration(in: directory)
        let filled = try fill(path: on + "/hubkiosk.sqlite")
        let service = "http://127.0.0.1:\(port)"
        let database = directory + "/hubreport.sqlite"

        // Enrol while the service runs, then take it away: the kiosk starts with its backlog and cannot send it.
        let added = try run(
            hubreport, ["hub", "add", "brae-street", "--name", "Brae Street Hub", "--json", "--database", database])
        guard
            let code = (try JSONSerialization.jsonObject(with: Data(added.utf8)) as? [String: Any])?["code"] as? String
        else { throw BenchError("no code from hubreport hub add") }
        var report = try startService(database: database, directory: directory)
        _ = try run(tool, ["sync", "enrol", service, code, "--config", config, "--state-dir", on])
        stop(report)
        let kiosk = try await startDaemon(config: config, state: on)
        let quiet = try await startDaemon(config: config, state: off)
        defer {
            for process in [kiosk, quiet] { stop(process) }
        }
        let before = try status(config: config, state: on)
        report = try startService(database: database, directory: directory)
        defer { stop(report) }

        // The backlog: `sync now`, then `sync status` until nothing is left.
        let clock = ContinuousClock()
        let start = clock.now
        _ = try? run(tool, ["sync", "now", "--json", "--config", config, "--state-dir", on])
        let nowReturned = clock.now - start
        var after = try status(config: config, state: on)
        while after.backlog ?? 1 > 0 {
            guard clock.now - start < .seconds(120) else { throw BenchError("the backlog was not cleared in 120 s") }
            try await Task.sleep(for: .milliseconds(20))
            after = try status(config: config, state: on)
        }
        let cleared = clock.now - start
        var empty: [Double] = []
        for _ in 0..<runs {
            let one = clock.now
            _ = try run(tool, ["sync", "now", "--json", "--config", config, "--state-dir", on])
            empty.append((clock.now - one).milliseconds)
        }
        let emptySummary = Summary(milliseconds: empty)
        print(
            "72 h backlog: \(filled.visits) visits, \(filled.presses) presses in \(hours) hours; backlog before "
                + "\(before.backlog ?? -1) buckets (state \(before.state)), after \(after.backlog ?? -1) (state \(after.state))"
        )
        print("| what | ms |\n|---|---:|")
        print("| `hubkiosk sync now` with nothing to send (reference), p50 of \(runs) | \(f(emptySummary.p50, 1)) |")
        print("| `hubkiosk sync now` with nothing to send, max | \(f(emptySummary.max, 1)) |")
        print("| `hubkiosk sync now` with the backlog: command returned | \(f(nowReturned.milliseconds, 1)) |")
        print("| `hubkiosk sync now` with the backlog: `sync status` shows backlog 0 | \(f(cleared.milliseconds, 1)) |")

        // Press latency and memory: the enrolled daemon (syncing every 10 s to a reachable service) beside one
        // with sync off, blocks alternating so that drift hits both alike.
        var latencies: [[Double]] = [[], []]
        let sockets = [on + "/hubkioskd.sock", off + "/hubkioskd.sock"]
        let buttons = ["money", "food", "housing", "wellbeing", "social", "caring", "work", "talk", "checkin"]
        let pressStart = clock.now
        var n = 0
        while latencies[0].count < presses {
            for which in 0..<2 {
                let client = ControlClient(socketPath: sockets[which], timeout: .seconds(10))
                for i in 0..<block {
                    let started = clock.now
                    _ = try await client.call(
                        "POST", "/sim/press",
                        body: ControlAPI.PressRequest(button: buttons[(n + i) % buttons.count], holdMilliseconds: 35),
                        as: ControlAPI.PressResponse.self)
                    latencies[which].append((clock.now - started).milliseconds)
                    usleep(UInt32(pause * 1000))
                }
            }
            n += block
        }
        let pressSeconds = (clock.now - pressStart).milliseconds / 1000
        let syncOn = Summary(milliseconds: latencies[0])
        let syncOff = Summary(milliseconds: latencies[1])
        let finalStatus = try status(config: config, state: on)
        print()
        print("Press → acknowledged over the control socket, \(presses) presses each, \(f(pressSeconds, 0)) s")
        print(Summary.header)
        print(syncOff.row("sync off (not enrolled): reference"))
        print(syncOn.row("sync on (enrolled, every 10 s, service reachable)"))
        print("p50 difference \(f(syncOn.p50 - syncOff.p50)) ms, p99 difference \(f(syncOn.p99 - syncOff.p99)) ms")
        print(
            "sync state at the end: \(finalStatus.state), backlog \(finalStatus.backlog ?? -1), last success \(finalStatus.lastSuccess ?? "never")"
        )
        print("| daemon | VmRSS MB | VmHWM MB | CPU s |\n|---|---:|---:|---:|")
        for (name, process) in [("sync off", quiet), ("sync on", kiosk)] {
            let pid = process.processIdentifier
            print(
                "| \(name) | \(mb(ProcessStats.residentKilobytes(pid))) | \(mb(ProcessStats.peakResidentKilobytes(pid))) | "
                    + "\(f((ProcessStats.cpuMilliseconds(pid) ?? 0) / 1000, 2)) |")
        }
    }

    private func mb(_ kilobytes: Int?) -> String { kilobytes.map { f(Double($0) / 1024, 1) } ?? "?" }

    private func status(config: String, state: String) throws -> ControlAPI.SyncStatus {
        let text = try run(tool, ["sync", "status", "--json", "--config", config, "--state-dir", state])
        return try JSONDecoder().decode(ControlAPI.SyncStatus.self, from: Data(text.utf8))
    }

    /// Runs a command to completion and returns its output; throws if it fails.
    @discardableResult
    private func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError(
                "\(executable) \(arguments.joined(separator: " ")) failed: \(String(decoding: data, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    private func startService(database: String, directory: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: hubreport)
        process.arguments = [
            "serve", "--database", database, "--listen", "127.0.0.1:\(port)", "--log-level", "warning",
        ]
        process.standardError = FileHandle.nullDevice
        try process.run()
        let started = Date()
        while !accepts(port: port) {
            guard Date().timeIntervalSince(started) < 30, process.isRunning else {
                throw BenchError("hubreport serve did not start")
            }
            usleep(20_000)
        }
        return process
    }

    private func startDaemon(config: String, state: String) async throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: daemon)
        process.arguments = ["--config", config, "--state-dir", state, "--log-level", "error"]
        process.environment = ["XDG_RUNTIME_DIR": state + "/run"]
        try process.run()
        let started = Date()
        let socket = state + "/hubkioskd.sock"
        while (try? await ControlClient(socketPath: socket, timeout: .seconds(1)).request("GET", "/info")) == nil {
            guard Date().timeIntervalSince(started) < 30 else { throw BenchError("the daemon did not start") }
            usleep(10_000)
        }
        return process
    }

    private func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    private func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// The example configuration, syncing every 10 s, its directory file by absolute path.
    private func syncConfiguration(in directory: String) throws -> String {
        let source = URL(fileURLWithPath: common.config).standardizedFileURL
        var text = try String(contentsOf: source, encoding: .utf8)
        let directoryFile = source.deletingLastPathComponent().appendingPathComponent("directory.json").path
        text = text.replacingOccurrences(of: "directory = \"directory.json\"", with: "directory = \"\(directoryFile)\"")
        text = text.replacingOccurrences(of: "interval_seconds = 300", with: "interval_seconds = 10")
        let path = directory + "/kiosk.toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `hours` hours of visits up to a minute ago, `visitsPerHour` each with 1–3 needs.
    private func fill(path: String) throws -> (visits: Int, presses: Int) {
        let database = try KioskDatabase(path: path)
        let zone = HubTimeZone.london
        var random = SplitMix64(seed: 72)
        let needs: [NeedCode] = ["money", "food", "housing", "wellbeing", "social", "caring", "work", "talk"]
        let end = Date().addingTimeInterval(-60)
        let first = end.addingTimeInterval(-Double(hours) * 3600)
        var records: [KioskRecord] = []
        var mono = MonotonicInstant(nanoseconds: 1_000_000_000)
        var presses = 0
        let visits = hours * visitsPerHour
        for index in 0..<visits {
            let date = first.addingTimeInterval(Double(index) * 3600 / Double(visitsPerHour))
            let wall = WallClockReading(date: date, synchronized: true)
            let local = zone.local(of: date)
            let visit = UUID()
            mono = mono + .seconds(300)
            records.append(
                .visitStarted(
                    VisitEntry(
                        id: visit, startedAt: wall, startedMonotonic: mono, bootID: "bench", localDay: local.date,
                        localHour: local.time.hour)))
            var chosen: [NeedCode] = []
            let count = Int(random.next() % 3) + 1
            while chosen.count < count {
                let need = needs[Int(random.next() % UInt64(needs.count))]
                if !chosen.contains(need) { chosen.append(need) }
            }
            for (i, need) in chosen.enumerated() {
                records.append(
                    .press(
                        PressEntry(
                            id: UUID(), button: ButtonID(need.rawValue), need: need, at: wall, monotonic: mono,
                            bootID: "bench", flags: [], visitID: visit, countsVisit: i == 0, countsNeed: true)))
                presses += 1
            }
        }
        try database.commitSync(records, timeZone: zone)
        try database.close()
        return (visits, presses)
    }
}
