import Foundation
import KioskCore
import Synchronization
import Testing

/// Drives the state machine the way the runtime does, with a simple clock and deterministic ids.
struct Harness {
    var machine: KioskStateMachine
    var now = MonotonicInstant(nanoseconds: 1_000_000_000_000)
    var nextEvent: UInt64 = 1
    var records: [KioskRecord] = []
    var effects: [KioskEffect] = []
    let wallStart = Date(timeIntervalSince1970: 1_795_435_200)  // 2026-11-17 09:20 UTC
    let startInstant = MonotonicInstant(nanoseconds: 1_000_000_000_000)

    init(rules: PressRules = PressRules()) {
        let counter = Counter()
        machine = KioskStateMachine(
            layout: .standard(), rules: rules, timeZone: .london, bootID: "boot", makeID: { counter.next() })
    }

    var wall: WallClockReading {
        WallClockReading(date: wallStart.addingTimeInterval((now - startInstant).secondsDouble), synchronized: true)
    }

    mutating func advance(_ duration: Duration) {
        now = now + duration
    }

    mutating func apply(_ step: KioskStateMachine.Step) {
        records += step.records
        effects += step.effects
    }

    @discardableResult
    mutating func press(_ button: ButtonID, hold: Duration? = .milliseconds(100)) -> PressOutcome? {
        let event = ButtonEvent(id: nextEvent, button: button, kind: .pressed, at: now)
        nextEvent += 1
        let step = machine.handle(.button(event, wall: wall))
        apply(step)
        if let hold {
            advance(hold)
            release(button)
        }
        return step.outcome
    }

    mutating func release(_ button: ButtonID) {
        let event = ButtonEvent(id: nextEvent, button: button, kind: .released, at: now)
        nextEvent += 1
        apply(machine.handle(.button(event, wall: wall)))
    }

    mutating func tick() {
        apply(machine.handle(.tick(now, wall: wall)))
    }

    var presses: [PressEntry] {
        records.compactMap {
            if case .press(let entry) = $0 { return entry }
            return nil
        }
    }

    var printed: [SlipJob] {
        effects.compactMap {
            if case .print(let job) = $0 { return job }
            return nil
        }
    }

    func lights(_ light: LightID) -> [LightPattern] {
        effects.compactMap {
            if case .light(light, let pattern) = $0 { return pattern }
            return nil
        }
    }
}

/// Sequential ids, so that a test's records are predictable.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> UUID {
        UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", value.add(1, ordering: .relaxed).newValue))!
    }
}

@Suite("Kiosk rules: visits, repeats, bursts, stuck buttons, slips")
struct StateMachineTests {
    @Test("A first press starts a visit, counts its need and prints its slip; the visit ends after the idle window")
    func firstPress() {
        var h = Harness()
        let outcome = h.press("food")!
        #expect(outcome.newVisit && outcome.counted && outcome.slip == .printing)
        #expect(h.presses.count == 1)
        #expect(h.presses[0].countsVisit && h.presses[0].countsNeed && h.presses[0].flags.isEmpty)
        #expect(h.printed.map(\.needs) == [["food"]])
        #expect(h.lights(.button("food")) == [.on, .printing], "lit, then blinking while its slip prints")
        h.apply(h.machine.handle(.slipFinished(id: h.printed[0].id, result: .printed, at: h.now, wall: h.wall)))
        #expect(h.lights(.button("food")) == [.on, .printing, .on])
        #expect(h.machine.nextDeadline == h.startInstant + .seconds(60), "the visit ends 60 s after the press")
        h.advance(.seconds(59))
        h.tick()
        #expect(!h.records.contains { if case .visitEnded = $0 { return true } else { return false } })
        h.advance(.seconds(2))
        h.tick()
        #expect(h.records.contains { if case .visitEnded = $0 { return true } else { return false } })
        #expect(h.lights(.button("food")) == [.on, .printing, .on, .off])
        #expect(h.machine.nextDeadline == nil, "an idle kiosk has no timer")
    }

