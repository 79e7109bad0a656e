import Foundation
import KioskTestSupport
import Testing

/// `hubkioskd --check` and start-up, run as the real executable on broken files.
@Suite("hubkioskd --check")
struct CheckTests {
    /// A copy of an example configuration (and the example directory) with `edit` applied, in `dir`.
    func example(_ name: String, in dir: TemporaryDirectory, _ edit: (String) -> String) throws -> String {
        let text = try String(contentsOf: Repository.root.appendingPathComponent(name), encoding: .utf8)
        _ = FileManager.default.createFile(atPath: dir.file("kiosk.toml"), contents: Data(edit(text).utf8))
        if !FileManager.default.fileExists(atPath: dir.file("directory.json")) {
            try FileManager.default.copyItem(
                atPath: Repository.root.appendingPathComponent("Simulator/directory.json").path,
                toPath: dir.file("directory.json"))
        }
        return dir.file("kiosk.toml")
    }

    /// The 1-based line of the first line of `text` that starts with `prefix`.
    func line(of prefix: String, in name: String) throws -> Int {
        let text = try String(contentsOf: Repository.root.appendingPathComponent(name), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.firstIndex { $0.hasPrefix(prefix) } ?? -1) + 1
    }

    static let badNumbers = [
        "1e300", "-1e300", "1e999", "inf", "-inf", "nan", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808",
    ]

    @Test("A number out of range in kiosk.toml stops --check and start-up with file:line and key, never a trap")
    func numbers() async throws {
        let keys = [
            ("Simulator/kiosk.toml", "idle_seconds = ", "[visit] idle_seconds"),
            ("Simulator/kiosk.toml", "hold_ms = ", "[simulator] hold_ms"),
            ("packaging/kiosk.toml", "write_timeout_seconds = ", "[printer] write_timeout_seconds"),
            ("packaging/kiosk.toml", "line = ", "[[buttons]] #1 line"),
        ]
        for (file, prefix, key) in keys {
            let number = try line(of: prefix, in: file)
            for value in Self.badNumbers {
                let dir = TemporaryDirectory()
                let config = try example(file, in: dir) { text in
                    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                    lines[number - 1] = prefix + value
                    return lines.joined(separator: "\n")
                }
                for arguments in [["--check"], ["--state-dir", dir.file("state")]] {
                    let run = try await ToolRun.run("hubkioskd", ["--config", config] + arguments)
                    #expect(run.status == 78, "\(key) = \(value) \(arguments): \(run.status) \(run.stderr)")
                    #expect(run.stderr.contains("\(config):\(number)"), "\(run.stderr)")
                    #expect(run.stderr.contains(key), "\(run.stderr)")
                }
                #expect(!FileManager.default.fileExists(atPath: dir.file("state")))
            }
        }
    }

    @Test("--check prints the directory's warnings and exits 0; only errors fail")
    func warnings() async throws {
        let dir = TemporaryDirectory()
        let config = try example("Simulator/kiosk.toml", in: dir) { text in
            text.replacingOccurrences(of: "taxonomy = [\"carers-support\"]", with: "taxonomy = [\"carer-support\"]")
                + "\n[[needs]]\ncode = \"pets\"\ntaxonomy = [\"pet-food\"]\n\n[[buttons]]\nneed = \"pets\"\n"
        }
        let run = try await ToolRun.run("hubkioskd", ["--config", config, "--check"])
        #expect(run.status == 0, "\(run.stderr)")
        let directory = dir.file("directory.json")
        #expect(run.stdout.contains("\(directory): warning: need pets: no active service has any of the terms"))
        #expect(run.stdout.contains("\(directory): warning: need caring:"))
        #expect(run.stdout.contains(": warning: service \"svc-carers-centre\", attributes: no kiosk need maps"))
        #expect(run.stdout.contains("\(config): ok (29 services), "))
        #expect(run.stdout.contains(" warnings"))
        let clean = try await ToolRun.run("hubkioskd", ["--config", Repository.exampleConfig, "--check"])
        #expect(clean.status == 0 && !clean.stdout.contains("warning"), "\(clean.stdout)")
    }

    @Test("An emptied kiosk.toml does not start a kiosk with every default; it says what to add")
    func emptied() async throws {
        for text in ["", "# emptied\n", "[hub]\nname = \"Brae Street Hub\"\n"] {
            let dir = TemporaryDirectory()
            _ = FileManager.default.createFile(atPath: dir.file("kiosk.toml"), contents: Data(text.utf8))
            let run = try await ToolRun.run(
                "hubkioskd", ["--config", dir.file("kiosk.toml"), "--state-dir", dir.file("state")])
            #expect(run.status == 78, "\(run.stderr)")
            #expect(run.stderr.contains("[hub] id") && run.stderr.contains("[kiosk] backend"), "\(run.stderr)")
            #expect(run.stderr.contains("[[buttons]]"), "\(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.file("state")))
        }
    }

    @Test("--check finds two keys on one GPIO line in the board example before any hardware is touched")
    func wiringClash() async throws {
        let dir = TemporaryDirectory()
        let config = try example("packaging/kiosk.toml", in: dir) { text in
            text.replacingOccurrences(of: "line = \"GPIO6\"", with: "line = \"GPIO5\"")
                .replacingOccurrences(of: "staff_alert = \"GPIO10\"", with: "staff_alert = \"GPIO4\"")
        }
        let run = try await ToolRun.run("hubkioskd", ["--config", config, "--check"])
        #expect(run.status == 78, "\(run.stderr)")
        #expect(run.stderr.contains("[[buttons]] #2 line: GPIO5 is also [[buttons]] #1 line"), "\(run.stderr)")
        #expect(run.stderr.contains("[board] staff_alert: GPIO4 is also [[buttons]] #8 led"), "\(run.stderr)")
    }

    @Test("A folder or binary file where kiosk.toml or the directory should be says so, not \"permissions\"")
    func notText() async throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.file("kiosk.toml"), withIntermediateDirectories: true)
        let folder = try await ToolRun.run("hubkioskd", ["--config", dir.file("kiosk.toml"), "--check"])
        #expect(folder.status == 78 && folder.stderr.contains("is a folder, not a file"), "\(folder.stderr)")
        let other = TemporaryDirectory()
        let config = try example("Simulator/kiosk.toml", in: other) { $0 }
        _ = FileManager.default.createFile(atPath: other.file("directory.json"), contents: Data([0x5B, 0x00, 0xFF]))
        let binary = try await ToolRun.run("hubkioskd", ["--config", config, "--check"])
        #expect(binary.status == 78, "\(binary.stderr)")
        #expect(binary.stderr.contains("is not text (byte 0x00 at offset 1, line 1)"), "\(binary.stderr)")
        #expect(!binary.stderr.contains("permission"))
    }
}
