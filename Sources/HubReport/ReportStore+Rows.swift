import HubReportAPI

// What every engine shares when it turns values into rows and rows into values.

extension KioskHealth {
    /// The health as a hub's row stores it; nil until a kiosk sent one.
    init?(stored version: String?, printer: String?, openAlerts: String?, backlog: Int?) {
        guard let version, let printer, let backlog else { return nil }
        let alerts = (openAlerts ?? "").split(separator: ",").compactMap { AlertKind(rawValue: String($0)) }
        self.init(
            version: version, printer: PrinterHealth(rawValue: printer) ?? .unknown, openAlerts: alerts,
            backlog: backlog)
    }
}

extension HubName {
    /// Refuses an id or a name the store does not take, before any transaction.
    static func check(id: String, name: String, database: String) throws(ReportStoreError) {
        guard WireSyntax.isHubID(id) else {
            throw ReportStoreError(
                code: .invalidValue, database: database,
                message:
                    "\"\(id)\" is not a hub id (1–64 characters of a-z, 0-9, - and _, starting with a letter or digit)")
        }
        guard isValid(name) else {
            throw ReportStoreError(
                code: .invalidValue, database: database,
                message: "the hub name must be 1–\(maxLength) characters without control characters")
        }
    }
}

/// A revision as stored: `revision - 2^63` in a signed 64-bit integer (the range of SQLite's INTEGER and of
/// PostgreSQL's bigint), so that the whole UInt64 range fits and the stored order is the revisions' order.
enum StoredRevision {
    static func encode(_ revision: UInt64) -> Int64 { Int64(bitPattern: revision ^ (1 << 63)) }
    static func decode(_ stored: Int64) -> UInt64 { UInt64(bitPattern: stored) ^ (1 << 63) }
}