    @Test("Several needs in one visit; the same need again counts nothing and prints nothing")
    func severalNeeds() {
        var h = Harness()
        h.press("food")
        h.advance(.seconds(6))
        let money = h.press("money")!
        #expect(!money.newVisit && money.counted && money.slip == .printing)
        h.advance(.seconds(10))
        let again = h.press("food")!
        #expect(again.flags == [.duplicate] && again.counted && again.slip == PressOutcome.SlipDecision.none)
        #expect(h.presses.filter(\.countsNeed).map(\.need) == ["food", "money"])
        #expect(h.presses.filter(\.countsVisit).count == 1)
        #expect(h.printed.count == 2)
    }

    @Test("A merged slip blinks every button it answers; a slip that ends after its visit turns them off")
    func printingLights() {
        var h = Harness()
        h.press("food")
        h.advance(.seconds(1))
        h.press("money")
        h.advance(.seconds(5))
        h.tick()
        #expect(h.printed.count == 2)
        #expect(h.lights(.button("money")) == [.on, .printing], "the deferred slip blinks its button when it prints")
        h.advance(.seconds(70))
        h.tick()
        #expect(h.lights(.button("money")).last == .off, "the visit ended")
        h.apply(h.machine.handle(.slipFinished(id: h.printed[1].id, result: .printed, at: h.now, wall: h.wall)))
        #expect(h.lights(.button("money")).last == .off, "still off after the slip")
    }

    @Test("The same button again within 3 s is flagged and left out")
    func sameButtonRepeat() {
        var h = Harness()
        h.press("food")
        h.advance(.seconds(1))
        let repeatPress = h.press("food")!
        #expect(repeatPress.flags.contains(.repeated))
        #expect(!repeatPress.counted)
        h.advance(.seconds(4))
        let later = h.press("food")!
        #expect(!later.flags.contains(.repeated), "more than 3 s later is not a repeat")
        #expect(later.flags.contains(.duplicate))
    }

    @Test("Button mashing: more than 6 presses in 10 s are flagged, every press is stored, at most one slip per 5 s")
    func mashing() {
        var h = Harness()
        let buttons: [ButtonID] = ["food", "money", "housing", "wellbeing", "social", "caring", "work", "talk"]
        var outcomes: [PressOutcome] = []
        for (i, button) in buttons.enumerated() {
            outcomes.append(h.press(button, hold: .milliseconds(100))!)
            if i < buttons.count - 1 { h.advance(.milliseconds(400)) }
        }
        #expect(h.presses.count == 8, "every press is stored")
        #expect(outcomes.prefix(6).allSatisfy { $0.counted })
        #expect(outcomes.suffix(2).allSatisfy { $0.flags.contains(.burst) && !$0.counted })
        #expect(h.printed.count == 1, "one slip at once; the others wait for the slip interval")
        #expect(outcomes[1].slip == .deferred)
        #expect(outcomes[1].slipID == outcomes[5].slipID, "requests during the interval merge into one slip")
        h.advance(.seconds(5))
        h.tick()
        #expect(h.printed.count == 2)
        #expect(h.printed[1].needs == ["money", "housing", "wellbeing", "social", "caring"])
        #expect(h.presses.filter(\.countsNeed).count == 6)
        // Flagged presses do not count the talk alert either.
        #expect(!h.machine.activeAlerts.contains(.talk))
    }

    @Test("A button held more than 30 s is stuck: flagged, its need uncounted, staff alerted until released")
    func stuckButton() {
        var h = Harness()
        let outcome = h.press("housing", hold: nil)!
        #expect(outcome.counted)
        #expect(h.machine.nextDeadline == h.startInstant + .seconds(30))
        h.advance(.seconds(31))
        h.tick()
        #expect(h.records.contains(.pressStuck(id: outcome.pressID)))
        #expect(h.machine.activeAlerts == [.stuckButton("housing")])
        #expect(h.lights(.button("housing")).last == .error)
        #expect(h.lights(.staffAlert).last == .error)
        #expect(h.machine.currentVisit?.needs == [], "the stuck press no longer counts its need")
        #expect(h.machine.currentVisit?.counted == false)
        h.release("housing")
        #expect(h.machine.activeAlerts.isEmpty)
        #expect(h.lights(.staffAlert).last == .off)
    }

