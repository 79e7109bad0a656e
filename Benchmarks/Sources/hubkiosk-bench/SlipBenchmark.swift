import ArgumentParser
import ESCPOS
import Foundation
import KioskApp
import KioskConfig
import KioskCore
import KioskRuntime

/// Slip bytes per printer profile, and the time to send them beside the time to print them (``SlipTiming``): the
/// largest slip of the example directory (the need whose slip has the most bytes), through the daemon's own
/// renderer. Beside it, the same slip encoded as before (4-dot modules, the quiet zone sent as white rows, every
/// code printed whatever the link).
struct SlipBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slips", abstract: "Slip bytes, send time and print time per printer profile.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Services on a slip (per need and in all).")
    var services = 3

    @Option(help: "The moment the slips are for (hub time).")
    var at = "2026-12-03T11:00"

    @Flag(help: "Compact slips, as printed when paper runs low.")
    var compact = false

    func run() throws {
        var configuration = try ConfigLoader.load(path: common.config)
        configuration.slip.servicesPerNeed = services
        configuration.slip.maximumServices = services
        let directory = try DirectoryLoader.load(
            path: configuration.directoryFile, needs: configuration.layout.needs
        ).directory
        let parts = at.split(separator: "T")
        guard parts.count == 2, let day = LocalDate(iso: parts[0]), let time = LocalTime(text: parts[1]) else {
            throw ValidationError("--at \(at) is not like 2026-12-03T11:00")
        }
        let moment = configuration.hub.timeZone.instant(of: day, at: time)
        print(
            "\(compact ? "Compact slips" : "Slips") of \(services) services at \(at), the largest over every need; "
                + "sending ≤ printing is the target.")
        print()
        print("| profile | link | bytes | QR codes | send s | print s | paper mm | before: bytes | before: send s |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for profile in PrinterProfile.all {
            for link in links(for: profile) {
                let renderer = SlipRenderer(configuration: configuration, directory: directory, profile: profile)
                let encoder = ESCPOSEncoder(profile: profile, rasterizer: renderer.encoder.rasterizer, link: link)
                var old = profile
                old.qrModuleDots = 4
                let before = ESCPOSEncoder(
                    profile: old, rasterizer: renderer.encoder.rasterizer.map { QuietZoneRows(inner: $0) },
                    link: .usbFullSpeed)
                var largest: (bytes: [UInt8], slip: SlipDocument)?
                for need in configuration.layout.needs {
                    let slip = renderer.composer.compose(needs: [need.code], at: moment, compact: compact)
                    let bytes = encoder.encode(slip)
                    if bytes.count > largest?.bytes.count ?? -1 { largest = (bytes, slip) }
                }
                guard let largest else { continue }
                let timing = SlipTiming(bytes: largest.bytes, profile: profile, link: link)
                let receipt = ESCPOSDecoder().decode(largest.bytes)
                let printed =
                    receipt.qrPayloads.count
                    + receipt.elements.filter {
                        if case .image = $0 { return true }
                        return false
                    }.count
                let codes = largest.slip.blocks.filter {
                    if case .qrCode = $0 { return true }
                    return false
                }.count
                let oldBytes = before.encode(largest.slip).count
                print(
                    "| \(profile.id) | \(link) | \(largest.bytes.count) | \(printed) of \(codes) | "
                        + "\(f(timing.sendSeconds, 2)) | \(f(timing.printSeconds, 2)) | "
                        + "\(Int(timing.paperMillimetres.rounded())) | \(oldBytes) | "
                        + "\(f(link.seconds(toSend: oldBytes), 2)) |")
            }
        }
    }

    /// The profile's usual link, and for serial printers the slower speed some are set to.
    func links(for profile: PrinterProfile) -> [PrinterLinkSpeed] {
        profile.link.bitsPerByte == 10 ? [profile.link, .serial(baud: 9600)] : [profile.link, .serial(baud: 19200)]
    }
}

/// The raster as it was: two light modules around the symbol sent as image rows.
private struct QuietZoneRows: QRCodeRasterizer {
    let inner: any QRCodeRasterizer

    func modules(for payload: String) throws -> QRModules {
        let symbol = try inner.modules(for: payload)
        let side = symbol.size + 4
        var dark = [Bool](repeating: false, count: side * side)
        for y in 0..<symbol.size {
            for x in 0..<symbol.size { dark[(y + 2) * side + x + 2] = symbol.isDark(x: x, y: y) }
        }
        return QRModules(size: side, dark: dark)
    }
}
