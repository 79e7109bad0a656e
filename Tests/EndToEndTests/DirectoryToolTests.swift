import Foundation
import KioskApp
import KioskControl
import KioskCore
import KioskRuntime
import KioskTestSupport
import Logging
import ServiceLifecycle
import Testing

@Suite("hubkiosk directory status, import, reload and check URL, and SIGHUP, on the real daemon")
struct DirectoryToolTests {
    /// The example configuration reading a copy of the example directory in `dir`: the copy's text, its path and
    /// the configuration's.
    static func ownDirectory(in dir: TemporaryDirectory) throws -> (original: String, file: String, config: String) {
        let original = try String(contentsOfFile: Repository.root.path + "/Simulator/directory.json", encoding: .utf8)
        let file = dir.file("directory.json")
        try original.write(toFile: file, atomically: true, encoding: .utf8)
        var text = try String(contentsOfFile: Repository.exampleConfig, encoding: .utf8)
        text = text.replacingOccurrences(of: "directory = \"directory.json\"", with: "directory = \"\(file)\"")
        let config = dir.file("kiosk.toml")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        return (original, file, config)
    }

    @Test(
        "A typo then SIGHUP keeps the directory in use; reload after the fix uses it; import shows and applies",
        .timeLimit(.minutes(3)))
    func reloadImportHangup() async throws {
        let dir = TemporaryDirectory()
        let (original, file, config) = try Self.ownDirectory(in: dir)
        let state = dir.file("state")
        let process = Process()
        process.executableURL = Repository.buildDirectory.appendingPathComponent("hubkioskd")
        process.arguments = ["--config", config, "--state-dir", state, "--log-level", "error"]
        process.environment = ["PATH": "/usr/bin:/bin", "RUNTIME_DIRECTORY": dir.file("run")]
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Stopped off the cooperative pool: waiting for a process there would hold one of its few threads.
        let stop = { @Sendable in
            process.terminate()
            process.waitUntilExit()
        }
        // A test that ends early leaves no daemon behind (a signal, nothing to wait for).
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let socket = state + "/hubkioskd.sock"
        let ready = await waitUntil(seconds: 20) {
            (try? await ControlClient(socketPath: socket, timeout: .seconds(1)).request("GET", "/info")) != nil
        }
        try #require(ready, "the daemon did not start")
        let tool = ["--config", config, "--state-dir", state]
        func hubkiosk(_ arguments: String...) async throws -> ToolRun {
            try await ToolRun.run("hubkiosk", tool + arguments)
        }

        var run = try await hubkiosk("directory", "status")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("29 services (27 active) from \(file)"), "\(run.stdout)")

        // A typo in the file, then SIGHUP: the daemon stays up, keeps its 29 services and says what is wrong.
        try original.replacingOccurrences(of: "\"name\": \"Citizens Advice Inverallan\",", with: "\"name\": ,")
            .write(toFile: file, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        var problem = ""
        for _ in 0..<100 {
            run = try await hubkiosk("directory", "status", "--json")
            let status = try JSONDecoder().decode(ControlAPI.DirectoryStatus.self, from: Data(run.stdout.utf8))
            if let error = status.lastError {
                problem = error
                #expect(status.services == 29)
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(problem.contains("\(file) has 1 error"), "\(problem)")
        #expect(problem.contains("not valid JSON"), "\(problem)")
        #expect(process.isRunning)

        // The fix, then `directory reload`: used.
        try original.replacingOccurrences(of: "Citizens Advice Inverallan", with: "Citizens Advice Brae")
            .write(toFile: file, atomically: true, encoding: .utf8)
        run = try await hubkiosk("directory", "reload")
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("1 renamed"), "\(run.stdout)")

        // An import: shown first, nothing changed; then applied.
        let other = dir.file("other.json")
        try original.write(toFile: other, atomically: true, encoding: .utf8)
        run = try await hubkiosk("directory", "import", other)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stdout.contains("~ renamed \"Citizens Advice Brae\" to \"Citizens Advice Inverallan\""), "\(run.stdout)"
        )
        #expect(run.stdout.contains("Nothing changed yet"))
        run = try await hubkiosk("directory", "status")
        #expect(run.stdout.contains("from \(file)"), "\(run.stdout)")
        run = try await hubkiosk("directory", "import", other, "--apply")
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        run = try await hubkiosk("directory", "status")
        #expect(run.stdout.contains("from import of \(other)"), "\(run.stdout)")

        // A copy with most services gone needs --allow-loss.
        try "[]".write(toFile: dir.file("empty.json"), atomically: true, encoding: .utf8)
        run = try await hubkiosk("directory", "import", dir.file("empty.json"), "--apply")
        #expect(run.status != 0)
        #expect(run.stdout.contains("--allow-loss"), "\(run.stdout)")
        run = try await hubkiosk("directory", "status")
        #expect(run.stdout.contains("29 services"), "\(run.stdout)")

        // doctor and status carry the directory line.
        run = try await hubkiosk("status")
        #expect(run.stdout.contains("Directory: 29 services from import of \(other)"), "\(run.stdout)")
        run = try await hubkiosk("doctor")
        #expect(run.stdout.contains("directory") && run.stdout.contains("29 services from import of"), "\(run.stdout)")
        try await offPool(stop)
        #expect(process.terminationStatus == 0, "SIGTERM: a clean stop")
    }

