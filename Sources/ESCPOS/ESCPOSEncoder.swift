import KioskCore

/// Turns a ``SlipDocument`` into the bytes a printer of a given ``PrinterProfile`` prints.
public struct ESCPOSEncoder: Sendable {
    public let profile: PrinterProfile
    public let rasterizer: (any QRCodeRasterizer)?
    private let transliterator: Transliterator

    public init(profile: PrinterProfile, rasterizer: (any QRCodeRasterizer)? = nil) {
        self.profile = profile
        self.rasterizer = rasterizer
        self.transliterator = Transliterator(codePage: profile.codePage)
    }

    public func encode(_ slip: SlipDocument) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(2048)
        out += ESCPOSCommand.initialize
        out += ESCPOSCommand.selectCodePage(profile.codePage)
        for block in slip.blocks {
            switch block {
            case .text(let text, let style):
                appendText(text, style: style, to: &out)
            case .rule:
                out += Array(repeating: UInt8(ascii: "-"), count: profile.columns)
                out.append(ESCPOSCommand.lf)
            case .feed(let lines):
                out += ESCPOSCommand.feed(lines: UInt8(clamping: lines))
            case .qrCode(let payload):
                appendQR(payload, to: &out)
            }
        }
        out += ESCPOSCommand.feed(lines: UInt8(clamping: profile.feedLinesAtEnd))
        switch profile.cutter {
        case .partial: out += ESCPOSCommand.cut(partial: true)
        case .full: out += ESCPOSCommand.cut(partial: false)
        case .none: break
        }
        return out
    }

    private func alignmentByte(_ alignment: SlipTextStyle.Alignment) -> UInt8 {
        switch alignment {
        case .left: return 0
        case .center: return 1
        case .right: return 2
        }
    }

    private func appendText(_ text: String, style: SlipTextStyle, to out: inout [UInt8]) {
        let double = style.size == .double
        if style.alignment != .left { out += ESCPOSCommand.align(alignmentByte(style.alignment)) }
        if style.bold { out += ESCPOSCommand.bold(true) }
        if double { out += ESCPOSCommand.size(width: 2, height: 2) }
        let width = double ? profile.columns / 2 : profile.columns
        for line in TextWrapper.wrap(transliterator.transliterate(text), width: width) {
            out += transliterator.encode(line)
            out.append(ESCPOSCommand.lf)
        }
        if double { out += ESCPOSCommand.size(width: 1, height: 1) }
        if style.bold { out += ESCPOSCommand.bold(false) }
        if style.alignment != .left { out += ESCPOSCommand.align(0) }
    }

    private func appendQR(_ payload: String, to out: inout [UInt8]) {
        let data = Array(payload.utf8)
        switch profile.qr {
        case .native where data.count <= ESCPOSCommand.maximumQRPayload:
            out += ESCPOSCommand.align(1)
            out += ESCPOSCommand.qr(function: 65, [50, 0])  // model 2
            out += ESCPOSCommand.qr(function: 67, [UInt8(clamping: profile.qrModuleDots)])  // module size
            out += ESCPOSCommand.qr(function: 69, [49])  // error correction M (15 %)
            out += ESCPOSCommand.qr(function: 80, [48] + data)  // store the data
            out += ESCPOSCommand.qr(function: 81, [48])  // print the symbol
            out += ESCPOSCommand.align(0)
        case .raster:
            if let rasterizer, let modules = try? rasterizer.modules(for: payload) {
                appendRaster(modules, to: &out)
            }
        default:
            break
        }
    }

    private func appendRaster(_ modules: QRModules, to out: inout [UInt8]) {
        let quiet = 2
        let side = modules.size + 2 * quiet
        var scale = max(1, profile.qrModuleDots)
        while scale > 1 && side * scale > profile.dotsPerLine { scale -= 1 }
        let dots = side * scale
        let bytesPerRow = (dots + 7) / 8
        var data = [UInt8](repeating: 0, count: bytesPerRow * dots)
        for y in 0..<modules.size {
            for x in 0..<modules.size where modules.isDark(x: x, y: y) {
                for dy in 0..<scale {
                    let row = (y + quiet) * scale + dy
                    for dx in 0..<scale {
                        let column = (x + quiet) * scale + dx
                        data[row * bytesPerRow + column / 8] |= 0x80 >> UInt8(column % 8)
                    }
                }
            }
        }
        out += ESCPOSCommand.align(1)
        out += ESCPOSCommand.raster(bytesPerRow: bytesPerRow, rows: dots, data: data)
        out += ESCPOSCommand.align(0)
    }
}
