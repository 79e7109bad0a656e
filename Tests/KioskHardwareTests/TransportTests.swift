import CKioskShims
import Foundation
import KioskCore
import KioskHardware
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Printer transports")
struct TransportTests {
    @Test("TCP 9100: the bytes arrive, DLE EOT is answered, and a printer that comes back is reconnected")
    func tcp() throws {
        let listener = try TCPPrinterListener()
        let transport = TCPTransport(host: "127.0.0.1", port: listener.port)
        let slip = Array("Hello £\n".utf8) + [0x1D, 0x56, 66, 0]
        try transport.write(slip, timeout: .seconds(2))
        #expect(eventually { listener.peer.received == slip })
        listener.peer.setAnswer(4, 0x12 | 0x0C)
        #expect(try transport.realTimeStatus(4, timeout: .seconds(5)) == 0x1E)
        listener.peer.setAnswer(1, nil)
        #expect(try transport.realTimeStatus(1, timeout: .milliseconds(200)) == nil, "a silent printer")
        let port = listener.port
        listener.close()
        // Unplugged: the next write fails with a printer error, not a hang.
        var failed = false
        for _ in 0..<20 where !failed {
            do {
                try transport.write([0x0A], timeout: .milliseconds(300))
                usleep(50_000)
            } catch {
                failed = true
                #expect(error.code == .offline || error.code == .timeout || error.code == .io)
            }
        }
        #expect(failed)
        // Back again on the same port: it works without a restart.
        let again = try TCPPrinterListener(port: port)
        defer { again.close() }
        try transport.write(Array("again\n".utf8), timeout: .seconds(2))
        #expect(eventually { again.peer.received == Array("again\n".utf8) })
    }

    @Test("TCP to a port nobody listens on: offline, quickly")
    func tcpRefused() throws {
        let listener = try TCPPrinterListener()
        let port = listener.port
        listener.close()
        let transport = TCPTransport(host: "127.0.0.1", port: port, connectTimeout: .milliseconds(500))
        #expect(throws: PrinterError.self) { try transport.open() }
        do {
            try transport.open()
        } catch {
            #expect(error.code == .offline)
            #expect(error.message.contains("127.0.0.1:\(port)"))
        }
    }

    @Test("Serial: raw 8N1 at the configured speed; bytes and status go through a pseudo-terminal")
    func serial() throws {
        let (master, path) = try openPseudoTerminal()
        defer { close(master) }
        let transport = SerialTransport(path: path, baud: 19200, flow: .none, throttle: nil)
        try transport.open()
        defer { transport.close() }
        // The line's settings, as the transport left them.
        let check = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK)
        defer { close(check) }
        let (input, output, cflag, iflag) = try Posix.serialSettings(check)
        #expect(input == speed_t(B19200) && output == speed_t(B19200))
        #expect(cflag & tcflag_t(CSIZE) == tcflag_t(CS8))
        #expect(cflag & tcflag_t(PARENB) == 0 && cflag & tcflag_t(CSTOPB) == 0 && cflag & tcflag_t(CRTSCTS) == 0)
        #expect(iflag & tcflag_t(IXON) == 0)

        let peer = FakePrinterPeer()
        let serving = PeerThread(peer, serving: master)
        defer { serving.stop() }
        let bytes: [UInt8] = [0x1B, 0x40] + Array("Tel 0131 496 0101\n".utf8)
        try transport.write(bytes, timeout: .seconds(2))
        #expect(eventually { peer.received == bytes }, "received \(peer.received)")
        peer.setAnswer(2, 0x12 | 0x04)
        #expect(try transport.realTimeStatus(2, timeout: .seconds(5)) == 0x16, "cover open")
    }

    @Test("Serial flow control settings", arguments: [Posix.FlowControl.rtsCts, .xonXoff])
    func flowControl(flow: Posix.FlowControl) throws {
        let (master, path) = try openPseudoTerminal()
        defer { close(master) }
        let transport = SerialTransport(path: path, baud: 115_200, flow: flow, throttle: nil)
        try transport.open()
        defer { transport.close() }
        let check = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK)
        defer { close(check) }
        let (_, output, cflag, iflag) = try Posix.serialSettings(check)
        #expect(output == speed_t(B115200))
        if flow == .rtsCts {
            #expect(cflag & tcflag_t(CRTSCTS) != 0)
        } else {
            #expect(iflag & tcflag_t(IXON) != 0 && iflag & tcflag_t(IXOFF) != 0)
        }
    }

    @Test("Throttled serial writes pace the bytes (and line feeds) for printers without flow control")
    func throttle() throws {
        let throttle = SerialThrottle(bytesPerSecond: 1000, lineFeedPause: .milliseconds(20))
        #expect(throttle.pause(after: [UInt8](repeating: 0x41, count: 32)) == .milliseconds(32))
        #expect(throttle.pause(after: [0x41, 0x0A, 0x0A]) == .milliseconds(3) + .milliseconds(40))
        let (master, path) = try openPseudoTerminal()
        defer { close(master) }
        let transport = SerialTransport(
            path: path, baud: 19200, flow: .none,
            throttle: SerialThrottle(bytesPerSecond: 3200, lineFeedPause: .zero))
        let peer = FakePrinterPeer()
        let serving = PeerThread(peer, serving: master)
        defer { serving.stop() }
        let bytes = [UInt8](repeating: 0x41, count: 320)
        let started = ContinuousClock.now
        try transport.write(bytes, timeout: .seconds(5))
        // 320 bytes at 3200 bytes/s cannot be sent in less than 0.1 s.
        #expect(ContinuousClock.now - started >= .milliseconds(95))
        #expect(eventually { peer.received == bytes })
        // A throttled write that cannot finish in time fails instead of blocking.
        #expect(throws: PrinterError.self) { try transport.write(bytes, timeout: .milliseconds(30)) }
        transport.close()
    }

    @Test("USB lp: bytes go to the device (a FIFO here); a missing device is reported as unplugged")
    func linePrinter() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/lp0"
        #expect(mkfifo(path, 0o600) == 0)
        let reader = open(path, O_RDONLY | O_NONBLOCK)
        try #require(reader >= 0)
        defer { close(reader) }
        let peer = FakePrinterPeer()
        let serving = PeerThread(peer, serving: reader)
        defer { serving.stop() }
        let transport = USBLinePrinterTransport(path: path)
        let bytes = Array("Open now until 16:00\n".utf8)
        try transport.write(bytes, timeout: .seconds(2))
        #expect(eventually { peer.received == bytes })
        #expect(transport.portStatus() == nil, "LPGETSTATUS is for usblp devices only")
        transport.close()
        let missing = USBLinePrinterTransport(path: directory + "/lp9")
        do {
            try missing.write(bytes, timeout: .seconds(1))
            Issue.record("wrote to a missing device")
        } catch {
            #expect(error.code == .offline)
            #expect(error.message.contains("unplugged") && error.message.contains("lp9"))
        }
    }
}

/// A pseudo-terminal: the master side for the test (the printer), the slave's path for the transport.
func openPseudoTerminal() throws -> (Int32, String) {
    var master: Int32 = -1
    var name = [CChar](repeating: 0, count: 128)
    guard hubkiosk_openpty(&master, &name, 128) == 0 else { throw PosixError("openpty", errno: errno) }
    return (master, String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
}
