import Foundation

/// A light the kiosk drives: one LED per button and the staff-alert output.
public enum LightID: Hashable, Sendable, CustomStringConvertible {
    case button(ButtonID)
    case staffAlert

    public var description: String {
        switch self {
        case .button(let id): return "button:\(id)"
        case .staffAlert: return "staff-alert"
        }
    }
}

/// What a light shows. Backends turn patterns into on/off timing.
public enum LightPattern: String, Hashable, Sendable, CaseIterable {
    case off
    /// Steady: the need was recorded.
    case on
    /// Quick blink: a slip is printing.
    case printing
    /// Double blink: something needs staff (printer, storage, stuck button).
    case error
    /// Slow pulse: someone asked to talk to someone.
    case attention
}

/// Why staff are alerted.
public enum StaffAlert: Hashable, Sendable, CustomStringConvertible {
    /// Someone pressed "talk to someone".
    case talk
    /// The printer needs attention (paper out, cover open, offline, a slip not printed).
    case printer(String)
    /// The printer is running low on paper.
    case paperLow
    /// A button is stuck down.
    case stuckButton(ButtonID)
    /// A press could not be stored (disk full, database error).
    case storage(String)
    /// The database was found damaged (and replaced, its rows salvaged): stays until staff acknowledge it.
    case database(String)
    /// The partnership sync stopped on a problem staff must fix (a revoked hub, a refused batch): counts wait safely.
    case sync(String)
    /// The directory of services needs staff: it is out of date, or a new copy was held back (most services gone).
    case directory(String)

    public var description: String {
        switch self {
        case .talk: return "someone would like to talk to someone"
        case .printer(let reason): return "printer: \(reason)"
        case .paperLow: return "printer: paper low"
        case .stuckButton(let id): return "button \(id) is stuck down"
        case .storage(let reason): return "storage: \(reason)"
        case .database(let reason): return "database: \(reason)"
        case .sync(let reason): return "sync: \(reason)"
        case .directory(let reason): return "directory: \(reason)"
        }
    }

    /// Whether the alert is a fault (error pattern) rather than a request for attention.
    public var isFault: Bool {
        switch self {
        case .talk, .paperLow: return false
        default: return true
        }
    }

    /// A stable short key for APIs.
    public var key: String {
        switch self {
        case .talk: return "talk"
        case .printer: return "printer"
        case .paperLow: return "paper-low"
        case .stuckButton(let id): return "stuck:\(id)"
        case .storage: return "storage"
        case .database: return "database"
        case .sync: return "sync"
        case .directory: return "directory"
        }
    }
}

/// Something the kiosk does after the records of an input are committed.
public enum KioskEffect: Hashable, Sendable {
    case light(LightID, LightPattern)
    case print(SlipJob)
}

/// What happened to a press: the answer a caller waiting for the press gets, after it was committed.
public struct PressOutcome: Hashable, Sendable {
    public enum SlipDecision: String, Hashable, Sendable {
        /// A slip was sent to the printer.
        case printing
        /// A slip will print when the slip interval has passed.
        case deferred
        /// No slip: the need already printed in this visit, the press broke a rule, or it was the check-in button.
        case none
    }

    public var eventID: UInt64
    public var pressID: UUID
    public var button: ButtonID
    public var need: NeedCode?
    public var visitID: UUID
    public var newVisit: Bool
    public var flags: PressFlags
    public var counted: Bool
    public var slip: SlipDecision
    public var slipID: UUID?

    public init(
        eventID: UInt64,
        pressID: UUID,
        button: ButtonID,
        need: NeedCode?,
        visitID: UUID,
        newVisit: Bool,
        flags: PressFlags,
        counted: Bool,
        slip: SlipDecision,
        slipID: UUID?
    ) {
        self.eventID = eventID
        self.pressID = pressID
        self.button = button
        self.need = need
        self.visitID = visitID
        self.newVisit = newVisit
        self.flags = flags
        self.counted = counted
        self.slip = slip
        self.slipID = slipID
    }
}
