import ESCPOS
import Foundation
import KioskCore
import Testing

@Suite("ESC/POS encoder")
struct EncoderTests {
    @Test("A minimal slip, byte for byte")
    func exactBytes() {
        var slip = SlipDocument()
        slip.text("Tea £1", SlipTextStyle(bold: true, alignment: .center))
        let bytes = ESCPOSEncoder(profile: .epsonTMT20II).encode(slip)
        let expected: [UInt8] =
            [0x1B, 0x40]  // ESC @
            + [0x1B, 0x74, 19]  // ESC t 19: PC858
            + [0x1B, 0x61, 1] + [0x1B, 0x45, 1]  // centre, bold
            + Array("Tea ".utf8) + [0x9C] + Array("1".utf8) + [0x0A]  // £ is 0x9C in PC858
            + [0x1B, 0x45, 0] + [0x1B, 0x61, 0]  // bold off, left
            + [0x1B, 0x64, 3]  // feed 3 lines
            + [0x1D, 0x56, 66, 0]  // GS V 66 0: feed and partial cut
        #expect(bytes == expected)
    }

    @Test("A native QR code is GS ( k model 2, module size, level M, store, print")
    func qrBytes() {
        var slip = SlipDocument()
        slip.blocks.append(.qrCode("https://a.example/"))
        let bytes = ESCPOSEncoder(profile: .epsonTMT20II).encode(slip)
        let payload = Array("https://a.example/".utf8)
        let store: [UInt8] = [0x1D, 0x28, 0x6B, UInt8(payload.count + 3), 0, 0x31, 0x50, 0x30] + payload
        let expected: [UInt8] =
            [0x1B, 0x61, 1]
            + [0x1D, 0x28, 0x6B, 4, 0, 0x31, 0x41, 50, 0]
            + [0x1D, 0x28, 0x6B, 3, 0, 0x31, 0x43, 6]
            + [0x1D, 0x28, 0x6B, 3, 0, 0x31, 0x45, 49]
            + store
            + [0x1D, 0x28, 0x6B, 3, 0, 0x31, 0x51, 0x30]
            + [0x1B, 0x61, 0]
        #expect(bytes.firstRange(of: expected) != nil)
    }

    @Test("Double size halves the columns a line may use")
    func doubleSize() {
        var slip = SlipDocument()
        slip.text("Brae Street Community Hub Centre", SlipTextStyle(size: .double))
        let receipt = ESCPODecoderHelper.decode(slip, .generic58QR)
        for case .line(let text, let style) in receipt.elements where style.widthMultiplier == 2 {
            #expect(text.count <= 16)
        }
        #expect(receipt.lines == ["Brae Street", "Community Hub", "Centre"])
    }

    @Test("Printers without a cutter get no cut command")
    func noCutter() {
        let bytes = ESCPOSEncoder(profile: .csnA2).encode(SlipDocument(blocks: [.text("x", .plain)]))
        #expect(bytes.firstRange(of: [0x1D, 0x56]) == nil)
        #expect(ESCPOSDecoder().decode(bytes).cutCount == 0)
    }

