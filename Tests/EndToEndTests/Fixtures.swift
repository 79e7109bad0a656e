import Foundation
import KioskApp
import KioskConfig
import KioskCore
import KioskSimulator
import KioskTestSupport
import Logging
import ServiceLifecycle

/// Paths in the source tree.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let exampleConfig = root.appendingPathComponent("Simulator/kiosk.toml").path
    static func scenario(_ name: String) -> String {
        root.appendingPathComponent("Simulator/scenarios/\(name).toml").path
    }

    /// The directory the package's executables are built into (next to this test bundle).
    static var buildDirectory: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }
}

/// The daemon's wiring, in this process, on the simulator and a manual clock.
struct InProcessKiosk {
    let state = TemporaryDirectory()
    let clock: ManualClock
    let kiosk: Kiosk
    let group: ServiceGroup
    let running: Task<Void, any Error>
    let driver: InProcessScenarioDriver

    /// Starts the kiosk with the example configuration at `start` (hub local time, ISO 8601).
    init(start: String = "2026-12-03T10:00", control: Bool = false) throws {
        let setup = try KioskSetup.load(configPath: Repository.exampleConfig, stateDirectoryFlag: state.path)
        let parts = start.split(separator: "T")
        let wall = setup.configuration.hub.timeZone.instant(
            of: LocalDate(iso: parts[0])!, at: LocalTime(text: parts[1])!)
        clock = ManualClock(wall: wall)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        kiosk = try Kiosk(
            setup: setup, clock: clock, control: control, pages: false, runtimeLink: false, logger: logger)
        group = ServiceGroup(
            configuration: .init(services: kiosk.services.map { .init(service: $0) }, logger: logger))
        let group = self.group
        running = Task { try await group.run() }
        driver = InProcessScenarioDriver(kiosk: kiosk, clock: clock)
    }

    /// Plays a scenario file from Simulator/scenarios and waits for its slips.
    func play(_ name: String) async throws -> [String] {
        let scenario = try Scenario.load(path: Repository.scenario(name), layout: kiosk.setup.configuration.layout)
        var lines: [String] = []
        try await ScenarioPlayer.play(scenario, on: driver) { lines.append($0) }
        await driver.finish()
        return lines
    }

    /// Stops the kiosk as SIGTERM would, and waits for it.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
        kiosk.cleanUp()
    }
}

/// Runs blocking work (socket calls, child processes) off the cooperative thread pool.
///
/// Each call gets a thread of its own: Dispatch's global queues have a few threads per core, and tests that block
/// them on child processes and sockets at once (a full run on 2 cores) would otherwise wait for each other.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}

/// Asks `condition` every `pause` until it holds or `seconds` have passed; whether it held.
func waitUntil(
    seconds: Double, every pause: Duration = .milliseconds(20), _ condition: () async -> Bool
) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: pause)
    }
    return false
}

/// Runs one of the package's executables to completion.
struct ToolRun: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String

    static func run(_ name: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> ToolRun
    {
        let executable = Repository.buildDirectory.appendingPathComponent(name)
        return try await offPool {
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            if let environment { process.environment = environment }
            let out = Pipe()
            let err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return ToolRun(
                status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                stderr: String(decoding: stderr, as: UTF8.self))
        }
    }
}
