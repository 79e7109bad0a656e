import ESCPOS
import KioskConfig
import KioskCore
import KioskHardware
import KioskRuntime

extension SlipRenderer {
    /// The renderer the kiosk prints with under `configuration`: its slip settings, the encoder for its printer
    /// profile (or `profile` instead) with libqrencode for printers without QR firmware, and its link's speed for
    /// the time budget. The daemon and `hubkiosk slip preview` both build theirs here, so a preview is, byte for
    /// byte, what the daemon sends to the printer.
    /// `checkedOn` is the day the directory was last checked against its source (the slip's "as of" line).
    public init(
        configuration: KioskConfiguration, directory: ServiceDirectory, checkedOn: LocalDate? = nil,
        profile: PrinterProfile? = nil
    ) {
        let profile = profile ?? configuration.printerProfile
        var composer = SlipComposer(
            hubName: configuration.hub.name, directory: directory, layout: configuration.layout,
            timeZone: configuration.hub.timeZone, servicesPerNeed: configuration.slip.servicesPerNeed,
            maximumServices: configuration.slip.maximumServices, title: configuration.slip.title,
            footer: configuration.slip.footer)
        composer.checkedOn = checkedOn
        self.init(
            composer: composer,
            encoder: ESCPOSEncoder(
                profile: profile, rasterizer: QREncodeRasterizer(),
                link: SlipRenderer.link(configuration.printerLink, profile: profile)))
    }

    /// The speed of the configured link: a serial device's baud rate (or the throttle set for it, if slower); the
    /// profile's usual link otherwise.
    static func link(_ link: KioskConfiguration.PrinterLink, profile: PrinterProfile) -> PrinterLinkSpeed {
        guard case .serial = link.device else { return profile.link }
        let baud = link.baud ?? (profile.id == PrinterProfile.csnA2.id ? 19200 : 115_200)
        if let throttle = link.throttleBytesPerSecond, throttle > 0, throttle * 10 < baud {
            return PrinterLinkSpeed(
                name: "serial \(baud) baud throttled to \(throttle) bytes/s", bitsPerSecond: throttle * 10,
                bitsPerByte: 10)
        }
        return .serial(baud: baud)
    }
}