    @Test("Raster QR: a rasterizer's modules become a GS v 0 image, scaled and centred, the quiet zone fed as paper")
    func rasterQR() {
        struct Checkerboard: QRCodeRasterizer {
            func modules(for payload: String) throws -> QRModules {
                QRModules(size: 21, dark: (0..<441).map { ($0 / 21 + $0 % 21) % 2 == 0 })
            }
        }
        var slip = SlipDocument()
        slip.blocks.append(.qrCode("https://a.example/"))
        let bytes = ESCPOSEncoder(profile: .generic58, rasterizer: Checkerboard()).encode(slip)
        let receipt = ESCPOSDecoder().decode(bytes)
        // 21 modules, 3 dots each = 63 dots, 8 bytes a row; 4 quiet modules (12 dots) of paper above and below.
        guard receipt.elements.count >= 3, case .image(let width, let height, let bitmap) = receipt.elements[1] else {
            Issue.record("no image: \(receipt.elements)")
            return
        }
        #expect(receipt.elements[0] == .space(dots: 12) && receipt.elements[2] == .space(dots: 12))
        #expect(height == 63)
        #expect(width == 64)
        #expect(bytes.firstRange(of: [0x1B, 0x61, 1, 0x1D, 0x76, 0x30, 0, 8, 0, 63, 0]) != nil, "centred")
        func dot(_ x: Int, _ y: Int) -> Bool { bitmap[y * 8 + x / 8] & (0x80 >> UInt8(x % 8)) != 0 }
        for y in 0..<63 {
            for x in 0..<63 { #expect(dot(x, y) == ((x / 3 + y / 3) % 2 == 0)) }
            #expect(!dot(63, y), "padding")
        }
        #expect(receipt.unknown.isEmpty)
    }

    /// Symbols of realistic size (29 modules, as for a service's URL), with the payload's place in the slip
    /// written into the first row so that tests can tell which codes printed.
    struct NumberedSymbols: QRCodeRasterizer {
        func modules(for payload: String) throws -> QRModules {
            let number = Int(payload.split(separator: "/").last ?? "") ?? 0
            return QRModules(size: 29, dark: (0..<841).map { $0 < 29 ? $0 == number : ($0 * 7919) % 3 == 0 })
        }
    }

    static func threeServiceSlip() -> SlipDocument {
        var slip = SlipDocument()
        slip.text("Brae Street Hub", SlipTextStyle(bold: true, size: .double, alignment: .center))
        for n in 1...3 {
            slip.text("Service \(n)", SlipTextStyle(bold: true))
            slip.text("Open now until 16:00")
            slip.text("12 High Street, Inverallan")
            slip.text("Tel 01234 567890")
            slip.blocks.append(.qrCode("https://s.example/\(n)"))
            slip.blocks.append(.rule)
        }
        return slip
    }

    static func printedCodes(_ bytes: [UInt8]) -> [Int] {
        ESCPOSDecoder().decode(bytes).elements.compactMap { element -> Int? in
            guard case .image(_, _, let bitmap) = element else { return nil }
            return (0..<29).first { x in bitmap[(x * 3) / 8] & (0x80 >> UInt8((x * 3) % 8)) != 0 }
        }
    }

    @Test("On a slow link codes are left off from the last service up until sending takes no longer than printing")
    func fewerCodesOnSlowLinks() {
        let slip = Self.threeServiceSlip()
        for profile in PrinterProfile.all {
            var printedBefore = 4
            for baud in [115_200, 57_600, 38_400, 19_200, 9_600, 4_800, 2_400, 1_200] {
                let link = PrinterLinkSpeed.serial(baud: baud)
                let encoder = ESCPOSEncoder(profile: profile, rasterizer: NumberedSymbols(), link: link)
                let bytes = encoder.encode(slip)
                let timing = SlipTiming(bytes: bytes, profile: profile, link: link)
                let receipt = ESCPOSDecoder().decode(bytes)
                let codes = profile.qr == .native ? receipt.qrPayloads.count : Self.printedCodes(bytes).count
                if profile.qr == .raster && codes > 0 {
                    #expect(timing.sendsInTime, "\(profile.id) at \(baud): \(timing)")
                }
                // A native code is a few bytes: only very slow links leave one off.
                if profile.qr == .native && baud >= 19200 { #expect(codes == 3, "\(profile.id) at \(baud)") }
                // Slower links never print more codes, and those printed are the first ones, in order.
                #expect(codes <= printedBefore)
                printedBefore = codes
                if profile.qr == .native {
                    #expect(receipt.qrPayloads == (0..<codes).map { "https://s.example/\($0 + 1)" })
                } else {
                    #expect(Self.printedCodes(bytes) == (0..<codes).map { $0 + 1 })
                }
                // The text is all there whatever the link.
                #expect(receipt.lines.filter { $0.hasPrefix("Service") } == ["Service 1", "Service 2", "Service 3"])
            }
        }
        // A CSN-A2 at 115,200 baud prints all three; at 9,600 baud it cannot.
        let csn = ESCPOSEncoder(profile: .csnA2, rasterizer: NumberedSymbols(), link: .serial(baud: 115_200))
        #expect(Self.printedCodes(csn.encode(slip)) == [1, 2, 3])
        let slow = ESCPOSEncoder(profile: .csnA2, rasterizer: NumberedSymbols(), link: .serial(baud: 9600))
        #expect(Self.printedCodes(slow.encode(slip)).count < 3)
    }

    @Test("A code left off leaves its web address in text, once")
    func addressOfACodeLeftOff() {
        var compact = SlipDocument()
        compact.text("Service 1", SlipTextStyle(bold: true))
        compact.blocks.append(.qrCode("https://www.s.example/1"))
        var full = compact
        full.text("s.example/1", SlipTextStyle(alignment: .center))
        for slip in [compact, full] {
            let slow = ESCPOSEncoder(profile: .csnA2, rasterizer: NumberedSymbols(), link: .serial(baud: 1200))
            let receipt = ESCPOSDecoder().decode(slow.encode(slip))
            #expect(Self.printedCodes(slow.encode(slip)).isEmpty)
            #expect(receipt.lines == ["Service 1", "s.example/1"])
            let fast = ESCPOSEncoder(profile: .csnA2, rasterizer: NumberedSymbols(), link: .usbFullSpeed)
            #expect(ESCPOSDecoder().decode(fast.encode(slip)).lines.count == slip.blocks.count - 1)
        }
    }

    @Test("Send and print time: bytes × 10 / baud, and the paper at the printer's speed")
    func timing() {
        var bytes: [UInt8] = Array("ab\ncd\n".utf8) + ESCPOSCommand.feed(lines: 3) + ESCPOSCommand.feed(dots: 20)
        bytes += ESCPOSCommand.raster(bytesPerRow: 2, rows: 100, data: Array(repeating: 0, count: 200))
        let timing = SlipTiming(bytes: bytes, profile: .csnA2, link: .serial(baud: 19200))
        #expect(timing.bytes == bytes.count)
        #expect(abs(timing.sendSeconds - Double(bytes.count) * 10 / 19200) < 1e-9)
        // 2 lines and 3 fed lines of 30 dots, 20 dots, 100 rows: 270 dots at 8 a millimetre, at 80 mm/s.
        #expect(abs(timing.paperMillimetres - 270.0 / 8) < 1e-9)
        #expect(abs(timing.printSeconds - 270.0 / 8 / 80) < 1e-9)
    }

    @Test("Text the printer cannot print is left out; a line with nothing left is not printed at all")
    func unprintableText() {
        var slip = SlipDocument()
        slip.text("مركز المساعدة", SlipTextStyle(bold: true, alignment: .center))
        slip.text("Food bank / بنك الطعام")
        slip.text("Продовольчий банк і")
        slip.text("\u{1F34E}\u{1F956}")
        for profile in PrinterProfile.all {
            let bytes = ESCPOSEncoder(profile: profile).encode(slip)
            let receipt = ESCPOSDecoder().decode(bytes)
            #expect(receipt.lines == ["Food bank", "Prodovolchyi bank i"])
            #expect(!bytes.contains(UInt8(ascii: "?")))
            // The dropped centred bold line leaves no stray style commands either.
            #expect(bytes.firstRange(of: ESCPOSCommand.bold(true)) == nil)
        }
    }
}

enum ESCPODecoderHelper {
    static func decode(_ slip: SlipDocument, _ profile: PrinterProfile) -> DecodedReceipt {
        ESCPOSDecoder().decode(ESCPOSEncoder(profile: profile).encode(slip))
    }
}
