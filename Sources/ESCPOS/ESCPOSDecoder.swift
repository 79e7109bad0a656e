/// Reads ESC/POS bytes back into what they print: for the simulator's `.txt` renderings and for tests.
///
/// It understands the commands the encoder writes and the common ones printers receive from other software;
/// anything else is reported in ``DecodedReceipt/unknown`` with its offset rather than guessed at.
public struct ESCPOSDecoder: Sendable {
    public init() {}

    public func decode(_ bytes: [UInt8]) -> DecodedReceipt {
        var state = DecoderState(bytes: bytes)
        state.run()
        return state.receipt
    }
}

private struct DecoderState {
    let bytes: [UInt8]
    var index = 0
    var receipt = DecodedReceipt()
    var style = DecodedReceipt.Style()
    var codePage = CodePage.pc437
    var line: [UInt8] = []
    var lineStyle: DecodedReceipt.Style?
    var qrData: [UInt8]?
    var qrModule = 3
    var qrCorrection: Character = "L"

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func unknown(_ start: Int, _ count: Int, _ reason: String) {
        let end = min(bytes.count, start + count)
        receipt.unknown.append(.init(offset: start, bytes: Array(bytes[start..<end]), reason: reason))
    }

    /// The `n`th byte after the current one, or nil at the end.
    func peek(_ n: Int) -> UInt8? { index + n < bytes.count ? bytes[index + n] : nil }

    mutating func flushLine() {
        let text = String(String.UnicodeScalarView(line.map { codePage.scalar(for: $0) ?? "?" }))
        receipt.elements.append(.line(text, lineStyle ?? style))
        line.removeAll()
        lineStyle = nil
    }

