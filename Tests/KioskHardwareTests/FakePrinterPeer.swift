import Foundation
import KioskHardware
import KioskTestSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The printer's side of a link, for tests: it records the bytes it receives and answers `DLE EOT n` with the
/// status bytes a test sets, like an ESC/POS printer.
final class FakePrinterPeer: Sendable {
    struct State {
        var received: [UInt8] = []
        /// Answers to DLE EOT 1…4; nil: stay silent (a printer that does not answer).
        var answers: [UInt8: UInt8] = [1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12]
        var statusQueries = 0
        var connections = 0
    }

    let state = Mutex(State())

    var received: [UInt8] { state.withLock { $0.received } }

    func setAnswer(_ n: UInt8, _ byte: UInt8?) {
        state.withLock { $0.answers[n] = byte }
    }

    /// Handles one connection or device until it closes or `stop` is set; answers status queries on `fd`.
    func serve(_ fd: Int32, stop: Flag) {
        state.withLock { $0.connections += 1 }
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !stop.isSet {
            var descriptor = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            let ready = descriptor.withUnsafeMutableBufferPointer { poll($0.baseAddress, 1, 50) }
            if ready <= 0 { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4096) }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            if n <= 0 { return }
            pending += buffer[0..<n]
            // Take DLE EOT n queries out of the stream and answer them; keep the rest.
            while let start = pending.firstRange(of: [0x10, 0x04]), start.upperBound < pending.count {
                let n = pending[start.upperBound]
                state.withLock { $0.received += pending[..<start.lowerBound] }
                pending.removeSubrange(..<(start.upperBound + 1))
                let answer = state.withLock { state -> UInt8? in
                    state.statusQueries += 1
                    return state.answers[n] ?? nil
                }
                if var byte = answer { _ = write(fd, &byte, 1) }
            }
            if pending.last == 0x10 || (pending.count >= 2 && pending.suffix(2) == [0x10, 0x04]) { continue }
            state.withLock { $0.received += pending }
            pending.removeAll()
        }
    }
}

/// A thread serving one descriptor with a ``FakePrinterPeer``. `stop()` returns only once the thread has let go of
/// the descriptor: closing it earlier would let the thread read another test's descriptor that reuses the number.
final class PeerThread: Sendable {
    private let stopping = Flag()
    private let finished = DispatchSemaphore(value: 0)

    init(_ peer: FakePrinterPeer, serving fd: Int32) {
        let thread = Thread { [stopping, finished] in
            peer.serve(fd, stop: stopping)
            finished.signal()
        }
        thread.start()
    }

    private let stopped = Atomic<Bool>(false)

    /// Stops serving and waits for the thread; call it before closing the descriptor.
    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        stopping.set()
        finished.wait()
    }
}

/// A TCP listener on 127.0.0.1 that serves connections with a ``FakePrinterPeer``, one at a time.
final class TCPPrinterListener: Sendable {
    let peer = FakePrinterPeer()
    let port: Int
    private let listener: Int32
    private let stop = Flag()
    private let finished = DispatchSemaphore(value: 0)

    init(port requested: Int = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(requested).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 4) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw PosixError("bind", errno: code)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in
            acceptLoop()
            finished.signal()
        }
        thread.start()
    }

    private func acceptLoop() {
        while !stop.isSet {
            var descriptor = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            let ready = descriptor.withUnsafeMutableBufferPointer { poll($0.baseAddress, 1, 50) }
            if ready <= 0 { continue }
            let fd = accept(listener, nil, nil)
            if fd < 0 { continue }
            peer.serve(fd, stop: stop)
            Glibc.close(fd)
        }
        Glibc.close(listener)
    }

    private let closed = Atomic<Bool>(false)

    /// Stops listening and waits until the listener and any connection are closed.
    func close() {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        stop.set()
        finished.wait()
    }
}

/// Waits up to `seconds` for `condition`.
func eventually(_ seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}
