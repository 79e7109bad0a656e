import KioskCore

/// Turns a ``SlipDocument`` into the bytes a printer of a given ``PrinterProfile`` prints.
///
/// Sending a slip should take no longer than printing it (``SlipTiming``): on a slow link, QR codes are left off from
/// the last service up until it does, as far as that helps (the web address stays printed under each service).
public struct ESCPOSEncoder: Sendable {
    public let profile: PrinterProfile
    public let rasterizer: (any QRCodeRasterizer)?
    /// The link the bytes go over, for the time budget.
    public let link: PrinterLinkSpeed
    private let transliterator: Transliterator

    /// An encoder for `profile`. Printers without QR firmware need a `rasterizer` (without one their slips carry no
    /// QR code); `link` defaults to the profile's usual one.
    public init(profile: PrinterProfile, rasterizer: (any QRCodeRasterizer)? = nil, link: PrinterLinkSpeed? = nil) {
        self.profile = profile
        self.rasterizer = rasterizer
        self.link = link ?? profile.link
        self.transliterator = Transliterator(codePage: profile.codePage)
    }

    public func encode(_ slip: SlipDocument) -> [UInt8] {
        let codes = slip.blocks.filter {
            if case .qrCode = $0 { return true }
            return false
        }.count
        var bytes = encode(slip, qrCodes: codes)
        var timing = SlipTiming(bytes: bytes, profile: profile, link: link)
        var kept = codes
        while kept > 0 && !timing.sendsInTime {
            // Leave off the last code still printed, if that brings sending closer to printing (a native code's
            // few bytes cost less than the paper it takes: leaving it off would not help).
            let fewer = encode(slip, qrCodes: kept - 1)
            let fewerTiming = SlipTiming(bytes: fewer, profile: profile, link: link)
            guard fewerTiming.sendSeconds - fewerTiming.printSeconds < timing.sendSeconds - timing.printSeconds else {
                break
            }
            (bytes, timing, kept) = (fewer, fewerTiming, kept - 1)
        }
        return bytes
    }

    /// `slip` with only its first `qrCodes` QR codes.
    private func encode(_ slip: SlipDocument, qrCodes: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(2048)
        out += ESCPOSCommand.initialize
        out += ESCPOSCommand.selectCodePage(profile.codePage)
        var codes = 0
        for (index, block) in slip.blocks.enumerated() {
            switch block {
            case .text(let text, let style):
                appendText(text, style: style, to: &out)
            case .rule:
                out += Array(repeating: UInt8(ascii: "-"), count: profile.columns)
                out.append(ESCPOSCommand.lf)
            case .feed(let lines):
                out += ESCPOSCommand.feed(lines: UInt8(clamping: lines))
            case .qrCode(let payload):
                codes += 1
                if codes <= qrCodes {
                    appendQR(payload, to: &out)
                } else if index + 1 >= slip.blocks.count
                    || slip.blocks[index + 1]
                        != .text(SlipComposer.shortURL(payload), SlipTextStyle(alignment: .center))
                {
                    // A code left off leaves its web address, unless the slip prints it under the code anyway.
                    appendText(SlipComposer.shortURL(payload), style: SlipTextStyle(alignment: .center), to: &out)
                }
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
        // Text in scripts the code page lacks is left out; a text with nothing printable left is not printed.
        guard let printable = transliterator.printable(text).text else { return }
        let double = style.size == .double
        if style.alignment != .left { out += ESCPOSCommand.align(alignmentByte(style.alignment)) }
        if style.bold { out += ESCPOSCommand.bold(true) }
        if double { out += ESCPOSCommand.size(width: 2, height: 2) }
        let width = double ? profile.columns / 2 : profile.columns
        for line in TextWrapper.wrap(printable, width: width) {
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

    /// The symbol as a `GS v 0` image of its modules only, `scale` dots each; the quiet zone around it is paper
    /// fed with `ESC J` above and below (3 bytes instead of rows of white) and the margins of the centred image.
    private func appendRaster(_ modules: QRModules, to out: inout [UInt8]) {
        let quiet = QRModules.quietZone
        var scale = max(1, profile.qrModuleDots)
        while scale > 1 && (modules.size + 2 * quiet) * scale > profile.dotsPerLine { scale -= 1 }
        let dots = modules.size * scale
        let bytesPerRow = (dots + 7) / 8
        var data = [UInt8](repeating: 0, count: bytesPerRow * dots)
        for y in 0..<modules.size {
            var row = [UInt8](repeating: 0, count: bytesPerRow)
            for x in 0..<modules.size where modules.isDark(x: x, y: y) {
                for dx in 0..<scale {
                    let column = x * scale + dx
                    row[column / 8] |= 0x80 >> UInt8(column % 8)
                }
            }
            for dy in 0..<scale {
                let start = (y * scale + dy) * bytesPerRow
                data.replaceSubrange(start..<start + bytesPerRow, with: row)
            }
        }
        let space = UInt8(clamping: quiet * scale)
        out += ESCPOSCommand.feed(dots: space)
        out += ESCPOSCommand.align(1)
        out += ESCPOSCommand.raster(bytesPerRow: bytesPerRow, rows: dots, data: data)
        out += ESCPOSCommand.feed(dots: space)
        out += ESCPOSCommand.align(0)
    }
}
