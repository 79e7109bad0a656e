import CQRencode
import ESCPOS

// The one file that calls libqrencode.

/// Makes QR symbols with libqrencode, for printers without QR firmware (the symbol is printed as an image).
public struct QREncodeRasterizer: QRCodeRasterizer {
    public init() {}

    public func modules(for payload: String) throws -> QRModules {
        // Error correction M, like the native QR codes; 8-bit mode; case-sensitive; smallest version that fits.
        guard let code = QRcode_encodeString(payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else {
            throw QREncodeError(payload: payload)
        }
        defer { QRcode_free(code) }
        let size = Int(code.pointee.width)
        let data = UnsafeBufferPointer(start: code.pointee.data, count: size * size)
        // Bit 0 of each byte is the module: 1 dark, 0 light.
        return QRModules(size: size, dark: data.map { $0 & 1 == 1 })
    }
}

/// libqrencode could not encode a payload (too long for a QR code).
public struct QREncodeError: Error, CustomStringConvertible {
    public var payload: String

    public var description: String { "cannot make a QR code of \(payload.utf8.count) bytes" }
}
