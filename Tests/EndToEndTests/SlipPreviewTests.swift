import ESCPOS
import Foundation
import KioskApp
import KioskConfig
import KioskCore
import KioskSimulator
import KioskTestSupport
import Logging
import ServiceLifecycle
import Testing

@Suite("slip preview writes what the daemon prints")
struct SlipPreviewTests {
    /// The example configuration with `profile`, beside a copy of the example directory.
    static func configuration(profile: String, in dir: TemporaryDirectory) throws -> String {
        let text = try String(contentsOfFile: Repository.exampleConfig, encoding: .utf8)
        let changed = text.replacingOccurrences(
            of: "profile = \"epson-tm-t20ii\"", with: "profile = \"\(profile)\"")
        #expect(changed != text || profile == PrinterProfile.epsonTMT20II.id)
        try changed.write(toFile: dir.file("kiosk.toml"), atomically: true, encoding: .utf8)
        let original = Repository.root.path + "/Simulator/directory.json"
        try FileManager.default.copyItem(atPath: original, toPath: dir.file("directory.json"))
        // The slip's "as of" is the day the file was last edited: the copy keeps the original's, so the daemon
        // (on the copy) and the preview of the example configuration (on the original) print the same day.
        let edited = try FileManager.default.attributesOfItem(atPath: original)[.modificationDate]
        try FileManager.default.setAttributes(
            [.modificationDate: try #require(edited as? Date)], ofItemAtPath: dir.file("directory.json"))
        return dir.file("kiosk.toml")
    }

    /// The bytes the daemon's printer path sends for a press of `need` at `moment` (hub time, ISO 8601).
    static func daemonBytes(config: String, need: String, moment: String, state: String) async throws -> [UInt8] {
        let setup = try KioskSetup.load(configPath: config, stateDirectoryFlag: state)
        let parts = moment.split(separator: "T")
        let clock = ManualClock(
            wall: setup.configuration.hub.timeZone.instant(
                of: LocalDate(iso: parts[0])!, at: LocalTime(text: parts[1])!))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let kiosk = try Kiosk(setup: setup, clock: clock, control: false, runtimeLink: false, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: kiosk.services.map { .init(service: $0) }, logger: logger))
        let running = Task { try await group.run() }
        let driver = InProcessScenarioDriver(kiosk: kiosk, clock: clock)
        let result = try await driver.press(need, hold: .milliseconds(100))
        await driver.finish()
        let printed = kiosk.simulator?.printer.printed ?? []
        await group.triggerGracefulShutdown()
        try await running.value
        kiosk.cleanUp()
        #expect(printed.count == 1, "\(result)")
        return printed.last?.bytes ?? []
    }

    @Test(
        "For every profile the preview's bytes are the bytes the daemon sends, QR images included",
        arguments: PrinterProfile.all.map(\.id))
    func sameBytes(profile: String) async throws {
        let dir = TemporaryDirectory()
        let config = try Self.configuration(profile: profile, in: dir)
        for (need, moment) in [("food", "2026-12-03T11:00"), ("money", "2026-12-05T10:30")] {
            let sent = try await Self.daemonBytes(
                config: config, need: need, moment: moment, state: dir.file("state-\(need)"))
            #expect(!sent.isEmpty)
            // The configured profile, and the example configuration with --profile: the same bytes.
            for arguments in [
                ["--config", config], ["--config", Repository.exampleConfig, "--profile", profile],
            ] {
                let file = dir.file("preview-\(need).bin")
                let run = try await ToolRun.run(
                    "hubkiosk", ["slip", "preview"] + arguments + ["--need", need, "--at", moment, "--escpos", file])
                #expect(run.status == 0, "\(run.stderr)")
                let preview = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
                #expect(preview == sent, "\(profile) \(need) \(arguments): \(preview.count) vs \(sent.count) bytes")
            }
            let receipt = ESCPOSDecoder().decode(sent)
            let images = receipt.elements.filter {
                if case .image = $0 { return true }
                return false
            }
            if PrinterProfile.named(profile)?.qr == .raster {
                #expect(!images.isEmpty, "a raster profile's slip has its QR codes as images")
            } else {
                #expect(!receipt.qrPayloads.isEmpty)
            }
        }
    }
}

@Suite("directory check and text the printer cannot print")
struct UnprintableTextCheckTests {
    @Test("A warning names the service id and field; Cyrillic and Greek need none; nothing fails")
    func warnings() async throws {
        let dir = TemporaryDirectory()
        let file = dir.file("directory.json")
        let json = """
            [
              {"id": "arabic", "name": "مركز المساعدة", "status": "active", "url": "https://a.example/"},
              {"id": "mixed", "name": "Food bank / بنك الطعام", "status": "active", "phones": [{"number": "0141 555 0100 ☎"}]},
              {"id": "cyrillic", "name": "Допомога українцям", "status": "active"},
              {"id": "greek", "name": "Ελληνική Κοινότητα", "status": "active"},
              {"id": "emoji", "name": "Warm space ☕", "status": "active",
               "schedules": [{"freq": "WEEKLY", "byday": "MO", "opens_at": "10:00", "closes_at": "12:00", "description": "食堂"}]}
            ]
            """
        _ = FileManager.default.createFile(atPath: file, contents: Data(json.utf8))
        let run = try await ToolRun.run("hubkiosk", ["directory", "check", "--no-config", file])
        #expect(run.status == 0, "\(run.stdout)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        func warning(_ id: String, _ field: String) -> String? {
            lines.first { $0.contains("warning: service \"\(id)\", \(field): ") }
        }
        #expect(warning("arabic", "name")?.contains("slips leave it out") == true, "\(run.stdout)")
        #expect(warning("mixed", "name")?.contains("slips print \"Food bank\"") == true, "\(run.stdout)")
        #expect(warning("emoji", "name")?.contains("slips print \"Warm space\"") == true, "\(run.stdout)")
        #expect(warning("emoji", "schedules[0].description")?.contains("slips leave it out") == true, "\(run.stdout)")
        #expect(!run.stdout.contains("service \"cyrillic\", name"), "\(run.stdout)")
        #expect(!run.stdout.contains("service \"greek\", name"), "\(run.stdout)")

        // The daemon's own check (and its start-up log) gives the same warnings, and still exits 0.
        let config = dir.file("kiosk.toml")
        try FileManager.default.copyItem(atPath: Repository.exampleConfig, toPath: config)
        let check = try await ToolRun.run("hubkioskd", ["--config", config, "--check"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(
            check.stdout.contains("service \"arabic\", name: the printer (PC858) cannot print"), "\(check.stdout)")
        #expect(check.stdout.contains("service \"mixed\", name:"), "\(check.stdout)")
        #expect(!check.stdout.contains("service \"greek\", name"), "\(check.stdout)")
    }
}
