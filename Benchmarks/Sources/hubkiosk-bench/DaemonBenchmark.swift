import ArgumentParser
import Foundation
import KioskControl
import Synchronization

/// The real daemon (release build) on the simulator: resident memory after start and after many presses, and the
/// CPU it uses while idle.
struct DaemonBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon", abstract: "Daemon RSS after start and after many presses; CPU while idle.")

    @OptionGroup var common: CommonOptions

    @Option(help: "The daemon to measure.")
    var daemon = ".build/release/hubkioskd"

    @Option(help: "Presses to send through the control socket.")
    var presses = 100_000

    @Option(help: "Seconds to watch the idle daemon's CPU time.")
    var idleSeconds = 60

    @Option(help: "Buttons in the benchmark's layout (a button may only be pressed again after its debounce).")
    var buttons = 36

    func run() async throws {
        let directory = URL(fileURLWithPath: common.dir).appendingPathComponent("daemon-\(getpid())")
            .standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try benchConfiguration(in: directory)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: daemon)
        process.arguments = ["--config", config, "--state-dir", directory, "--log-level", "error"]
        process.environment = ["XDG_RUNTIME_DIR": directory + "/run"]
        let started = Date()
        try process.run()
        let pid = process.processIdentifier
        let socket = directory + "/hubkioskd.sock"
        while (try? await ControlClient(socketPath: socket, timeout: .seconds(1)).request("GET", "/info")) == nil {
            guard Date().timeIntervalSince(started) < 30 else { throw BenchError("the daemon did not start") }
            usleep(10_000)
        }
        let readyAfter = Date().timeIntervalSince(started)
        try await Task.sleep(for: .seconds(2))
        let rssStart = ProcessStats.residentKilobytes(pid) ?? 0
        let anonStart = ProcessStats.status(pid, "RssAnon:") ?? 0
        let referenceRSS = try await referenceResidentKilobytes()

        // Idle: nothing but the daemon waiting for a press.
        let cpuBefore = ProcessStats.cpuMilliseconds(pid) ?? 0
        try await Task.sleep(for: .seconds(idleSeconds))
        let idleCPU = (ProcessStats.cpuMilliseconds(pid) ?? 0) - cpuBefore

        // Presses: three clients, each with its own buttons, each button held 35 ms and pressed every 100 ms or
        // less often.
        let counter = Counter()
        let pressStart = Date()
        let cpuBeforePresses = ProcessStats.cpuMilliseconds(pid) ?? 0
        let total = presses
        let buttonCount = buttons
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<3 {
                group.addTask {
                    let mine = (0..<buttonCount).filter { $0 % 3 == worker }.map { String(format: "b%02d", $0) }
                    var last = [Date](repeating: .distantPast, count: mine.count)
                    let client = ControlClient(socketPath: socket, timeout: .seconds(10))
                    var n = 0
                    while counter.take(limit: total) {
                        let index = n % mine.count
                        n += 1
                        let wait = 0.100 - Date().timeIntervalSince(last[index])
                        if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
                        last[index] = Date()
                        let response = try await client.call(
                            "POST", "/sim/press",
                            body: ControlAPI.PressRequest(button: mine[index], holdMilliseconds: 35),
                            as: ControlAPI.PressResponse.self)
                        if response.result == "stored" { counter.stored() }
                    }
                }
            }
            group.addTask {
                while counter.sent < total {
                    try await Task.sleep(for: .seconds(15))
                    let rss = ProcessStats.residentKilobytes(pid) ?? 0
                    let rate = Double(counter.sent) / Date().timeIntervalSince(pressStart)
                    FileHandle.standardError.write(
                        Data("  \(counter.sent) presses, \(Int(rate))/s, RSS \(rss / 1024) MB\n".utf8))
                }
            }
            try await group.waitForAll()
        }
        let pressSeconds = Date().timeIntervalSince(pressStart)
        let pressCPU = (ProcessStats.cpuMilliseconds(pid) ?? 0) - cpuBeforePresses
        try await Task.sleep(for: .seconds(2))
        let rssAfter = ProcessStats.residentKilobytes(pid) ?? 0
        let anonAfter = ProcessStats.status(pid, "RssAnon:") ?? 0
        let peak = ProcessStats.peakResidentKilobytes(pid) ?? 0
        // A visit ends after 60 s without a press: the kiosk then checkpoints and gives memory back.
        try await Task.sleep(for: .seconds(62))
        let rssIdle = ProcessStats.residentKilobytes(pid) ?? 0
        let anonIdle = ProcessStats.status(pid, "RssAnon:") ?? 0

        let stopAt = Date()
        kill(pid, SIGTERM)
        process.waitUntilExit()
        let stopSeconds = Date().timeIntervalSince(stopAt)

        print("Daemon (\(daemon)), simulator backend")
        print("| what | value | reference / target |\n|---|---:|---|")
        print("| ready after start | \(f(readyAfter, 2)) s | |")
        print("| RSS of a Swift + Foundation process doing nothing (reference) | \(mb(referenceRSS)) | |")
        print(
            "| RSS after start | \(mb(rssStart)) (anonymous \(mb(anonStart))) | ≤ 30 MB; a Python kiosk (gpiozero + python-escpos + sqlite3): 31 MB |"
        )
        print("| CPU while idle for \(idleSeconds) s | \(f(idleCPU, 0)) ms | ≤ 50 ms |")
        print("| presses sent / stored | \(counter.sent) / \(counter.storedCount) | |")
        print("| press rate | \(Int(Double(counter.sent) / pressSeconds)) /s | |")
        print("| CPU per press | \(f(pressCPU / Double(max(1, counter.sent)), 3)) ms | |")
        print("| RSS after \(counter.sent) presses | \(mb(rssAfter)) (anonymous \(mb(anonAfter))) | ≤ 30 MB |")
        print("| RSS once the visit ended (idle) | \(mb(rssIdle)) (anonymous \(mb(anonIdle))) | |")
        print("| peak RSS | \(mb(peak)) | |")
        print("| SIGTERM → exit | \(f(stopSeconds * 1000, 0)) ms, status \(process.terminationStatus) | ≤ 5 s, 0 |")
    }

    private func mb(_ kilobytes: Int) -> String { "\(f(Double(kilobytes) / 1024, 1)) MB" }

    /// RSS of ``IdleReference`` started from this executable.
    private func referenceResidentKilobytes() async throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["idle-reference", "--seconds", "10"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try await Task.sleep(for: .seconds(2))
        let rss = ProcessStats.residentKilobytes(process.processIdentifier) ?? 0
        process.terminate()
        process.waitUntilExit()
        return rss
    }

    /// The example configuration with `buttons` buttons (b00, b01, …) shared out among the needs.
    private func benchConfiguration(in directory: String) throws -> String {
        let source = URL(fileURLWithPath: common.config).standardizedFileURL
        var text = try String(contentsOf: source, encoding: .utf8)
        if let range = text.range(of: "[[buttons]]") { text = String(text[..<range.lowerBound]) }
        let directoryFile = source.deletingLastPathComponent().appendingPathComponent("directory.json").path
        text = text.replacingOccurrences(of: "directory = \"directory.json\"", with: "directory = \"\(directoryFile)\"")
        let needs = ["money", "food", "housing", "wellbeing", "social", "caring", "work", "talk"]
        for index in 0..<buttons {
            text +=
                "\n[[buttons]]\nid = \"\(String(format: "b%02d", index))\"\nneed = \"\(needs[index % needs.count])\"\n"
        }
        let path = directory + "/kiosk.toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// Shares out a number of presses among workers.
final class Counter: Sendable {
    private let state = Mutex<(sent: Int, stored: Int)>((0, 0))

    func take(limit: Int) -> Bool {
        state.withLock { s in
            guard s.sent < limit else { return false }
            s.sent += 1
            return true
        }
    }

    func stored() {
        state.withLock { $0.stored += 1 }
    }

    var sent: Int { state.withLock { $0.sent } }
    var storedCount: Int { state.withLock { $0.stored } }
}
