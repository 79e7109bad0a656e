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

    @Test("Raster QR: a rasterizer's modules become a GS v 0 image, scaled and centred")
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
        guard case .image(let width, let height, let bitmap)? = receipt.elements.first else {
            Issue.record("no image: \(receipt.elements)")
            return
        }
        // 21 modules + 2 quiet modules a side, 4 dots each = 100 dots, 13 bytes a row.
        #expect(height == 100)
        #expect(width == 104)
        func dot(_ x: Int, _ y: Int) -> Bool { bitmap[y * 13 + x / 8] & (0x80 >> UInt8(x % 8)) != 0 }
        #expect(!dot(0, 0), "quiet zone")
        #expect(dot(8, 8), "module (0,0) is dark")
        #expect(!dot(12, 8), "module (1,0) is light")
        #expect(receipt.unknown.isEmpty)
    }
}

enum ESCPODecoderHelper {
    static func decode(_ slip: SlipDocument, _ profile: PrinterProfile) -> DecodedReceipt {
        ESCPOSDecoder().decode(ESCPOSEncoder(profile: profile).encode(slip))
    }
}
