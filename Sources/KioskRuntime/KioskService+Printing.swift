import ESCPOS
import Foundation
import KioskCore
import Logging
import Synchronization

extension KioskService {
    /// Prints slips one at a time, apart from the press path: a slow or hung printer never delays a press.
    /// Returns the results it could not hand back because the kiosk was stopping.
    nonisolated func printLoop() async -> [(UUID, SlipResult)] {
        var late: [(UUID, SlipResult)] = []
        for await job in printJobs {
            let result = await printSlip(job)
            switch result {
            case .printed:
                logger.debug("slip printed", metadata: ["slip": "\(job.id)", "origin": "\(job.origin.rawValue)"])
            case .notPrinted(let reason):
                logger.warning("slip not printed: \(reason)", metadata: ["slip": "\(job.id)"])
            }
            if !submit(.slipFinished(job.id, result)) { late.append((job.id, result)) }
        }
        return late
    }

    private nonisolated func printSlip(_ job: SlipJob) async -> SlipResult {
        if stopping.withLock({ $0 }) && !printAtStop.withLock({ $0.contains(job.id) }) {
            return .notPrinted(reason: "kiosk stopping")
        }
        // No bulk replay: a slip that waited too long (printer was out) is not printed when it comes back.
        let age = clock.now - job.requestedAt
        if age > configuration.slipMaximumAge {
            return .notPrinted(reason: "expired after waiting \(Int(age.secondsDouble)) s for the printer")
        }
        let status = printerState.withLock { $0 }
        if let problem = status.problem { return .notPrinted(reason: problem) }
        let date = clock.wall.date
        let bytes = renderer.withLock { $0.bytes(for: job.needs, at: date, compact: status.paperNearEnd) }
        do {
            try await printer.print(bytes)
            return .printed
        } catch let error as PrinterError {
            return .notPrinted(reason: error.message)
        } catch {
            return .notPrinted(reason: "\(error)")
        }
    }
}

extension KioskService {
    /// The bytes the printer would get for `needs` now (the staff page's preview): nothing is printed or stored.
    public nonisolated func previewBytes(needs: [NeedCode]) -> [UInt8] {
        let date = clock.wall.date
        let compact = printerState.withLock { $0.paperNearEnd }
        return renderer.withLock { $0.bytes(for: needs, at: date, compact: compact) }
    }

    /// The bytes of a slip for services picked by staff (by id), now.
    public nonisolated func previewBytes(serviceIDs: [String]) -> [UInt8] {
        let date = clock.wall.date
        let compact = printerState.withLock { $0.paperNearEnd }
        return renderer.withLock {
            $0.encoder.encode($0.composer.compose(serviceIDs: serviceIDs, at: date, compact: compact))
        }
    }

    /// Prints a slip of services picked by staff, as ``previewBytes(serviceIDs:)`` showed it (compact when the paper
    /// runs low). Like a staff slip for needs, it counts nothing.
    public nonisolated func printServicesSlip(serviceIDs: [String]) async -> SlipResult {
        let date = clock.wall.date
        let compact = printerState.withLock { $0.paperNearEnd }
        let document = renderer.withLock { $0.composer.compose(serviceIDs: serviceIDs, at: date, compact: compact) }
        return await printNotice(document)
    }

    /// Prints a notice that is not a slip (the staff pages' setup code): it counts nothing and is not stored.
    public nonisolated func printNotice(_ document: SlipDocument) async -> SlipResult {
        if let problem = printerState.withLock({ $0 }).problem { return .notPrinted(reason: problem) }
        let bytes = renderer.withLock { $0.encoder.encode(document) }
        do {
            try await printer.print(bytes)
            return .printed
        } catch let error as PrinterError {
            return .notPrinted(reason: error.message)
        } catch {
            return .notPrinted(reason: "\(error)")
        }
    }

    /// The current directory's composer (the staff pages list and edit its services).
    public nonisolated var composer: SlipComposer { renderer.withLock { $0.composer } }
}
