import Dispatch
import KioskCore
import Logging
import Synchronization

/// A real receipt printer on a ``PrinterTransport``.
///
/// All I/O runs on the printer's own queue, never on the press path, and every write has a timeout. Before a slip
/// the printer is asked for its status (`DLE EOT`, or `LPGETSTATUS` on usblp); a printer that is out of paper,
/// open, unplugged or silent is reported, and the slip is not printed. While there is a problem the printer is
/// checked every few seconds, so a refilled or re-plugged printer is noticed without a restart; when all is well
/// nothing is polled.
public final class BoardPrinter: ReceiptPrinter {
    public let transport: any PrinterTransport
    /// Bytes per second assumed when sizing a write's timeout.
    public let throughput: Int
    public let logger: Logger
    /// How often to look again while the printer has a problem.
    public let recheckInterval: Duration

    private let queue = DispatchQueue(label: "hubkiosk.printer")
    private let state = Mutex<State>(State())
    private let updates: AsyncStream<PrinterStatus>
    private let updatesContinuation: AsyncStream<PrinterStatus>.Continuation

    private struct State {
        var status = PrinterStatus.ready
        var answersStatus: Bool?
        var recheck: Task<Void, Never>?
    }

    public init(
        transport: any PrinterTransport,
        throughput: Int = 2000,
        recheckInterval: Duration = .seconds(5),
        logger: Logger
    ) {
        self.transport = transport
        self.throughput = throughput
        self.recheckInterval = recheckInterval
        self.logger = logger
        (updates, updatesContinuation) = AsyncStream.makeStream(of: PrinterStatus.self)
    }

    public func print(_ bytes: [UInt8]) async throws {
        let timeout = Duration.seconds(5) + .milliseconds(bytes.count * 1000 / max(1, throughput))
        try await onQueue { () throws(PrinterError) in
            let before = self.refreshOnQueue()
            if let problem = before.problem {
                throw PrinterError(before.paperOut ? .paperOut : (before.coverOpen ? .coverOpen : .offline), problem)
            }
            do throws(PrinterError) {
                try self.transport.write(bytes, timeout: timeout)
            } catch {
                self.publish(error.code == .timeout ? PrinterStatus(online: false) : .offline)
                throw error
            }
            // After a slip: is the paper running low now?
            _ = self.refreshOnQueue()
        }
    }

    public func status() async -> PrinterStatus {
        state.withLock { $0.status }
    }

    public func statusUpdates() -> AsyncStream<PrinterStatus> { updates }

    /// Asks the printer how it is now (at start, and by the doctor).
    @discardableResult
    public func refresh() async -> PrinterStatus {
        (try? await onQueue { () throws(PrinterError) in self.refreshOnQueue() }) ?? .offline
    }

    /// Stops checking the printer.
    public func stop() {
        state.withLock { $0.recheck?.cancel() }
        transport.close()
        updatesContinuation.finish()
    }

    // MARK: - On the printer's queue

    private func refreshOnQueue() -> PrinterStatus {
        do {
            try transport.open()
        } catch {
            logger.debug("printer: \(error.message)")
            return publish(.offline)
        }
        var status = transport.portStatus() ?? .ready
        // Printers that never answer DLE EOT (many cheap ones) are not asked again and again.
        if state.withLock({ $0.answersStatus }) != false {
            do {
                let printer = try transport.realTimeStatus(1, timeout: .milliseconds(300))
                state.withLock { $0.answersStatus = printer != nil || $0.answersStatus == true }
                if printer != nil {
                    let offline = try transport.realTimeStatus(2, timeout: .milliseconds(300))
                    let error =
                        offline.map { PrinterStatusBytes.OfflineCause($0).error } == true
                        ? try transport.realTimeStatus(3, timeout: .milliseconds(300)) : nil
                    let paper = try transport.realTimeStatus(4, timeout: .milliseconds(300))
                    let reported = PrinterStatusBytes.status(
                        printer: printer, offline: offline, error: error, paper: paper)
                    status = merge(status, reported)
                }
            } catch {
                logger.debug("printer: \(error.message)")
                transport.close()
                return publish(.offline)
            }
        }
        return publish(status)
    }

    private func merge(_ port: PrinterStatus, _ reported: PrinterStatus) -> PrinterStatus {
        PrinterStatus(
            online: port.online && reported.online, paperOut: port.paperOut || reported.paperOut,
            paperNearEnd: port.paperNearEnd || reported.paperNearEnd, coverOpen: port.coverOpen || reported.coverOpen,
            cutterError: port.cutterError || reported.cutterError)
    }

    @discardableResult
    private func publish(_ status: PrinterStatus) -> PrinterStatus {
        let changed = state.withLock { state -> Bool in
            let changed = state.status != status
            state.status = status
            if status.problem != nil {
                if state.recheck == nil { state.recheck = makeRecheck() }
            } else {
                state.recheck?.cancel()
                state.recheck = nil
            }
            return changed
        }
        if changed {
            logger.info("printer \(status.key)", metadata: ["device": "\(transport.name)"])
            updatesContinuation.yield(status)
        }
        return status
    }

    private func makeRecheck() -> Task<Void, Never> {
        Task { [recheckInterval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: recheckInterval)
                if Task.isCancelled { return }
                let status = await self.refresh()
                if status.problem == nil { return }
            }
        }
    }

    private func onQueue<T: Sendable>(
        _ body: @escaping @Sendable () throws(PrinterError) -> T
    ) async throws(PrinterError)
        -> T
    {
        let result: Result<T, PrinterError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(PrinterError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
