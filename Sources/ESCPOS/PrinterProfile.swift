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
    /// Dots per millimetre of paper, across and along (8 for 203 dpi heads, 7.09 for 180 dpi).
    public var dotsPerMillimetre: Double
    /// How fast the printer feeds paper while printing, from its published specification (the fastest figure
    /// given, so that "sending takes no longer than printing" holds however fast it prints).
    public var printSpeedMillimetresPerSecond: Double
    /// Dots a text line takes: the line spacing (1/6 inch by default) or the characters' height if taller.
    public var lineSpacingDots: Int
    /// The link the printer is usually on; a configured serial speed replaces it.
    public var link: PrinterLinkSpeed

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
        feedLinesAtEnd: Int,
        dotsPerMillimetre: Double = 8,
        printSpeedMillimetresPerSecond: Double,
        lineSpacingDots: Int = 30,
        link: PrinterLinkSpeed = .usbFullSpeed
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
        self.dotsPerMillimetre = dotsPerMillimetre
        self.printSpeedMillimetresPerSecond = printSpeedMillimetresPerSecond
        self.lineSpacingDots = lineSpacingDots
        self.link = link
    }

    /// Epson TM-T20II (and TM-T20III, TM-m30 in ESC/POS mode): 80 mm, 576 dots, 48 columns, native QR, cutter.
    /// Print speed 200 mm/s (Epson TM-T20II technical reference / specification sheet); USB.
    public static let epsonTMT20II = PrinterProfile(
        id: "epson-tm-t20ii", name: "Epson TM-T20II 80 mm", paperWidthMillimetres: 80, dotsPerLine: 576,
        columns: 48, qr: .native, qrModuleDots: 6, cutter: .partial, feedLinesAtEnd: 3,
        printSpeedMillimetresPerSecond: 200)

    /// Epson TM-T88 (IV, V, VI): 80 mm paper, 512 dots at 180 dpi, 42 columns, native QR, cutter. Print speed up
    /// to 350 mm/s (TM-T88VI specification; the IV prints 200 mm/s, the V 300 mm/s); USB.
    public static let epsonTMT88 = PrinterProfile(
        id: "epson-tm-t88", name: "Epson TM-T88 80 mm", paperWidthMillimetres: 80, dotsPerLine: 512, columns: 42,
        qr: .native, qrModuleDots: 5, cutter: .partial, feedLinesAtEnd: 3, dotsPerMillimetre: 180 / 25.4,
        printSpeedMillimetresPerSecond: 350)

    /// A generic 58 mm ESC/POS clone (USB or Bluetooth "POS-58"): 384 dots, 32 columns, QR as a raster image,
    /// no cutter. Print speed 90 mm/s (the POS-5890 / Xprinter XP-58 class data sheets; "50-90 mm/s" on most).
    /// QR modules of 3 dots (0.375 mm), the smallest that a phone reads off the paper
    /// (`QRScanTests` checks it with a real QR decoder).
    public static let generic58 = PrinterProfile(
        id: "generic-58", name: "Generic 58 mm ESC/POS", paperWidthMillimetres: 58, dotsPerLine: 384, columns: 32,
        qr: .raster, qrModuleDots: 3, cutter: .none, feedLinesAtEnd: 4, printSpeedMillimetresPerSecond: 90)

    /// A 58 mm printer with native QR codes and a cutter (Xprinter XP-58IIH, Epson TM-P20 class). Print speed
    /// 100 mm/s (TM-P20 specification; the XP-58IIH gives 90 mm/s).
    public static let generic58QR = PrinterProfile(
        id: "generic-58-qr", name: "58 mm ESC/POS with QR and cutter", paperWidthMillimetres: 58, dotsPerLine: 384,
        columns: 32, qr: .native, qrModuleDots: 4, cutter: .partial, feedLinesAtEnd: 3,
        printSpeedMillimetresPerSecond: 100)

    /// Adafruit / CSN-A2 serial panel printer: 58 mm, 384 dots, 32 columns, no QR firmware, no cutter. Print speed
    /// 50-80 mm/s (Cashino CSN-A2 user manual, "Specifications"; Adafruit product 597): 80 here. TTL serial at
    /// 19,200 baud, its factory setting. QR modules of 3 dots, as on ``generic58``.
    public static let csnA2 = PrinterProfile(
        id: "csn-a2", name: "Adafruit / CSN-A2 serial thermal", paperWidthMillimetres: 58, dotsPerLine: 384,
        columns: 32, qr: .raster, qrModuleDots: 3, cutter: .none, feedLinesAtEnd: 3,
        printSpeedMillimetresPerSecond: 80, link: .serial(baud: 19200))

    /// Every built-in profile.
    public static let all: [PrinterProfile] = [epsonTMT20II, epsonTMT88, generic58, generic58QR, csnA2]

    /// The built-in profile named `id`.
    public static func named(_ id: String) -> PrinterProfile? { all.first { $0.id == id } }

    public var description: String {
        "\(id): \(name), \(paperWidthMillimetres) mm, \(dotsPerLine) dots, \(columns) columns, "
            + "\(codePage.name), QR \(qr.rawValue), cutter \(cutter.rawValue)"
    }
}

/// How fast bytes reach a printer: what ``SlipTiming`` divides by.
public struct PrinterLinkSpeed: Hashable, Sendable, CustomStringConvertible {
    /// What the link is, for reports ("serial 19200 baud").
    public var name: String
    /// Bits per second on the wire, including a serial link's start and stop bits.
    public var bitsPerSecond: Int
    /// Bits on the wire per byte: 10 on an 8N1 serial line (start, 8 data, stop), 8 elsewhere.
    public var bitsPerByte: Int

    public init(name: String, bitsPerSecond: Int, bitsPerByte: Int) {
        self.name = name
        self.bitsPerSecond = max(1, bitsPerSecond)
        self.bitsPerByte = max(1, bitsPerByte)
    }

    /// An 8N1 serial line (TTL UART, RS-232, or a Bluetooth serial port).
    public static func serial(baud: Int) -> PrinterLinkSpeed {
        PrinterLinkSpeed(name: "serial \(baud) baud", bitsPerSecond: baud, bitsPerByte: 10)
    }

    /// USB 2.0 full speed (12 Mbit/s), what USB receipt printers run at.
    public static let usbFullSpeed = PrinterLinkSpeed(name: "USB full speed", bitsPerSecond: 12_000_000, bitsPerByte: 8)

    /// Seconds to send `bytes`.
    public func seconds(toSend bytes: Int) -> Double {
        Double(bytes) * Double(bitsPerByte) / Double(bitsPerSecond)
    }

    public var description: String { name }
}
