import Foundation

/// A visit as it is stored when it starts.
public struct VisitEntry: Hashable, Sendable {
    public var id: UUID
    public var startedAt: WallClockReading
    public var startedMonotonic: MonotonicInstant
    public var bootID: String
    /// The hub-local date and hour the visit started in: what tallies bucket by.
    public var localDay: LocalDate
    public var localHour: Int

    public init(
        id: UUID,
        startedAt: WallClockReading,
        startedMonotonic: MonotonicInstant,
        bootID: String,
        localDay: LocalDate,
        localHour: Int
    ) {
        self.id = id
        self.startedAt = startedAt
        self.startedMonotonic = startedMonotonic
        self.bootID = bootID
        self.localDay = localDay
        self.localHour = localHour
    }
}

/// A press as it is stored: every press is, flagged or not.
public struct PressEntry: Hashable, Sendable {
    /// A random UUIDv4: never a time-ordered id.
    public var id: UUID
    public var button: ButtonID
    /// The need the button counts; nil for the check-in button.
    public var need: NeedCode?
    public var at: WallClockReading
    public var monotonic: MonotonicInstant
    public var bootID: String
    public var flags: PressFlags
    public var visitID: UUID
    /// The press counts the visit (it is the visit's first press that breaks no rule).
    public var countsVisit: Bool
    /// The press counts its need in the visit for the first time.
    public var countsNeed: Bool

    public init(
        id: UUID,
        button: ButtonID,
        need: NeedCode?,
        at: WallClockReading,
        monotonic: MonotonicInstant,
        bootID: String,
        flags: PressFlags,
        visitID: UUID,
        countsVisit: Bool,
        countsNeed: Bool
    ) {
        self.id = id
        self.button = button
        self.need = need
        self.at = at
        self.monotonic = monotonic
        self.bootID = bootID
        self.flags = flags
        self.visitID = visitID
        self.countsVisit = countsVisit
        self.countsNeed = countsNeed
    }
}

/// Who asked for a slip.
public enum SlipOrigin: String, Hashable, Sendable {
    /// A visitor's press at the kiosk.
    case kiosk
    /// A member of staff, at the desk.
    case staff
}

/// A slip the kiosk decided to print.
public struct SlipJob: Hashable, Sendable {
    public var id: UUID
    public var needs: [NeedCode]
    public var origin: SlipOrigin
    /// The press that asked for it (the first one, when several were merged).
    public var pressID: UUID?
    public var requestedAt: MonotonicInstant
    public var requestedWall: WallClockReading
    public var bootID: String

    public init(
        id: UUID,
        needs: [NeedCode],
        origin: SlipOrigin,
        pressID: UUID?,
        requestedAt: MonotonicInstant,
        requestedWall: WallClockReading,
        bootID: String
    ) {
        self.id = id
        self.needs = needs
        self.origin = origin
        self.pressID = pressID
        self.requestedAt = requestedAt
        self.requestedWall = requestedWall
        self.bootID = bootID
    }
}

/// How a slip ended.
public enum SlipResult: Hashable, Sendable {
    case printed
    /// Not printed, with the reason (`paper out`, `printer offline`, `expired`, …).
    case notPrinted(reason: String)
}

/// A change to the database. The records of one input are committed in one transaction, before any effect.
public enum KioskRecord: Hashable, Sendable {
    case visitStarted(VisitEntry)
    case press(PressEntry)
    case visitEnded(id: UUID, lastPressAt: WallClockReading)
    /// A press turned out to be a stuck button: flag it and recount its visit.
    case pressStuck(id: UUID)
    case slipRequested(SlipJob)
    case slipFinished(id: UUID, result: SlipResult, at: WallClockReading)
}