    @Test("The check-in button counts a visit with no need and prints nothing")
    func checkin() {
        var h = Harness()
        let outcome = h.press("checkin")!
        #expect(
            outcome.counted && outcome.newVisit && outcome.need == nil && outcome.slip == PressOutcome.SlipDecision.none
        )
        #expect(h.presses[0].countsVisit && !h.presses[0].countsNeed)
        #expect(h.printed.isEmpty)
    }

    @Test("Talk to someone raises the staff alert, which clears itself or when staff acknowledge")
    func talkAlert() {
        var h = Harness()
        h.press("talk")
        #expect(h.machine.activeAlerts == [.talk])
        #expect(h.lights(.staffAlert) == [.attention])
        h.advance(.seconds(301))
        h.tick()
        #expect(h.machine.activeAlerts.isEmpty)
        h.advance(.seconds(10))
        h.press("talk")
        #expect(h.machine.activeAlerts == [.talk])
        h.apply(h.machine.handle(.acknowledgeAlerts))
        #expect(h.machine.activeAlerts.isEmpty)
        #expect(h.lights(.staffAlert).last == .off)
    }

    @Test("Printer problems alert staff; a slip that fails is recorded as not printed")
    func printerProblems() {
        var h = Harness()
        h.apply(h.machine.handle(.printerStatus(.paperOutStatus)))
        #expect(h.machine.activeAlerts == [.printer("paper out")])
        #expect(h.lights(.staffAlert).last == .error)
        h.press("food")
        let job = h.printed[0]
        h.apply(
            h.machine.handle(
                .slipFinished(id: job.id, result: .notPrinted(reason: "paper out"), at: h.now, wall: h.wall)))
        #expect(h.records.contains(.slipFinished(id: job.id, result: .notPrinted(reason: "paper out"), at: h.wall)))
        #expect(h.presses[0].countsNeed, "the visit and its need still count")
        h.apply(h.machine.handle(.printerStatus(.ready)))
        #expect(h.machine.activeAlerts.isEmpty)
        #expect(h.printed.count == 1, "nothing is replayed when paper comes back")
        h.apply(h.machine.handle(.printerStatus(PrinterStatus(paperNearEnd: true))))
        #expect(h.machine.activeAlerts == [.paperLow])
        #expect(h.lights(.staffAlert).last == .attention)
    }

    @Test("A storage failure alerts staff and lights the button's error pattern")
    func storageFailure() {
        var h = Harness()
        h.apply(h.machine.handle(.storageFailed("database or disk is full", button: "food")))
        #expect(h.machine.activeAlerts == [.storage("database or disk is full")])
        #expect(h.lights(.button("food")) == [.error])
        h.press("money")
        #expect(h.machine.activeAlerts.isEmpty, "a stored press shows storage works again")
    }

    @Test("A storage failure while the button's slip prints keeps the error pattern when the slip is out")
    func storageFailureWhilePrinting() {
        var h = Harness()
        h.press("food")
        #expect(h.lights(.button("food")).last == .printing)
        h.apply(h.machine.handle(.storageFailed("database or disk is full", button: "food")))
        h.apply(h.machine.handle(.slipFinished(id: h.printed[0].id, result: .printed, at: h.now, wall: h.wall)))
        #expect(h.lights(.button("food")) == [.on, .printing, .error])
    }

    @Test("Staff slips print at once, ignore the slip interval and count nothing")
    func staffSlip() {
        var h = Harness()
        h.press("food")
        h.apply(h.machine.handle(.staffSlip(needs: ["housing"], at: h.now, wall: h.wall)))
        #expect(h.printed.count == 2)
        #expect(h.printed[1].origin == .staff)
        #expect(h.presses.count == 1)
    }

    @Test("A press after the idle window starts a new visit, after ending the old one")
    func newVisitAfterIdle() {
        var h = Harness()
        let first = h.press("food")!
        h.advance(.seconds(90))
        let second = h.press("food")!
        #expect(
            second.newVisit && second.visitID != first.visitID && second.counted && !second.flags.contains(.duplicate))
        let order = h.records.compactMap { record -> String? in
            switch record {
            case .visitEnded: return "end"
            case .visitStarted: return "start"
            default: return nil
            }
        }
        #expect(order == ["start", "end", "start"])
    }
}
