import KioskCore
import KioskHardware
import Testing

@Suite("Printer status bytes")
struct StatusBytesTests {
    @Test("DLE EOT answers have fixed bits")
    func fixedBits() {
        #expect(PrinterStatusBytes.isRealTimeStatus(0x12))
        #expect(PrinterStatusBytes.isRealTimeStatus(0x7E))
        #expect(!PrinterStatusBytes.isRealTimeStatus(0x00))
        #expect(!PrinterStatusBytes.isRealTimeStatus(0x92), "bit 7 is always 0")
        #expect(!PrinterStatusBytes.isRealTimeStatus(0x13), "bit 0 is always 0")
    }

    @Test(
        "Every documented bit",
        arguments: [
            // (printer, offline cause, error cause, paper sensor) → key
            (UInt8(0x12), UInt8(0x12), UInt8(0x12), UInt8(0x12), "ready"),
            (0x1A, 0x12, 0x12, 0x12, "offline"),  // DLE EOT 1 bit 3: offline
            (0x1A, 0x16, 0x12, 0x12, "cover-open"),  // DLE EOT 2 bit 2: cover open
            (0x1A, 0x32, 0x12, 0x12, "paper-out"),  // DLE EOT 2 bit 5: stopped at paper end
            (0x12, 0x12, 0x12, 0x72, "paper-out"),  // DLE EOT 4 bits 5-6: roll paper end
            (0x12, 0x12, 0x12, 0x1E, "paper-low"),  // DLE EOT 4 bits 2-3: near end
            (0x1A, 0x52, 0x1A, 0x12, "cutter-error"),  // DLE EOT 2 bit 6 error, DLE EOT 3 bit 3 autocutter
            (0x1A, 0x52, 0x32, 0x12, "offline"),  // DLE EOT 3 bit 5: unrecoverable error
            (0x12, 0x1A, 0x12, 0x12, "ready"),  // DLE EOT 2 bit 3: feed button (not a problem)
        ])
    func realTime(printer: UInt8, offline: UInt8, error: UInt8, paper: UInt8, key: String) {
        #expect(PrinterStatusBytes.status(printer: printer, offline: offline, error: error, paper: paper).key == key)
    }

    @Test("Missing answers count as nothing wrong")
    func missing() {
        #expect(PrinterStatusBytes.status(printer: nil, offline: nil, error: nil, paper: nil) == .ready)
        #expect(PrinterStatusBytes.status(printer: 0x12, offline: nil, error: nil, paper: 0x1E).paperNearEnd)
    }

    @Test(
        "LPGETSTATUS on usblp: not-error, select and paper-empty bits",
        arguments: [
            (Int32(0x18), "ready"), (0x38, "paper-out"), (0x08, "offline"), (0x10, "offline"), (0x30, "paper-out"),
        ])
    func usb(byte: Int32, key: String) {
        #expect(PrinterStatusBytes.status(usbPortStatus: byte).key == key)
    }

    @Test("Printer devices from the configuration")
    func devices() {
        #expect(PrinterDevice("/dev/usb/lp0") == .usbLinePrinter(path: "/dev/usb/lp0"))
        #expect(PrinterDevice("/dev/hubkiosk-printer") == .usbLinePrinter(path: "/dev/hubkiosk-printer"))
        #expect(PrinterDevice("/dev/serial0") == .serial(path: "/dev/serial0"))
        #expect(PrinterDevice("/dev/ttyUSB0") == .serial(path: "/dev/ttyUSB0"))
        #expect(PrinterDevice("tcp://192.168.1.50") == .tcp(host: "192.168.1.50", port: 9100))
        #expect(PrinterDevice("tcp://printer.local:9101") == .tcp(host: "printer.local", port: 9101))
        #expect(PrinterDevice("tcp://[fe80::1]:9100") == .tcp(host: "fe80::1", port: 9100))
        #expect(PrinterDevice("lp0") == nil)
        #expect(PrinterDevice("tcp://host:99999") == nil)
    }
}
