import KioskCore

/// The kiosk's health, sent with every batch. Device states only: nothing here is set off by what a visitor needs
/// (the "talk to someone" alert is not sent: with a sync every few minutes it would tell when someone asked).
public struct KioskHealth: Codable, Sendable, Equatable {
    /// The kiosk's software version.
    public var version: String
    public var printer: PrinterHealth
    /// The kinds of staff alert open now, each once, sorted.
    public var openAlerts: [AlertKind]
    /// Buckets changed and not yet acknowledged, including this batch's.
    public var backlog: Int

    public init(version: String, printer: PrinterHealth, openAlerts: [AlertKind], backlog: Int) {
        self.version = version
        self.printer = printer
        self.openAlerts = Array(Set(openAlerts)).sorted { $0.rawValue < $1.rawValue }
        self.backlog = backlog
    }

    enum CodingKeys: String, CodingKey {
        case version, printer
        case openAlerts = "open_alerts"
        case backlog
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(String.self, forKey: .version)
        printer = try container.decode(PrinterHealth.self, forKey: .printer)
        openAlerts = try container.decode([AlertKind].self, forKey: .openAlerts)
        backlog = try container.decodeNumber(Int.self, forKey: .backlog)
    }
}

/// The printer's state as the kiosk last saw it.
public enum PrinterHealth: String, Codable, Sendable, CaseIterable {
    case ready
    case paperLow = "paper-low"
    case paperOut = "paper-out"
    case coverOpen = "cover-open"
    case offline
    case error
    case unknown
}

/// A kind of open staff alert, without its detail (no button, no reason text).
public enum AlertKind: String, Codable, Sendable, CaseIterable {
    case printer
    case paperLow = "paper-low"
    case stuckButton = "stuck-button"
    case storage
    /// The database was found damaged (and salvaged); open until staff acknowledge it.
    case database
    case sync
    /// The directory of services is out of date, or a new copy waits for staff.
    case directory

    /// The kind of `alert` as health may report it; nil for "talk to someone", which is never sent.
    public init?(_ alert: StaffAlert) {
        switch alert {
        case .talk: return nil
        case .printer: self = .printer
        case .paperLow: self = .paperLow
        case .stuckButton: self = .stuckButton
        case .storage: self = .storage
        case .database: self = .database
        case .sync: self = .sync
        case .directory: self = .directory
        }
    }
}