    @Test(
        "A file that gains a typo while the kiosk is stopped: the next start prints from the last good copy and says why"
    )
    func typoAtRestart() async throws {
        let dir = TemporaryDirectory()
        let (original, file, config) = try Self.ownDirectory(in: dir)
        let state = dir.file("state")
        var setup = try KioskSetup.load(configPath: config, stateDirectoryFlag: state)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        do {
            let kiosk = try Kiosk(setup: setup, control: false, runtimeLink: false, logger: logger)
            let group = ServiceGroup(
                configuration: .init(services: kiosk.services.map { .init(service: $0) }, logger: logger))
            let running = Task { try await group.run() }
            for _ in 0..<100 where !FileManager.default.fileExists(atPath: state + "/directory/current.json") {
                try await Task.sleep(for: .milliseconds(20))
            }
            await group.triggerGracefulShutdown()
            try await running.value
            kiosk.cleanUp()
        }
        try original.replacingOccurrences(of: "\"status\": \"active\"", with: "\"status\": \"actve\"")
            .write(toFile: file, atomically: true, encoding: .utf8)
        // `--check` still refuses the file; a start uses the copy.
        #expect(throws: StartupError.self) {
            try KioskSetup.load(configPath: config, stateDirectoryFlag: state, fileOnly: true)
        }
        setup = try KioskSetup.load(configPath: config, stateDirectoryFlag: state)
        #expect(setup.directory.services.count == 29)
        #expect(setup.directoryNotice?.contains("printing from the last good copy (29 services)") == true)
        let kiosk = try Kiosk(setup: setup, control: false, runtimeLink: false, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: kiosk.services.map { .init(service: $0) }, logger: logger))
        let running = Task { try await group.run() }
        var alerts: [String] = []
        for _ in 0..<100 {
            alerts = try await kiosk.service.status().alerts.map(\.description)
            if !alerts.isEmpty { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(alerts.contains { $0.hasPrefix("directory: \(file) has") }, "\(alerts)")
        await group.triggerGracefulShutdown()
        try await running.value
        kiosk.cleanUp()
    }

    @Test("directory check URL follows the pages and sums up; --save keeps what was fetched")
    func checkURL() async throws {
        let feed = try await FeedServer.start(services: 20, pageSize: 8)
        let dir = TemporaryDirectory()
        let run = try await ToolRun.run(
            "hubkiosk",
            [
                "directory", "check", feed.url.absoluteString, "--config", Repository.exampleConfig, "--save",
                dir.file("feed.json"),
            ])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("3 pages"), "\(run.stdout)")
        #expect(run.stdout.contains("20 services read (20 active)"), "\(run.stdout)")
        #expect(run.stdout.contains("food: 20 active services"), "\(run.stdout)")
        #expect(FileManager.default.fileExists(atPath: dir.file("feed.json")))
        try await feed.stop()
    }
}
