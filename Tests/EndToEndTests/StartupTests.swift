import Foundation
import KioskApp
import KioskCore
import KioskTestSupport
import Logging
import Testing

@Suite("Start-up with bad input")
struct StartupTests {
    /// What every kiosk.toml must set: the hub, the backend and a button.
    static let minimalConfig =
        "[hub]\nid = \"x\"\n[kiosk]\nbackend = \"simulator\"\n[[buttons]]\naction = \"checkin\"\n"

    func writeConfig(_ dir: TemporaryDirectory, _ text: String, directory: String? = nil) -> String {
        let config = dir.file("kiosk.toml")
        _ = FileManager.default.createFile(atPath: config, contents: Data(text.utf8))
        if let directory {
            _ = FileManager.default.createFile(atPath: dir.file("directory.json"), contents: Data(directory.utf8))
        }
        return config
    }

    @Test("A broken configuration stops start-up naming file and line; the database is never created")
    func brokenConfig() throws {
        let dir = TemporaryDirectory()
        let config = writeConfig(dir, "[hub]\nid = \"x\"\n[visit]\nidle_seconds = \"soon\"\n", directory: "[]")
        #expect {
            try KioskSetup.load(configPath: config, stateDirectoryFlag: dir.file("state"))
        } throws: { error in
            let message = "\(error)"
            return message.contains("kiosk.toml:4:") && message.contains("[visit] idle_seconds")
                && (error as? StartupError)?.exitCode == 78
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("state")))
    }

    @Test("A broken directory stops start-up naming the service and the field")
    func brokenDirectory() throws {
        let dir = TemporaryDirectory()
        let directory = """
            [{"id": "svc-1", "name": "Pantry", "status": "active",
              "schedules": [{"freq": "WEEKLY", "byday": "MO", "opens_at": "10:00", "closes_at": "1200"}],
              "attributes": [{"taxonomy_term": {"code": "food-pantry"}}]}]
            """
        let config = writeConfig(dir, Self.minimalConfig, directory: directory)
        #expect {
            try KioskSetup.load(configPath: config, stateDirectoryFlag: dir.file("state"))
        } throws: { error in
            let message = "\(error)"
            return message.contains("directory.json: line 2: service \"svc-1\", schedules[0].closes_at")
                && message.contains("\"1200\"")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("state")))
    }

    @Test("A second daemon on the same state directory is refused")
    func secondDaemon() throws {
        let dir = TemporaryDirectory()
        let setup = try KioskSetup.load(configPath: Repository.exampleConfig, stateDirectoryFlag: dir.path)
        let logger = Logger(label: "test")
        let first = try Kiosk(setup: setup, control: false, runtimeLink: false, logger: logger)
        #expect {
            try Kiosk(setup: setup, control: false, runtimeLink: false, logger: logger)
        } throws: { error in
            "\(error)".contains("another hubkioskd is running")
        }
        _ = first
    }
}

@Suite("Start-up on the board backend")
struct BoardStartupTests {
    @Test(
        "A line that does not exist stops start-up naming the key and line; the database is not opened",
        .enabled(if: !FileManager.default.fileExists(atPath: "/dev/gpiochip0")))
    func missingLine() async throws {
        let dir = TemporaryDirectory()
        try FileManager.default.copyItem(
            atPath: Repository.root.appendingPathComponent("packaging/kiosk.toml").path, toPath: dir.file("kiosk.toml"))
        try FileManager.default.copyItem(
            atPath: Repository.root.appendingPathComponent("Simulator/directory.json").path,
            toPath: dir.file("directory.json"))
        let run = try await ToolRun.run(
            "hubkioskd", ["--config", dir.file("kiosk.toml"), "--state-dir", dir.file("state")])
        #expect(run.status == 69)
        #expect(run.stderr.contains("[[buttons]] #1 line"))
        #expect(run.stderr.contains("GPIO5"))
        #expect(run.stderr.contains("hubkiosk doctor"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("state/hubkiosk.sqlite")))
        let doctor = try await ToolRun.run(
            "hubkiosk", ["doctor", "--config", dir.file("kiosk.toml"), "--state-dir", dir.file("state")],
            environment: ["PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": dir.file("run")])
        #expect(doctor.status == 1)
        #expect(doctor.stdout.contains("PROBLEM GPIO"))
        #expect(doctor.stdout.contains("PROBLEM printer"))
        #expect(doctor.stdout.contains("→ "))
    }
}
