import Foundation

/// The kiosk's decisions, as a pure state machine: presses in; records, effects and outcomes out.
///
/// It does no I/O and reads no clock: every input carries its time. The runtime commits the ``Step/records`` of
/// an input in one transaction and only then applies its ``Step/effects`` (lights, slips) and answers with its
/// ``Step/outcome``: a press is acknowledged only after it is stored. If the commit fails the runtime drops the
/// new state (the machine is a value) and reports ``Input/storageFailed(_:button:)`` instead.
public struct KioskStateMachine: Sendable {
    /// Something that happened.
    public enum Input: Sendable {
        /// A debounced button edge, with the wall-clock time at which it happened.
        case button(ButtonEvent, wall: WallClockReading)
        /// Time passed: handle every deadline up to `now`.
        case tick(MonotonicInstant, wall: WallClockReading)
        /// Staff asked for a slip at the desk; it is printed at once and counts nothing.
        case staffSlip(needs: [NeedCode], at: MonotonicInstant, wall: WallClockReading)
        /// The printer finished (or failed) a slip.
        case slipFinished(id: UUID, result: SlipResult, at: MonotonicInstant, wall: WallClockReading)
        /// The printer reported a new condition.
        case printerStatus(PrinterStatus)
        /// The records of a press could not be stored: the press is not acknowledged.
        case storageFailed(String, button: ButtonID?)
        /// The database was found damaged: an alert that only staff clear (a stored press does not).
        case databaseDamaged(String)
        /// The sync needs staff (a message), or works again (nil).
        case syncProblem(String?)
        /// The directory needs staff (a message), or no longer does (nil).
        case directoryProblem(String?)
        /// Staff acknowledged the alerts.
        case acknowledgeAlerts
    }

    /// What to do about one input.
    public struct Step: Sendable {
        /// Commit these in one transaction first.
        public var records: [KioskRecord] = []
        /// Then do these.
        public var effects: [KioskEffect] = []
        /// Then answer the press with this.
        public var outcome: PressOutcome?
    }

    struct Visit: Sendable {
        var id: UUID
        var lastPressAt: MonotonicInstant
        var lastPressWall: WallClockReading
        var countedPresses: Set<UUID> = []
        /// The need counted in this visit and the press that counted it.
        var needs: [NeedCode: UUID] = [:]
        var checkedIn = false
        var litButtons: Set<ButtonID> = []
    }

    struct Held: Sendable {
        var pressID: UUID
        var at: MonotonicInstant
        var visitID: UUID
        var need: NeedCode?
        var stuck = false
    }

    struct ActiveAlert: Sendable {
        var alert: StaffAlert
        var until: MonotonicInstant?
    }

    public let layout: KioskLayout
    public let rules: PressRules
    public let timeZone: HubTimeZone
    public let bootID: String
    private let makeID: @Sendable () -> UUID

    private var visit: Visit?
    private var recentPresses: [MonotonicInstant] = []
    private var lastPressOf: [ButtonID: MonotonicInstant] = [:]
    private var held: [ButtonID: Held] = [:]
    private var lastSlipAt: MonotonicInstant?
    private var pendingSlip: SlipJob?
    private var alerts: [String: ActiveAlert] = [:]
    private var alertOrder: [String] = []
    private var lights: [LightID: LightPattern] = [:]
    /// The buttons whose LEDs show "printing" for a slip at the printer.
    private var printingButtons: [UUID: [ButtonID]] = [:]
    private(set) public var printer = PrinterStatus.ready
    private(set) public var lastPress: (button: ButtonID, at: WallClockReading)?

    public init(
        layout: KioskLayout,
        rules: PressRules,
        timeZone: HubTimeZone,
        bootID: String,
        makeID: @escaping @Sendable () -> UUID = { UUID() }
    ) {
        self.layout = layout
        self.rules = rules
        self.timeZone = timeZone
        self.bootID = bootID
        self.makeID = makeID
    }

