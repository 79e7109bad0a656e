import Foundation
import KioskCore
import KioskHardware
import Testing

@Suite("GPIO mapping layer, with recorded edge sequences")
struct GPIOMappingTests {
    let food = ButtonEdgeMapper.Line(chip: "/dev/gpiochip0", offset: 6)
    let money = ButtonEdgeMapper.Line(chip: "/dev/gpiochip0", offset: 5)
    let notAButton = ButtonEdgeMapper.Line(chip: "/dev/gpiochip0", offset: 2)

    func mapper(debounce: Duration = .milliseconds(30)) -> ButtonEdgeMapper {
        ButtonEdgeMapper(buttons: [food: "food", money: "money"], debounce: debounce, boottimeOffset: 5_000_000)
    }

    /// (line, rising, milliseconds) as a logic analyser recorded them.
    func replay(_ edges: [(ButtonEdgeMapper.Line, Bool, Double)], into mapper: inout ButtonEdgeMapper) -> [ButtonEvent]
    {
        edges.compactMap { line, rising, ms in
            mapper.map(.init(line: line, rising: rising, monotonicNanoseconds: UInt64(ms * 1_000_000)))
        }
    }

    @Test("A bouncy press and release is one press and one release, at the first edge's time")
    func bounce() {
        var m = mapper()
        let events = replay(
            [
                (food, true, 1000.0), (food, false, 1000.4), (food, true, 1001.1), (food, false, 1002.9),
                (food, true, 1003.5), (food, false, 1180.0), (food, true, 1180.6), (food, false, 1182.0),
            ], into: &m)
        #expect(events.map(\.kind) == [.pressed, .released])
        #expect(events[0].button == "food")
        #expect(events[0].at == MonotonicInstant(nanoseconds: 1_000_000_000 + 5_000_000), "boot-time offset added")
        #expect(events[1].at == MonotonicInstant(nanoseconds: 1_180_000_000 + 5_000_000))
        #expect(events.map(\.id) == [1, 2])
    }

    @Test("With kernel debounce (libgpiod 2.x) every edge is passed on")
    func kernelDebounce() {
        var m = mapper(debounce: .zero)
        let events = replay([(food, true, 10.0), (food, false, 11.0), (food, true, 12.0)], into: &m)
        #expect(events.map(\.kind) == [.pressed, .released, .pressed])
    }

    @Test("Two buttons at once are two presses; lines that are no button are ignored")
    func twoButtons() {
        var m = mapper()
        let events = replay(
            [
                (food, true, 100.0), (money, true, 101.0), (notAButton, true, 102.0), (food, true, 103.0),
                (money, false, 250.0), (food, false, 260.0),
            ], into: &m)
        #expect(
            events.map { "\($0.button) \($0.kind.rawValue)" } == [
                "food pressed", "money pressed", "money released", "food released",
            ])
    }

    @Test("A long hold: the mapper passes the press on; the kiosk flags it stuck after 30 s")
    func longHold() {
        var m = mapper()
        let events = replay([(money, true, 2000.0), (money, false, 2000.0 + 45_000)], into: &m)
        #expect(events.map(\.kind) == [.pressed, .released])
        var machine = KioskStateMachine(layout: .standard(), rules: PressRules(), timeZone: .london, bootID: "b")
        let wall = WallClockReading(date: Date(timeIntervalSince1970: 1_795_435_200), synchronized: true)
        let press = machine.handle(.button(events[0], wall: wall))
        #expect(press.outcome?.counted == true)
        let tick = machine.handle(.tick(events[0].at + .seconds(31), wall: wall))
        #expect(tick.records.contains(.pressStuck(id: press.outcome!.pressID)))
        _ = machine.handle(.button(events[1], wall: wall))
        #expect(machine.activeAlerts.isEmpty, "released: the alert clears")
    }

    @Test("A glitch shorter than the window is released when the window closes")
    func glitch() {
        var m = mapper()
        let events = replay([(food, true, 500.0), (food, false, 505.0)], into: &m)
        #expect(events.map(\.kind) == [.pressed])
        #expect(m.settleDeadline == MonotonicInstant(nanoseconds: 530_000_000 + 5_000_000))
        #expect(m.settle(at: m.settleDeadline!).map(\.kind) == [.released])
    }
}

@Suite("Light patterns")
struct LightPatternTests {
    @Test("Steady patterns")
    func steady() {
        #expect(LightPatternTimeline(.on).isOn(after: .seconds(100)))
        #expect(!LightPatternTimeline(.off).isOn(after: .seconds(100)))
        #expect(LightPatternTimeline(.on).cycle == nil)
    }

    @Test("Blinking patterns repeat; a buzzer plays three cycles and stops")
    func blinking() {
        let error = LightPatternTimeline(.error)
        #expect(error.period == .milliseconds(1100))
        let samples = stride(from: 0, to: 1100, by: 50).map { error.isOn(after: .milliseconds($0)) }
        #expect(
            samples == [true, true, true, false, false, false, true, true, true] + Array(repeating: false, count: 13))
        #expect(error.isOn(after: .milliseconds(1100 * 7 + 10)), "repeats")
        #expect(!error.isOn(after: .milliseconds(1100 * 7 + 10), repeats: 3), "a buzzer has stopped")
        let printing = LightPatternTimeline(.printing)
        #expect(printing.isOn(after: .milliseconds(50)) && !printing.isOn(after: .milliseconds(150)))
        let attention = LightPatternTimeline(.attention)
        #expect(attention.isOn(after: .milliseconds(499)) && !attention.isOn(after: .milliseconds(501)))
    }

    @Test("GPIO line specs from the configuration")
    func lineSpecs() {
        #expect(GPIOLineSpec("GPIO17") == .name("GPIO17"))
        #expect(GPIOLineSpec("17") == .offset(chip: nil, 17))
        #expect(GPIOLineSpec("gpiochip4:17") == .offset(chip: "gpiochip4", 17))
        #expect(GPIOLineSpec("") == nil)
        #expect(GPIOLineSpec("-1") == nil)
    }
}
