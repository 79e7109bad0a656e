/// The modules (black and white squares) of a QR code symbol.
public struct QRModules: Hashable, Sendable {
    /// Modules per side.
    public var size: Int
    /// Row by row, `true` for a dark module.
    public var dark: [Bool]

    public init(size: Int, dark: [Bool]) {
        precondition(dark.count == size * size, "a QR symbol is square")
        self.size = size
        self.dark = dark
    }

    public func isDark(x: Int, y: Int) -> Bool { dark[y * size + x] }

    /// Light modules a reader needs around the symbol (ISO/IEC 18004: 4).
    public static let quietZone = 4
}

/// Makes QR symbols for printers without QR firmware (libqrencode on the board): the smallest symbol for the
/// payload, with the strongest error correction that still fits that size.
public protocol QRCodeRasterizer: Sendable {
    func modules(for payload: String) throws -> QRModules
}