    /// The earliest instant at which a ``Input/tick(_:wall:)`` has something to do, or nil when idle.
    public var nextDeadline: MonotonicInstant? {
        var deadlines: [MonotonicInstant] = []
        if let visit { deadlines.append(visit.lastPressAt + rules.visitIdle) }
        if pendingSlip != nil, let due = slipAllowedAt { deadlines.append(due) }
        for entry in held.values where !entry.stuck { deadlines.append(entry.at + rules.stuckAfter) }
        for entry in alerts.values { if let until = entry.until { deadlines.append(until) } }
        return deadlines.min()
    }

    /// The alerts staff should see, oldest first.
    public var activeAlerts: [StaffAlert] { alertOrder.compactMap { alerts[$0]?.alert } }

    /// The current visit's id and its counted needs, if a visit is under way.
    public var currentVisit: (id: UUID, needs: [NeedCode], counted: Bool)? {
        guard let visit else { return nil }
        return (visit.id, visit.needs.keys.sorted(), !visit.countedPresses.isEmpty)
    }

    /// What every light shows now.
    public var lightStates: [LightID: LightPattern] { lights }

    public mutating func handle(_ input: Input) -> Step {
        var step = Step()
        switch input {
        case .button(let event, let wall):
            processDue(at: event.at, wall: wall, into: &step)
            switch event.kind {
            case .pressed: press(event, wall: wall, into: &step)
            case .released: release(event, into: &step)
            }
        case .tick(let now, let wall):
            processDue(at: now, wall: wall, into: &step)
        case .staffSlip(let needs, let at, let wall):
            processDue(at: at, wall: wall, into: &step)
            let job = SlipJob(
                id: makeID(), needs: needs, origin: .staff, pressID: nil, requestedAt: at, requestedWall: wall,
                bootID: bootID)
            step.records.append(.slipRequested(job))
            step.effects.append(.print(job))
        case .slipFinished(let id, let result, let at, let wall):
            processDue(at: at, wall: wall, into: &step)
            step.records.append(.slipFinished(id: id, result: result, at: wall))
            // The buttons still blinking for it go back to steady, or off if their visit ended meanwhile; a button
            // that has since shown an error (stuck, storage) keeps it.
            for button in printingButtons.removeValue(forKey: id) ?? []
            where lights[.button(button)] == .printing
                && !printingButtons.values.contains(where: { $0.contains(button) })
            {
                let lit = visit?.litButtons.contains(button) ?? false
                setLight(.button(button), lit ? .on : .off, into: &step)
            }
            switch result {
            case .printed:
                if printer.canPrint { clearAlert("printer", into: &step) }
            case .notPrinted(let reason):
                raise(.printer("slip not printed: \(reason)"), until: nil, into: &step)
            }
        case .printerStatus(let status):
            printer = status
            if let problem = status.problem {
                raise(.printer(problem), until: nil, into: &step)
            } else {
                clearAlert("printer", into: &step)
            }
            if status.paperNearEnd && status.problem == nil {
                raise(.paperLow, until: nil, into: &step)
            } else {
                clearAlert(StaffAlert.paperLow.key, into: &step)
            }
        case .storageFailed(let message, let button):
            raise(.storage(message), until: nil, into: &step)
            if let button { setLight(.button(button), .error, into: &step) }
        case .databaseDamaged(let message):
            raise(.database(message), until: nil, into: &step)
        case .syncProblem(let message):
            if let message {
                raise(.sync(message), until: nil, into: &step)
            } else {
                clearAlert("sync", into: &step)
            }
        case .directoryProblem(let message):
            if let message {
                raise(.directory(message), until: nil, into: &step)
            } else {
                clearAlert("directory", into: &step)
            }
        case .acknowledgeAlerts:
            for key in alertOrder { clearAlert(key, into: &step) }
        }
        return step
    }

    // MARK: - Presses