    mutating func run() {
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x0A:
                flushLine()
                index += 1
            case 0x0D:
                index += 1
            case 0x09:
                if lineStyle == nil { lineStyle = style }
                line.append(0x20)
                index += 1
            case 0x1B:
                escape()
            case 0x1D:
                groupSeparator()
            case 0x10:
                dataLinkEscape()
            case 0x20..<0x7F, 0x80...0xFF:
                if lineStyle == nil { lineStyle = style }
                line.append(byte)
                index += 1
            default:
                unknown(index, 1, "control byte")
                index += 1
            }
        }
        if !line.isEmpty {
            receipt.unterminatedText = String(String.UnicodeScalarView(line.map { codePage.scalar(for: $0) ?? "?" }))
        }
    }

    /// Consumes a command of `length` bytes if all are there; reports a truncated command otherwise.
    mutating func take(_ length: Int, _ name: String) -> [UInt8]? {
        guard index + length <= bytes.count else {
            unknown(index, length, "\(name) cut short by the end of the data")
            index = bytes.count
            return nil
        }
        defer { index += length }
        return Array(bytes[index..<index + length])
    }

    mutating func escape() {
        guard let command = peek(1) else {
            unknown(index, 1, "ESC at the end of the data")
            index += 1
            return
        }
        switch command {
        case 0x40:  // ESC @
            index += 2
            style = .init()
            codePage = .pc437
        case 0x74:  // ESC t n
            guard let c = take(3, "ESC t") else { return }
            if let page = CodePage.number(c[2]) {
                codePage = page
            } else {
                unknown(index - 3, 3, "code page \(c[2]) is not known to the decoder")
            }
        case 0x61:  // ESC a n
            guard let c = take(3, "ESC a") else { return }
            style.alignment = Int(c[2] % 48)
        case 0x45:  // ESC E n
            guard let c = take(3, "ESC E") else { return }
            style.bold = c[2] & 1 == 1
        case 0x47:  // ESC G n (double-strike, printed like bold)
            guard let c = take(3, "ESC G") else { return }
            style.bold = c[2] & 1 == 1
        case 0x2D:  // ESC - n
            guard let c = take(3, "ESC -") else { return }
            style.underline = c[2] % 48 != 0
        case 0x21:  // ESC ! n
            guard let c = take(3, "ESC !") else { return }
            style.bold = c[2] & 0x08 != 0
            style.heightMultiplier = c[2] & 0x10 != 0 ? 2 : 1
            style.widthMultiplier = c[2] & 0x20 != 0 ? 2 : 1
            style.underline = c[2] & 0x80 != 0
        case 0x64:  // ESC d n
            guard let c = take(3, "ESC d") else { return }
            if !line.isEmpty { flushLine() }
            if c[2] > 0 { receipt.elements.append(.feed(Int(c[2]))) }
        case 0x4A:  // ESC J n (feed dots)
            guard let c = take(3, "ESC J") else { return }
            if !line.isEmpty { flushLine() }
            if c[2] > 0 { receipt.elements.append(.space(dots: Int(c[2]))) }
        case 0x32:  // ESC 2
            index += 2
        case 0x33, 0x52, 0x4D, 0x56, 0x7B:  // ESC 3 n, ESC R n, ESC M n, ESC V n, ESC { n
            _ = take(3, "ESC \(Character(Unicode.Scalar(command)))")
        case 0x70:  // ESC p m t1 t2 (drawer kick)
            _ = take(5, "ESC p")
        default:
            unknown(index, 2, "ESC command not known to the decoder")
            index += 2
        }
    }

    mutating func groupSeparator() {
        guard let command = peek(1) else {
            unknown(index, 1, "GS at the end of the data")
            index += 1
            return
        }
        switch command {
        case 0x21:  // GS ! n
            guard let c = take(3, "GS !") else { return }
            style.widthMultiplier = Int(c[2] >> 4) + 1
            style.heightMultiplier = Int(c[2] & 0x0F) + 1
        case 0x42:  // GS B n (reverse)
            _ = take(3, "GS B")
        case 0x56:  // GS V m [n]
            guard let m = peek(2) else {
                unknown(index, 2, "GS V cut short")
                index = bytes.count
                return
            }
            if !line.isEmpty { flushLine() }
            let length = (m == 65 || m == 66) ? 4 : 3
            guard take(length, "GS V") != nil else { return }
            receipt.elements.append(.cut(partial: m == 1 || m == 49 || m == 66))
        case 0x28:  // GS ( k
            qrCommand()
        case 0x76:  // GS v 0 m xL xH yL yH d...
            guard let header = take(8, "GS v 0") else { return }
            let bytesPerRow = Int(header[4]) | Int(header[5]) << 8
            let rows = Int(header[6]) | Int(header[7]) << 8
            guard let data = take(bytesPerRow * rows, "GS v 0 image data") else { return }
            if !line.isEmpty { flushLine() }
            receipt.elements.append(.image(width: bytesPerRow * 8, height: rows, bitmap: data))
        case 0x61, 0x48, 0x66, 0x68, 0x77, 0x4C:  // GS a, GS H, GS f, GS h, GS w, GS L(2 bytes)
            _ = take(command == 0x4C ? 4 : 3, "GS command")
        default:
            unknown(index, 2, "GS command not known to the decoder")
            index += 2
        }
    }

    mutating func qrCommand() {
        guard let k = peek(2), let pL = peek(3), let pH = peek(4) else {
            unknown(index, bytes.count - index, "GS ( cut short")
            index = bytes.count
            return
        }
        let length = Int(pL) | Int(pH) << 8
        guard let command = take(5 + length, "GS ( \(Character(Unicode.Scalar(k)))") else { return }
        guard k == 0x6B, length >= 2, command[5] == 0x31 else {
            if k != 0x6B {
                unknown(index - command.count, command.count, "GS ( \(Character(Unicode.Scalar(k))) is not decoded")
            } else {
                unknown(index - command.count, command.count, "GS ( k for a symbol other than QR")
            }
            return
        }
        let function = command[6]
        let parameters = Array(command[7...])
        switch function {
        case 65: break  // model
        case 67: qrModule = Int(parameters.first ?? 3)
        case 69: qrCorrection = ["L", "M", "Q", "H"][(Int(parameters.first ?? 48) - 48) & 3]
        case 80: qrData = Array(parameters.dropFirst())
        case 81:
            if !line.isEmpty { flushLine() }
            if let data = qrData {
                receipt.elements.append(
                    .qrCode(
                        payload: String(decoding: data, as: UTF8.self), moduleSize: qrModule,
                        errorCorrection: qrCorrection))
            } else {
                unknown(index - command.count, command.count, "QR print with no stored data")
            }
        default:
            break
        }
    }

    mutating func dataLinkEscape() {
        guard let command = peek(1) else {
            unknown(index, 1, "DLE at the end of the data")
            index += 1
            return
        }
        switch command {
        case 0x04, 0x05:  // DLE EOT n, DLE ENQ n
            _ = take(3, "DLE EOT")
        case 0x14:  // DLE DC4 fn ...
            _ = take(5, "DLE DC4")
        default:
            unknown(index, 2, "DLE command not known to the decoder")
            index += 2
        }
    }
}
