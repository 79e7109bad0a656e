import Foundation
import KioskCore
import KioskStore
import Synchronization

/// What staff see: today's counts, the printer, the alerts, the current visit.
public struct KioskStatus: Sendable {
    public var today: DayCounts
    public var printer: PrinterStatus
    public var alerts: [StaffAlert]
    public var visitInProgress: Bool
    public var lights: [LightID: LightPattern]
    public var lastStorageError: String?
    public var slipsInFlight: Int
}

extension KioskService {
    /// The current status, with today's exact counts from the database.
    public func status() async throws(StoreError) -> KioskStatus {
        let today = configuration.timeZone.localDate(of: clock.wall.date)
        let counts = try database.dayCounts(today)
        return KioskStatus(
            today: counts, printer: printerState.withLock { $0 }, alerts: currentAlerts,
            visitInProgress: currentVisitExists, lights: currentLights, lastStorageError: storageErrorMessage,
            slipsInFlight: slipsInFlight)
    }
}
