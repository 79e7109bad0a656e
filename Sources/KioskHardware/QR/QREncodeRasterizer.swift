import CQRencode
import ESCPOS

// The one file that calls libqrencode.

/// Makes QR symbols with libqrencode, for printers without QR firmware (the symbol is printed as an image).
///
/// Bytes on a slow serial link are what a raster QR code costs, so the symbol is the smallest version that holds the
/// payload (at level L), and within that version the strongest error correction that still fits (H, Q, M or L):
/// robustness that costs no dots.
public struct QREncodeRasterizer: QRCodeRasterizer {
    public init() {}

    public func modules(for payload: String) throws -> QRModules {
        // 8-bit mode; case-sensitive (web paths are).
        guard let smallest = QRcode_encodeString(payload, 0, QR_ECLEVEL_L, QR_MODE_8, 1) else {
            throw QREncodeError(payload: payload)
        }
        var code = smallest
        let width = smallest.pointee.width
        let version = smallest.pointee.version
        for level in [QR_ECLEVEL_H, QR_ECLEVEL_Q, QR_ECLEVEL_M] {
            // With a version given, libqrencode moves to a larger one if the data does not fit: keep only same size.
            guard let stronger = QRcode_encodeString(payload, version, level, QR_MODE_8, 1) else { continue }
            if stronger.pointee.width == width {
                QRcode_free(code)
                code = stronger
                break
            }
            QRcode_free(stronger)
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

    public var description: String {
        "cannot make a QR code of \(payload.utf8.count) bytes (at most 2,953 fit); shorten the service's url"
    }
}
