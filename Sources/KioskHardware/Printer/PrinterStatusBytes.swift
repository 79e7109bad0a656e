import KioskCore

/// The status a printer reports, decoded: ESC/POS `DLE EOT n` real-time status bytes and the USB printer class
/// port status that the `usblp` driver returns for `LPGETSTATUS`.
public enum PrinterStatusBytes {
    /// Whether `byte` has the fixed bits of a `DLE EOT` answer (bits 1 and 4 set, bits 0 and 7 clear).
    public static func isRealTimeStatus(_ byte: UInt8) -> Bool { byte & 0x93 == 0x12 }

    /// `DLE EOT 1`, printer status: bit 3 set means offline.
    public static func isOffline(printerStatus byte: UInt8) -> Bool { byte & 0x08 != 0 }

    /// `DLE EOT 2`, offline cause.
    public struct OfflineCause: Hashable, Sendable {
        public var coverOpen: Bool
        public var feedButton: Bool
        public var paperEnd: Bool
        public var error: Bool

        public init(_ byte: UInt8) {
            coverOpen = byte & 0x04 != 0
            feedButton = byte & 0x08 != 0
            paperEnd = byte & 0x20 != 0
            error = byte & 0x40 != 0
        }
    }

    /// `DLE EOT 3`, error cause.
    public struct ErrorCause: Hashable, Sendable {
        public var recoverable: Bool
        public var cutter: Bool
        public var unrecoverable: Bool
        public var autoRecoverable: Bool

        public init(_ byte: UInt8) {
            recoverable = byte & 0x04 != 0
            cutter = byte & 0x08 != 0
            unrecoverable = byte & 0x20 != 0
            autoRecoverable = byte & 0x40 != 0
        }
    }

    /// `DLE EOT 4`, roll paper sensor.
    public struct PaperSensor: Hashable, Sendable {
        public var nearEnd: Bool
        public var end: Bool

        public init(_ byte: UInt8) {
            nearEnd = byte & 0x0C != 0
            end = byte & 0x60 != 0
        }
    }

    /// Combines the answers to `DLE EOT 1` … `4` (any may be missing) into a status.
    public static func status(printer: UInt8?, offline: UInt8?, error: UInt8?, paper: UInt8?) -> PrinterStatus {
        var status = PrinterStatus.ready
        let cause = offline.map(OfflineCause.init)
        let errorCause = error.map(ErrorCause.init)
        let sensor = paper.map(PaperSensor.init)
        status.coverOpen = cause?.coverOpen ?? false
        status.paperOut = (cause?.paperEnd ?? false) || (sensor?.end ?? false)
        status.paperNearEnd = sensor?.nearEnd ?? false
        status.cutterError = errorCause?.cutter ?? false
        // Offline for a reason other than paper or cover (or an unrecoverable error) is offline.
        if let printer, isOffline(printerStatus: printer), !status.paperOut, !status.coverOpen, !status.cutterError {
            status.online = false
        }
        if errorCause?.unrecoverable == true { status.online = false }
        return status
    }

    /// `LPGETSTATUS` on `usblp`: the USB printer class port status (bit 3 not-error, bit 4 select, bit 5 paper
    /// empty).
    public static func status(usbPortStatus byte: Int32) -> PrinterStatus {
        var status = PrinterStatus.ready
        status.paperOut = byte & 0x20 != 0
        status.online = byte & 0x10 != 0 || status.paperOut
        if byte & 0x08 == 0 && !status.paperOut { status.online = false }
        return status
    }
}
