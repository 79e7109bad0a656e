/// What the encoder needs to know about a printer model.
public struct PrinterProfile: Hashable, Sendable, CustomStringConvertible {
    /// How the printer can print a QR code.
    public enum QRSupport: String, Hashable, Sendable {
        /// `GS ( k` model 2 QR codes in firmware.
        case native
        /// No QR firmware: a QR code is sent as a raster image (`GS v 0`) made by a ``QRCodeRasterizer``.
        case raster
    }

    public enum Cutter: String, Hashable, Sendable {
        case partial
        case full
        /// No cutter: the slip is fed out to the tear bar.
        case none
    }

    /// The name configs use (`epson-tm-t20ii`).
    public var id: String
    public var name: String
    public var paperWidthMillimetres: Int
    /// Printable dots per line.
    public var dotsPerLine: Int
    /// Characters per line in font A at normal size.
    public var columns: Int
    public var codePage: CodePage
    public var qr: QRSupport
    /// Size of one QR module in dots (native: `GS ( k` function 167; raster: the scale).
    public var qrModuleDots: Int
    public var cutter: Cutter
    /// Lines fed after the last line so it clears the cutter or tear bar.
    public var feedLinesAtEnd: Int

    public init(
        id: String,
        name: String,
        paperWidthMillimetres: Int,
        dotsPerLine: Int,
        columns: Int,
        codePage: CodePage = .pc858,
        qr: QRSupport,
        qrModuleDots: Int,
        cutter: Cutter,
        feedLinesAtEnd: Int
    ) {
        self.id = id
        self.name = name
        self.paperWidthMillimetres = paperWidthMillimetres
        self.dotsPerLine = dotsPerLine
        self.columns = columns
        self.codePage = codePage
        self.qr = qr
        self.qrModuleDots = qrModuleDots
        self.cutter = cutter
        self.feedLinesAtEnd = feedLinesAtEnd
    }

    /// Epson TM-T20II (and TM-T20III, TM-m30 in ESC/POS mode): 80 mm, 576 dots, 48 columns, native QR, cutter.
    public static let epsonTMT20II = PrinterProfile(
        id: "epson-tm-t20ii", name: "Epson TM-T20II 80 mm", paperWidthMillimetres: 80, dotsPerLine: 576,
        columns: 48, qr: .native, qrModuleDots: 6, cutter: .partial, feedLinesAtEnd: 3)

    /// Epson TM-T88 (IV, V, VI): 80 mm paper, 512 dots at 180 dpi, 42 columns, native QR, cutter.
    public static let epsonTMT88 = PrinterProfile(
        id: "epson-tm-t88", name: "Epson TM-T88 80 mm", paperWidthMillimetres: 80, dotsPerLine: 512, columns: 42,
        qr: .native, qrModuleDots: 5, cutter: .partial, feedLinesAtEnd: 3)

    /// A generic 58 mm ESC/POS clone (USB or Bluetooth "POS-58"): 384 dots, 32 columns, QR as a raster image,
    /// no cutter.
    public static let generic58 = PrinterProfile(
        id: "generic-58", name: "Generic 58 mm ESC/POS", paperWidthMillimetres: 58, dotsPerLine: 384, columns: 32,
        qr: .raster, qrModuleDots: 4, cutter: .none, feedLinesAtEnd: 4)

    /// A 58 mm printer with native QR codes and a cutter (Xprinter XP-58IIH, Epson TM-P20 class).
    public static let generic58QR = PrinterProfile(
        id: "generic-58-qr", name: "58 mm ESC/POS with QR and cutter", paperWidthMillimetres: 58, dotsPerLine: 384,
        columns: 32, qr: .native, qrModuleDots: 4, cutter: .partial, feedLinesAtEnd: 3)

    /// Adafruit / CSN-A2 serial panel printer: 58 mm, 384 dots, 32 columns, no QR firmware, no cutter.
    public static let csnA2 = PrinterProfile(
        id: "csn-a2", name: "Adafruit / CSN-A2 serial thermal", paperWidthMillimetres: 58, dotsPerLine: 384,
        columns: 32, qr: .raster, qrModuleDots: 4, cutter: .none, feedLinesAtEnd: 3)

    /// Every built-in profile.
    public static let all: [PrinterProfile] = [epsonTMT20II, epsonTMT88, generic58, generic58QR, csnA2]

    /// The built-in profile named `id`.
    public static func named(_ id: String) -> PrinterProfile? { all.first { $0.id == id } }

    public var description: String {
        "\(id): \(name), \(paperWidthMillimetres) mm, \(dotsPerLine) dots, \(columns) columns, "
            + "\(codePage.name), QR \(qr.rawValue), cutter \(cutter.rawValue)"
    }
}
