/// ESC/POS command bytes (Epson ESC/POS Application Programming Guide), as the encoder writes them.
public enum ESCPOSCommand {
    public static let esc: UInt8 = 0x1B
    public static let gs: UInt8 = 0x1D
    public static let dle: UInt8 = 0x10
    public static let lf: UInt8 = 0x0A

    /// `ESC @`: initialise the printer (clears styles, selects PC437).
    public static let initialize: [UInt8] = [esc, 0x40]

    /// `ESC t n`: select character code table `n`.
    public static func selectCodePage(_ codePage: CodePage) -> [UInt8] { [esc, 0x74, codePage.escposNumber] }

    /// `ESC a n`: justification (0 left, 1 centre, 2 right).
    public static func align(_ alignment: UInt8) -> [UInt8] { [esc, 0x61, alignment] }

    /// `ESC E n`: emphasised (bold) on or off.
    public static func bold(_ on: Bool) -> [UInt8] { [esc, 0x45, on ? 1 : 0] }

    /// `GS ! n`: character size, width and height multipliers 1…8.
    public static func size(width: UInt8, height: UInt8) -> [UInt8] {
        [gs, 0x21, ((width - 1) << 4) | (height - 1)]
    }

    /// `ESC d n`: print and feed `n` lines.
    public static func feed(lines: UInt8) -> [UInt8] { [esc, 0x64, lines] }

    /// `ESC J n`: print and feed `n` dots (motion units; one dot on these printers).
    public static func feed(dots: UInt8) -> [UInt8] { [esc, 0x4A, dots] }

    /// `GS V m n` (function B): feed `n` dots to the cutting position and cut (66 partial, 65 full).
    public static func cut(partial: Bool, feedDots: UInt8 = 0) -> [UInt8] { [gs, 0x56, partial ? 66 : 65, feedDots] }

    /// `GS ( k` for the QR code symbol: `cn` 49 and function `fn` with `parameters`.
    public static func qr(function fn: UInt8, _ parameters: [UInt8]) -> [UInt8] {
        let length = parameters.count + 2
        return [gs, 0x28, 0x6B, UInt8(length & 0xFF), UInt8(length >> 8), 0x31, fn] + parameters
    }

    /// The largest QR payload `GS ( k` function 180 accepts.
    public static let maximumQRPayload = 7089

    /// `GS v 0 m xL xH yL yH d…`: a raster bit image, `bytesPerRow` × `rows`, MSB = leftmost dot.
    public static func raster(bytesPerRow: Int, rows: Int, data: [UInt8]) -> [UInt8] {
        [gs, 0x76, 0x30, 0, UInt8(bytesPerRow & 0xFF), UInt8(bytesPerRow >> 8), UInt8(rows & 0xFF), UInt8(rows >> 8)]
            + data
    }

    /// `DLE EOT n`: transmit real-time status (`n` 1 printer, 2 offline cause, 3 error cause, 4 paper sensor).
    public static func realTimeStatus(_ n: UInt8) -> [UInt8] { [dle, 0x04, n] }
}
