import Foundation
import KioskCore
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Buttons on GPIO lines: a thread waits in `poll(2)` on the lines' event descriptors (no polling loop: it sleeps
/// until an edge arrives, or until a debounce window closes), maps the edges and delivers button events.
public final class GPIOButtons: ButtonSource {
    private let requests: [GPIORequest]
    private let mapper: Mutex<ButtonEdgeMapper>
    private let stream: AsyncStream<ButtonEvent>
    private let continuation: AsyncStream<ButtonEvent>.Continuation
    private let wake: (read: Int32, write: Int32)
    private let logger: Logger
    private let chipOf: [ObjectIdentifier: String]
    private let started = Mutex(false)

    public init(requests: [GPIORequest], mapper: ButtonEdgeMapper, logger: Logger) throws(PosixError) {
        self.requests = requests
        self.mapper = Mutex(mapper)
        self.logger = logger
        self.chipOf = Dictionary(uniqueKeysWithValues: requests.map { (ObjectIdentifier($0), $0.chip.path) })
        (stream, continuation) = AsyncStream.makeStream(of: ButtonEvent.self)
        wake = try Posix.makePipe()
    }

    deinit {
        Posix.close(wake.read)
        Posix.close(wake.write)
    }

    public func events() -> AsyncStream<ButtonEvent> {
        let first = started.withLock { started -> Bool in
            defer { started = true }
            return !started
        }
        if first {
            let thread = Thread { [self] in self.run() }
            thread.name = "hubkiosk-buttons"
            thread.start()
        }
        return stream
    }

    /// Stops the event thread.
    public func stop() {
        var byte: UInt8 = 1
        _ = Glibc.write(wake.write, &byte, 1)
    }

    private func run() {
        var sources: [(request: GPIORequest, index: Int)] = []
        var descriptors: [pollfd] = []
        for request in requests {
            guard let fds = try? request.descriptors() else { continue }
            for (index, fd) in fds.enumerated() {
                sources.append((request, index))
                descriptors.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
            }
        }
        descriptors.append(pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0))
        while true {
            let timeout: Duration? = mapper.withLock { mapper in
                mapper.settleDeadline.map { deadline in max(.zero, deadline - GPIOChip.boottimeNow()) }
            }
            for i in descriptors.indices { descriptors[i].revents = 0 }
            do {
                _ = try Posix.poll(&descriptors, timeout: timeout.map { $0 + .milliseconds(1) })
            } catch {
                logger.error("buttons: \(error)")
                continuation.finish()
                return
            }
            if descriptors.last!.revents != 0 {
                continuation.finish()
                return
            }
            for (i, source) in sources.enumerated() where descriptors[i].revents & Int16(POLLIN) != 0 {
                do {
                    let edges = try source.request.readEdges(descriptor: source.index)
                    let chip = chipOf[ObjectIdentifier(source.request)] ?? ""
                    let events = mapper.withLock { mapper in
                        edges.compactMap { edge in
                            mapper.map(
                                .init(
                                    line: .init(chip: chip, offset: edge.offset), rising: edge.rising,
                                    monotonicNanoseconds: edge.monotonicNanoseconds))
                        }
                    }
                    for event in events { continuation.yield(event) }
                } catch {
                    logger.error("buttons: \(error)")
                }
            }
            let now = GPIOChip.boottimeNow()
            for event in mapper.withLock({ $0.settle(at: now) }) { continuation.yield(event) }
        }
    }
}