    private mutating func press(_ event: ButtonEvent, wall: WallClockReading, into step: inout Step) {
        guard let button = layout.button(event.button) else { return }
        var flags: PressFlags = []
        if let last = lastPressOf[button.id], event.at - last < rules.sameButtonWindow {
            flags.insert(.repeated)
        }
        lastPressOf[button.id] = event.at
        recentPresses.append(event.at)
        recentPresses.removeAll { event.at - $0 >= rules.burstWindow }
        if recentPresses.count > rules.burstLimit { flags.insert(.burst) }

        let pressID = makeID()
        var newVisit = false
        if visit == nil {
            newVisit = true
            let id = makeID()
            let local = timeZone.local(of: wall.date)
            visit = Visit(id: id, lastPressAt: event.at, lastPressWall: wall)
            step.records.append(
                .visitStarted(
                    VisitEntry(
                        id: id, startedAt: wall, startedMonotonic: event.at, bootID: bootID,
                        localDay: local.date, localHour: local.time.hour)))
        }
        var current = visit!
        current.lastPressAt = event.at
        current.lastPressWall = wall
        lastPress = (button.id, wall)

        let counted = !flags.breaksRules
        var countsNeed = false
        switch button.action {
        case .need(let need):
            if current.needs[need] != nil {
                flags.insert(.duplicate)
            } else if counted {
                current.needs[need] = pressID
                countsNeed = true
            }
        case .checkin:
            if current.checkedIn {
                flags.insert(.duplicate)
            } else if counted {
                current.checkedIn = true
            }
        }
        let countsVisit = counted && current.countedPresses.isEmpty
        if counted { current.countedPresses.insert(pressID) }
        step.records.append(
            .press(
                PressEntry(
                    id: pressID, button: button.id, need: button.need, at: wall, monotonic: event.at, bootID: bootID,
                    flags: flags, visitID: current.id, countsVisit: countsVisit, countsNeed: countsNeed)))
        held[button.id] = Held(pressID: pressID, at: event.at, visitID: current.id, need: button.need)

        var slipDecision = PressOutcome.SlipDecision.none
        var slipID: UUID?
        if counted {
            current.litButtons.insert(button.id)
            setLight(.button(button.id), .on, into: &step)
            visit = current
            if countsNeed, let need = button.need {
                (slipDecision, slipID) = requestSlip(for: need, pressID: pressID, at: event.at, wall: wall, into: &step)
                if layout.need(need)?.alertsStaff == true {
                    raise(.talk, until: event.at + rules.talkAlertDuration, into: &step)
                }
            }
        }
        visit = current
        if alerts["storage"] != nil { clearAlert("storage", into: &step) }
        step.outcome = PressOutcome(
            eventID: event.id, pressID: pressID, button: button.id, need: button.need, visitID: current.id,
            newVisit: newVisit, flags: flags, counted: counted, slip: slipDecision, slipID: slipID)
    }

    private mutating func release(_ event: ButtonEvent, into step: inout Step) {
        guard let entry = held.removeValue(forKey: event.button) else { return }
        if entry.stuck {
            clearAlert(StaffAlert.stuckButton(event.button).key, into: &step)
            let lit = visit?.litButtons.contains(event.button) ?? false
            setLight(.button(event.button), lit ? .on : .off, into: &step)
        }
    }

    private var slipAllowedAt: MonotonicInstant? {
        guard let lastSlipAt else { return nil }
        return lastSlipAt + rules.slipInterval
    }

    private mutating func requestSlip(
        for need: NeedCode,
        pressID: UUID,
        at: MonotonicInstant,
        wall: WallClockReading,
        into step: inout Step
    ) -> (PressOutcome.SlipDecision, UUID) {
        if var pending = pendingSlip {
            if !pending.needs.contains(need) { pending.needs.append(need) }
            pendingSlip = pending
            return (.deferred, pending.id)
        }
        if let allowed = slipAllowedAt, at < allowed {
            let job = SlipJob(
                id: makeID(), needs: [need], origin: .kiosk, pressID: pressID, requestedAt: at, requestedWall: wall,
                bootID: bootID)
            pendingSlip = job
            return (.deferred, job.id)
        }
        let job = SlipJob(
            id: makeID(), needs: [need], origin: .kiosk, pressID: pressID, requestedAt: at, requestedWall: wall,
            bootID: bootID)
        lastSlipAt = at
        step.records.append(.slipRequested(job))
        step.effects.append(.print(job))
        showPrinting(job, into: &step)
        return (.printing, job.id)
    }

