import Foundation
import KioskControl
import KioskTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("The hubkiosk tool")
struct ToolTests {
    @Test("export prints the tallies of a database the kiosk wrote, suppressed on request")
    func export() async throws {
        let kiosk = try InProcessKiosk(start: "2026-12-03T10:00")
        _ = try await kiosk.play("busy-morning")
        try await kiosk.stop()
        let state = kiosk.state.path
        let csv = try await ToolRun.run(
            "hubkiosk",
            ["export", "--config", Repository.exampleConfig, "--state-dir", state, "--by", "week", "--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(
            csv.stdout == "hub,period,start,end,partial,visits,money,food,housing,wellbeing,social,caring,work,talk\r\n"
                + "brae-street,2026-W49,2026-11-30,2026-12-06,false,5,2,2,1,2,1,1,0,1\r\n"
                + "brae-street,total,2026-11-30,2026-12-06,false,5,2,2,1,2,1,1,0,1\r\n")
        let json = try await ToolRun.run(
            "hubkiosk",
            [
                "export", "--config", Repository.exampleConfig, "--state-dir", state, "--by", "month", "--format",
                "json", "--suppress",
            ])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let periods = object?["periods"] as? [[String: Any]]
        #expect(periods?.first?["period"] as? String == "2026-12")
        #expect(periods?.first?["visits"] as? String == "[c]")
        let hours = try await ToolRun.run(
            "hubkiosk",
            [
                "export", "--config", Repository.exampleConfig, "--state-dir", state, "--by", "hour", "--from",
                "2026-12-03", "--to", "2026-12-03", "--format", "csv",
            ])
        #expect(hours.status == 0, "\(hours.stderr)")
        let hourLines = hours.stdout.components(separatedBy: "\r\n").dropFirst().dropLast()
        #expect(hourLines.count == 25, "24 hours and the total")
        #expect(hourLines.first?.hasPrefix("brae-street,2026-12-03T00,2026-12-03,2026-12-03,false,") == true)
        let hourVisits = hourLines.dropLast().map { Int($0.split(separator: ",")[5]) ?? -1 }
        #expect(hourVisits.reduce(0, +) == 5 && hourVisits.prefix(10).allSatisfy { $0 == 0 }, "\(hourVisits)")
        #expect(hourLines.last?.hasPrefix("brae-street,total,2026-12-03,2026-12-03,false,5,") == true)
        let bad = try await ToolRun.run(
            "hubkiosk", ["export", "--config", Repository.exampleConfig, "--state-dir", state, "--from", "2026-13-01"])
        #expect(bad.status != 0 && bad.stderr.contains("--from 2026-13-01 is not a date"))
    }

    @Test("slip preview shows a slip at a given moment; an unknown need lists the valid ones")
    func slipPreview() async throws {
        let dir = TemporaryDirectory()
        let preview = try await ToolRun.run(
            "hubkiosk",
            [
                "slip", "preview", "--config", Repository.exampleConfig, "--need", "work", "--at", "2026-12-05T10:30",
                "--escpos", dir.file("work.bin"),
            ])
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(preview.stdout.contains("Digital Drop-in"))
        #expect(preview.stdout.contains("Open now until 12:00"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir.file("work.bin")))
        #expect(bytes.starts(with: [0x1B, 0x40, 0x1B, 0x74, 19]))
        let unknown = try await ToolRun.run(
            "hubkiosk", ["slip", "preview", "--config", Repository.exampleConfig, "--need", "fod"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("\"fod\" is not a need") && unknown.stderr.contains("money, food, housing"))
    }

    @Test("directory check reports every problem with its line, and fails on errors")
    func directoryCheck() async throws {
        let dir = TemporaryDirectory()
        let file = dir.file("directory.json")
        let json = """
            [
              {"id": "a", "name": "A", "status": "active", "schedules": [{"freq": "WEEKLY", "byday": "XX", "opens_at": "10:00", "closes_at": "12:00"}]},
              {"id": "b", "status": "gone"}
            ]
            """
        _ = FileManager.default.createFile(atPath: file, contents: Data(json.utf8))
        let run = try await ToolRun.run("hubkiosk", ["directory", "check", "--no-config", file])
        #expect(run.status == 1)
        #expect(run.stdout.contains("\(file):2: error: service \"a\", schedules[0].byday"))
        #expect(run.stdout.contains("\(file):3: error: service \"b\", name"))
        #expect(run.stdout.contains("\(file):3: error: service \"b\", status: \"gone\""))
        let good = try await ToolRun.run(
            "hubkiosk",
            [
                "directory", "check", "--config", Repository.exampleConfig,
                Repository.root.path + "/Simulator/directory.json",
            ])
        #expect(good.status == 0, "\(good.stdout)")
        #expect(good.stdout.contains("0 errors"))
    }

    @Test("sim press without a running daemon says how to start one")
    func noDaemon() async throws {
        let dir = TemporaryDirectory()
        let run = try await ToolRun.run(
            "hubkiosk", ["sim", "press", "food", "--state-dir", dir.path],
            environment: [
                "PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": dir.file("run"),
                "HUBKIOSK_CONFIG": Repository.exampleConfig,
            ])
        #expect(run.status != 0)
        #expect(run.stderr.contains("not running"))
    }

    @Test(
        "sim press refuses a hold out of range before calling the daemon",
        arguments: ["0", "-1", "3600001", "\(Int.max)", "99999999999999999999", "1e300", "long"])
    func holdOutOfRange(hold: String) async throws {
        let dir = TemporaryDirectory()
        let run = try await ToolRun.run(
            "hubkiosk", ["sim", "press", "food", "--state-dir", dir.path, "--hold-ms=\(hold)"],
            environment: ["PATH": "/usr/bin:/bin", "HUBKIOSK_CONFIG": Repository.exampleConfig])
        #expect(run.status == 64, "a usage error: \(run.stderr)")
        #expect(run.stderr.contains("--hold-ms"), "\(run.stderr)")
        #expect(!run.stderr.contains("not running"), "refused before looking for the daemon")
    }

    /// A daemon that accepts no more connections (its backlog is full: here a socket nobody accepts on) is busy:
    /// the tool says so, rather than "not running" or "no configuration" (after its 20 s probe timeout, which is
    /// long so that a flood of idle connections only delays it: see `ControlSocketTests.flood`).
    @Test("A busy daemon is reported as busy")
    func busyDaemon() async throws {
        let dir = TemporaryDirectory()
        let run = dir.file("run")
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: false)
        let socketPath = (run as NSString).appendingPathComponent(ControlAPI.socketName)
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(socketPath.utf8))
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0 && listen(listener, 0) == 0)
        var queued: [RawConnection] = []
        while queued.count < 16, let connection = RawConnection.open(socketPath) { queued.append(connection) }
        defer { queued.forEach { $0.close() } }
        try #require(queued.count < 16, "the backlog is full")

        let environment = ["PATH": "/usr/bin:/bin", "RUNTIME_DIRECTORY": run]
        for arguments in [["status"], ["export", "--by", "day", "--format", "csv"]] {
            let tool = try await ToolRun.run("hubkiosk", arguments, environment: environment)
            #expect(tool.status != 0)
            #expect(tool.stderr.contains("is busy"), "\(arguments): \(tool.stderr)")
            #expect(!tool.stderr.contains("no configuration") && !tool.stderr.contains("not running"))
        }
    }

    @Test("The daemon checks its configuration without starting")
    func daemonCheck() async throws {
        let run = try await ToolRun.run("hubkioskd", ["--config", Repository.exampleConfig, "--check"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("ok (29 services)"))
        let missing = try await ToolRun.run("hubkioskd", ["--config", "/nonexistent.toml"])
        #expect(missing.status == 78)
        #expect(missing.stderr.contains("/nonexistent.toml: does not exist"))
    }
}
