import ESCPOS
import Foundation
import KioskConfig
import KioskCore
import KioskDirectory
import KioskSimulator

/// One of the readers that take input from a person or a feed, and everything the kiosk then does with what it
/// read. Whatever the bytes, a reader may report problems but must never trap.
enum FuzzedReader: String, CaseIterable, Sendable {
    /// A directory file (Open Referral UK JSON), then a slip for every need at several moments, on every profile.
    case directory
    /// A kiosk.toml, then a slip for every need of that configuration.
    case config
    /// A scenario file (Simulator/scenarios/*.toml).
    case scenario
    /// Bytes sent to a printer, decoded as the simulator does.
    case escpos

    /// The example configuration and directory the readers are exercised with.
    static let baseline: (configuration: KioskConfiguration, directory: ServiceDirectory) = {
        let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let configPath = repository.appendingPathComponent("Simulator/kiosk.toml").path
        do {
            let configuration = try ConfigLoader.load(path: configPath)
            let directory = try DirectoryLoader.load(
                path: configuration.directoryFile, needs: configuration.layout.needs
            ).directory
            return (configuration, directory)
        } catch {
            fatalError("the fuzzer's baseline \(configPath) does not load: \(error)")
        }
    }()

    /// Moments the slips are composed at (an ordinary morning, a clock change, a leap day), each with a printer
    /// profile, so that every profile's encoder sees fuzzed text.
    static let moments: [(date: Date, profile: PrinterProfile)] = zip(
        ["2026-12-01T10:00:00Z", "2026-10-25T00:30:00Z", "2028-02-29T23:59:00Z"].compactMap {
            ISO8601DateFormatter().date(from: $0)
        },
        [PrinterProfile.epsonTMT20II, .generic58, .csnA2]
    ).map { ($0, $1) }

    func exercise(_ bytes: [UInt8]) {
        let baseline = Self.baseline
        switch self {
        case .directory:
            let needs = baseline.configuration.layout.needs
            let result = DirectoryDecoder().decode(bytes, needs: needs)
            _ = result.problems.map(\.description)
            Self.printSlips(configuration: baseline.configuration, directory: result.directory)
            // As a page of a feed: its services written back as one document and decoded again, and what it changes.
            if let page = try? FeedPage.read(bytes, format: .auto) {
                let document = FeedPage.document(of: page.items, format: page.format)
                _ = DirectoryDecoder().decode(document, format: page.format, needs: needs)
            }
            _ = DirectoryChanges(from: baseline.directory, to: result.directory).lines()
        case .config:
            let text = String(decoding: bytes, as: UTF8.self)
            guard
                let configuration = try? ConfigLoader.parse(
                    text, file: "fuzz.toml", absolutePath: "/nonexistent/fuzz/kiosk.toml")
            else { return }
            Self.printSlips(configuration: configuration, directory: baseline.directory)
        case .scenario:
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? Scenario.parse(text, file: "fuzz.toml", layout: baseline.configuration.layout)
        case .escpos:
            let receipt = ESCPOSDecoder().decode(bytes)
            for columns in [32, 42, 48] { _ = receipt.rendered(columns: columns) }
        }
    }

    private static func printSlips(configuration: KioskConfiguration, directory: ServiceDirectory) {
        let composer = SlipComposer(
            hubName: configuration.hub.name, directory: directory, layout: configuration.layout,
            timeZone: configuration.hub.timeZone, servicesPerNeed: configuration.slip.servicesPerNeed,
            maximumServices: configuration.slip.maximumServices, title: configuration.slip.title,
            footer: configuration.slip.footer)
        let needs = configuration.layout.needs.map(\.code)
        for (moment, profile) in moments {
            let encoder = ESCPOSEncoder(profile: profile)
            for need in needs {
                _ = ESCPOSDecoder().decode(encoder.encode(composer.compose(needs: [need], at: moment)))
            }
            _ = ESCPOSEncoder(profile: configuration.printerProfile).encode(
                composer.compose(needs: needs, at: moment, compact: true))
        }
    }
}
