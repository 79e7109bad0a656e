import ArgumentParser
import ESCPOS
import Foundation
import KioskApp
import KioskConfig
import KioskControl
import KioskCore
import KioskDirectory
import KioskRuntime

struct SlipCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slip", abstract: "Preview or print signposting slips.", subcommands: [Preview.self, Print.self])

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the slip for a need as it would print at a given moment.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "The need (repeat for a slip covering several).")
        var need: [String]

        @Option(help: "The moment, ISO 8601 (2026-12-04T10:30, in the hub's time zone unless it has an offset).")
        var at: String?

        @Option(help: "Also write the ESC/POS bytes to this file.")
        var escpos: String?

        @Option(help: "Use this printer profile instead of the configured one.")
        var profile: String?

        func run() async throws {
            let configuration = try await global.configuration()
            let layout = configuration.layout
            let valid = layout.needs.map(\.code.rawValue)
            for code in need where !valid.contains(code) {
                throw ValidationError(
                    "\"\(code)\" is not a need of this kiosk; valid: \(valid.joined(separator: ", "))")
            }
            guard !need.isEmpty else {
                throw ValidationError("name a need with --need; valid: \(valid.joined(separator: ", "))")
            }
            let moment: Date
            if let at {
                guard let parsed = SlipCommand.parseMoment(at, timeZone: configuration.hub.timeZone) else {
                    throw ValidationError("--at \(at) is not an ISO 8601 date-time like 2026-12-04T10:30")
                }
                moment = parsed
            } else {
                moment = Date()
            }
            var printer = configuration.printerProfile
            if let profile {
                guard let named = PrinterProfile.named(profile) else {
                    throw ValidationError(
                        "\"\(profile)\" is not a profile; use one of "
                            + PrinterProfile.all.map(\.id).joined(separator: ", "))
                }
                printer = named
            }
            // The directory the daemon uses (a feed's last good copy, an import, or the file) and its "as of" day.
            let setup: KioskSetup
            let stateDirectory = await global.resolvedStateDirectory(configuration)
            do {
                setup = try KioskSetup.load(configPath: configuration.file, stateDirectoryFlag: stateDirectory)
            } catch {
                throw ToolError(error.message)
            }
            // The daemon's renderer (KioskApp), rasterizer and link budget: the bytes are what it would print.
            var renderer = SlipRenderer(
                configuration: configuration, directory: setup.directory,
                checkedOn: setup.directoryState.checkedAt.map { configuration.hub.timeZone.localDate(of: $0) },
                profile: printer)
            let bytes = renderer.bytes(for: need.map { NeedCode($0) }, at: moment)
            print(ESCPOSDecoder().decode(bytes).rendered(columns: printer.columns), terminator: "")
            if let escpos {
                do {
                    try Data(bytes).write(to: URL(fileURLWithPath: escpos))
                } catch {
                    throw ToolError("cannot write \(escpos): \(error.localizedDescription)")
                }
                let timing = SlipTiming(bytes: bytes, profile: printer, link: renderer.encoder.link)
                FileHandle.standardError.write(
                    Data("wrote \(escpos): \(timing) over \(renderer.encoder.link)\n".utf8))
            }
        }
    }

    struct Print: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a slip on the kiosk's printer now (staff at the desk; it counts no visit).")

        @OptionGroup var global: GlobalOptions

        @Option(help: "The need (repeat for a slip covering several).")
        var need: [String]

        func run() async throws {
            guard !need.isEmpty else { throw ValidationError("name a need with --need") }
            do {
                let response = try await global.control().call(
                    "POST", "/slip/print", body: ControlAPI.SlipRequest(needs: need), as: ControlAPI.SlipResponse.self)
                print("Slip \(response.slipID) sent to the printer.")
            } catch let error as ControlError where error.valid != nil {
                throw ValidationError("\(error.message); valid: \(error.valid!.joined(separator: ", "))")
            }
        }
    }

    /// `2026-12-04T10:30[:00]` in the hub's zone, or a full ISO 8601 date-time with an offset.
    static func parseMoment(_ text: String, timeZone: HubTimeZone) -> Date? {
        let parts = text.split(separator: "T", maxSplits: 1)
        if parts.count == 2, let date = LocalDate(iso: parts[0]), let time = LocalTime(text: parts[1]) {
            let seconds = parts[1].split(separator: ":").count == 3 ? Int(parts[1].split(separator: ":")[2]) ?? 0 : 0
            return timeZone.instant(of: date, at: time).addingTimeInterval(Double(seconds))
        }
        if parts.count == 1, let date = LocalDate(iso: parts[0]), parts[0].count == 10 {
            return timeZone.instant(of: date, at: LocalTime(hour: 12, minute: 0)!)
        }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
