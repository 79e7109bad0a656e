import ESCPOS
import Foundation
import KioskCore
import Logging
import Synchronization

/// A virtual receipt printer. It takes the exact bytes a real one would, decodes them, and writes each slip to
/// its output folder as `slip-NNNNNN.escpos` (the bytes) and `slip-NNNNNN.txt` (what they print). Its condition
/// (paper out, offline, …) can be set to rehearse faults.
public final class SimulatedPrinter: ReceiptPrinter {
    /// A slip the printer took.
    public struct Printed: Sendable {
        public var number: Int
        public var bytes: [UInt8]
        public var receipt: DecodedReceipt
    }

    private struct State {
        var status = PrinterStatus.ready
        var printed: [Printed] = []
        var count = 0
        var nextNumber = 1
    }

    public let profile: PrinterProfile
    /// Where slips are written; nil keeps them in memory only.
    public let outputDirectory: String?
    private let logger: Logger
    private let state = Mutex(State())
    private let keepInMemory: Int
    private let statusStream: AsyncStream<PrinterStatus>
    private let statusContinuation: AsyncStream<PrinterStatus>.Continuation
    private let decoder = ESCPOSDecoder()

    public init(profile: PrinterProfile, outputDirectory: String?, logger: Logger, keepInMemory: Int = 20) throws {
        self.profile = profile
        self.outputDirectory = outputDirectory
        self.logger = logger
        self.keepInMemory = keepInMemory
        (statusStream, statusContinuation) = AsyncStream.makeStream(of: PrinterStatus.self)
        if let outputDirectory {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
            let existing = (try? FileManager.default.contentsOfDirectory(atPath: outputDirectory)) ?? []
            let highest =
                existing.compactMap { name -> Int? in
                    guard name.hasPrefix("slip-"), name.hasSuffix(".escpos") else { return nil }
                    return Int(name.dropFirst(5).dropLast(7))
                }.max() ?? 0
            state.withLock { $0.nextNumber = highest + 1 }
        }
    }

    public func print(_ bytes: [UInt8]) async throws {
        let (status, number) = state.withLock { s -> (PrinterStatus, Int) in
            guard s.status.canPrint else { return (s.status, 0) }
            s.nextNumber += 1
            return (s.status, s.nextNumber - 1)
        }
        if let problem = status.problem {
            throw PrinterError(status.paperOut ? .paperOut : (status.online ? .coverOpen : .offline), problem)
        }
        let receipt = decoder.decode(bytes)
        if let outputDirectory {
            let base = (outputDirectory as NSString).appendingPathComponent(String(format: "slip-%06d", number))
            let text = receipt.rendered(columns: profile.columns)
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: base + ".escpos"))
                try Data(text.utf8).write(to: URL(fileURLWithPath: base + ".txt"))
            } catch {
                throw PrinterError(.io, "could not write the simulated slip: \(error.localizedDescription)")
            }
            logger.info("slip printed", metadata: ["file": "\(base).txt", "bytes": "\(bytes.count)"])
        }
        state.withLock { s in
            s.count += 1
            s.printed.append(Printed(number: number, bytes: bytes, receipt: receipt))
            if s.printed.count > keepInMemory { s.printed.removeFirst(s.printed.count - keepInMemory) }
        }
    }

    public func status() async -> PrinterStatus {
        state.withLock { $0.status }
    }

    public func statusUpdates() -> AsyncStream<PrinterStatus> { statusStream }

    /// Changes the printer's condition (paper out, back online, …) and reports it like a real printer would.
    public func setStatus(_ status: PrinterStatus) {
        state.withLock { $0.status = status }
        logger.info("printer \(status.key)")
        statusContinuation.yield(status)
    }

    /// The most recent slips taken, oldest first.
    public var printed: [Printed] { state.withLock { $0.printed } }

    /// How many slips were taken since start.
    public var printedCount: Int { state.withLock { $0.count } }
}
