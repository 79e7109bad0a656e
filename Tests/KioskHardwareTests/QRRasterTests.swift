import ESCPOS
import KioskCore
import KioskHardware
import Testing

@Suite("QR codes as images (libqrencode)")
struct QRRasterTests {
    @Test("A service URL makes a version 3 symbol with its three finder patterns")
    func symbol() throws {
        let modules = try QREncodeRasterizer().modules(for: "https://inverallan-foodbank.example.org/")
        #expect(modules.size == 29, "version 3, level M, for 40 bytes")
        // The finder pattern: a dark 7x7 ring, a light ring, a dark 3x3 core, at three corners.
        for (x0, y0) in [(0, 0), (modules.size - 7, 0), (0, modules.size - 7)] {
            for i in 0..<7 {
                #expect(modules.isDark(x: x0 + i, y: y0) && modules.isDark(x: x0 + i, y: y0 + 6))
                #expect(modules.isDark(x: x0, y: y0 + i) && modules.isDark(x: x0 + 6, y: y0 + i))
            }
            #expect(!modules.isDark(x: x0 + 1, y: y0 + 1) && modules.isDark(x: x0 + 3, y: y0 + 3))
        }
    }

    @Test("A 58 mm printer without QR firmware gets the symbol as a raster image that fits its width")
    func raster() throws {
        var slip = SlipDocument()
        slip.blocks.append(.qrCode("https://inverallan-foodbank.example.org/"))
        let bytes = ESCPOSEncoder(profile: .generic58, rasterizer: QREncodeRasterizer()).encode(slip)
        let receipt = ESCPOSDecoder().decode(bytes)
        #expect(receipt.unknown.isEmpty)
        guard case .image(let width, let height, _)? = receipt.elements.first else {
            Issue.record("no image")
            return
        }
        // 29 modules + 2 quiet modules a side = 33, 4 dots each.
        #expect(height == 132)
        #expect(width >= 132 && width <= PrinterProfile.generic58.dotsPerLine)
    }
}
