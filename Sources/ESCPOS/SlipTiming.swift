/// How long a slip takes to reach the printer and how long the printer takes to print it: the model behind "sending
/// a slip takes no longer than printing it".
///
/// Sending: bytes × bits per byte / bits per second of the link (10 bits a byte on an 8N1 serial line). Printing:
/// the paper the slip uses (each text line its line spacing or its characters' height, `ESC d` lines, `ESC J`
/// dots, image rows) at the printer's published speed. Paper fed to the cutter and the printer's start-up are left
/// out, so the printing time is the shortest the printer could manage.
public struct SlipTiming: Hashable, Sendable, CustomStringConvertible {
    public var bytes: Int
    /// Paper the printed part of the slip uses.
    public var paperMillimetres: Double
    public var sendSeconds: Double
    public var printSeconds: Double

    /// The timing of `bytes` (ESC/POS for `profile`) sent over `link`.
    public init(bytes: [UInt8], profile: PrinterProfile, link: PrinterLinkSpeed) {
        self.init(receipt: ESCPOSDecoder().decode(bytes), byteCount: bytes.count, profile: profile, link: link)
    }

    /// The timing of a decoded slip of `byteCount` bytes.
    public init(receipt: DecodedReceipt, byteCount: Int, profile: PrinterProfile, link: PrinterLinkSpeed) {
        var dots = 0
        for element in receipt.elements {
            switch element {
            case .line(_, let style):
                dots += max(profile.lineSpacingDots, 24 * max(1, style.heightMultiplier))
            case .feed(let lines):
                dots += lines * profile.lineSpacingDots
            case .space(let n):
                dots += n
            case .image(_, let height, _):
                dots += height
            case .qrCode(let payload, let module, _):
                // Native QR: the printer picks the version; estimate it from the payload (byte mode, level M).
                dots += (QRSizeEstimate.modules(forBytes: payload.utf8.count) + 8) * max(1, module)
            case .cut:
                break
            }
        }
        bytes = byteCount
        paperMillimetres = Double(dots) / profile.dotsPerMillimetre
        sendSeconds = link.seconds(toSend: byteCount)
        printSeconds = paperMillimetres / profile.printSpeedMillimetresPerSecond
    }

    /// Whether the printer, not the link, sets the pace.
    public var sendsInTime: Bool { sendSeconds <= printSeconds }

    public var description: String {
        "\(bytes) bytes, send \(Self.format(sendSeconds)) s, print \(Self.format(printSeconds)) s "
            + "(\(Int(paperMillimetres.rounded())) mm)"
    }

    static func format(_ seconds: Double) -> String {
        let hundredths = Int((seconds * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}

/// The side of a QR symbol (model 2, byte mode, level M) for a payload, to estimate paper for native QR codes.
enum QRSizeEstimate {
    /// Data bytes versions 1…10 hold in byte mode at level M (ISO/IEC 18004 table 7).
    static let capacityM = [14, 26, 42, 62, 84, 106, 122, 152, 180, 213]

    static func modules(forBytes count: Int) -> Int {
        let version = (capacityM.firstIndex { $0 >= count } ?? capacityM.count - 1) + 1
        return 17 + 4 * version
    }
}