    // MARK: - Deadlines

    private mutating func processDue(at now: MonotonicInstant, wall: WallClockReading, into step: inout Step) {
        while let deadline = nextDeadline, deadline <= now {
            if var pending = pendingSlip, let due = slipAllowedAt, due <= deadline {
                pendingSlip = nil
                lastSlipAt = due
                pending.requestedWall = wall
                step.records.append(.slipRequested(pending))
                step.effects.append(.print(pending))
                showPrinting(pending, into: &step)
                continue
            }
            if let button = held.keys.sorted().first(where: {
                let entry = held[$0]!
                return !entry.stuck && entry.at + rules.stuckAfter <= deadline
            }), let entry = held[button] {
                markStuck(button, entry, into: &step)
                continue
            }
            if let key = alertOrder.first(where: { alerts[$0]?.until.map { $0 <= deadline } ?? false }) {
                clearAlert(key, into: &step)
                continue
            }
            if let current = visit, current.lastPressAt + rules.visitIdle <= deadline {
                step.records.append(.visitEnded(id: current.id, lastPressAt: current.lastPressWall))
                for button in current.litButtons.sorted() where held[button]?.stuck != true {
                    setLight(.button(button), .off, into: &step)
                }
                visit = nil
                continue
            }
            break
        }
    }

    private mutating func markStuck(_ button: ButtonID, _ entry: Held, into step: inout Step) {
        var entry = entry
        entry.stuck = true
        held[button] = entry
        step.records.append(.pressStuck(id: entry.pressID))
        if var current = visit, current.id == entry.visitID {
            current.countedPresses.remove(entry.pressID)
            if let need = entry.need, current.needs[need] == entry.pressID { current.needs[need] = nil }
            visit = current
        }
        setLight(.button(button), .error, into: &step)
        raise(.stuckButton(button), until: nil, into: &step)
    }

    // MARK: - Alerts and lights

    /// While a visitor's slip prints, the LEDs of the buttons that asked for it blink quickly.
    private mutating func showPrinting(_ job: SlipJob, into step: inout Step) {
        guard job.origin == .kiosk, let current = visit else { return }
        let buttons = layout.buttons.filter { button in
            button.need.map(job.needs.contains) == true && current.litButtons.contains(button.id)
                && lights[.button(button.id)] != .error
        }.map(\.id)
        guard !buttons.isEmpty else { return }
        printingButtons[job.id] = buttons
        for button in buttons { setLight(.button(button), .printing, into: &step) }
    }

    private mutating func raise(_ alert: StaffAlert, until: MonotonicInstant?, into step: inout Step) {
        if alerts[alert.key] == nil { alertOrder.append(alert.key) }
        alerts[alert.key] = ActiveAlert(alert: alert, until: until)
        updateStaffLight(into: &step)
    }

    private mutating func clearAlert(_ key: String, into step: inout Step) {
        guard alerts.removeValue(forKey: key) != nil else { return }
        alertOrder.removeAll { $0 == key }
        updateStaffLight(into: &step)
    }

    private mutating func updateStaffLight(into step: inout Step) {
        let pattern: LightPattern
        if alerts.values.contains(where: { $0.alert.isFault }) {
            pattern = .error
        } else if !alerts.isEmpty {
            pattern = .attention
        } else {
            pattern = .off
        }
        setLight(.staffAlert, pattern, into: &step)
    }

    private mutating func setLight(_ light: LightID, _ pattern: LightPattern, into step: inout Step) {
        guard lights[light, default: .off] != pattern else { return }
        lights[light] = pattern
        step.effects.append(.light(light, pattern))
    }
}
