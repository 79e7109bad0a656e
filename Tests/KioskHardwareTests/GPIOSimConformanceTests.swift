import KioskCore
import KioskHardware
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Two buttons (active low, pull-up) on a gpio-sim chip, read through the real character device as the daemon reads
/// them: kernel debounce on the libgpiod 2.x API, the core's software debounce on 1.6.
private struct SimButtons {
    let sim: GPIOSim
    let buttons: GPIOButtons

    init(debounce: Duration = .milliseconds(30)) throws {
        sim = try GPIOSim(names: ["HK_FOOD", "HK_MONEY"])
        let chip = try GPIOChip(path: sim.chipPath)
        try sim.setInput(0, high: true)
        try sim.setInput(1, high: true)
        let request = try chip.requestInputs(
            [0, 1], consumer: "hubkiosk-test", activeLow: true, bias: .pullUp,
            debounce: GPIOChip.kernelDebounce ? debounce : .zero)
        let mapper = ButtonEdgeMapper(
            buttons: [.init(chip: sim.chipPath, offset: 0): "food", .init(chip: sim.chipPath, offset: 1): "money"],
            debounce: GPIOChip.kernelDebounce ? .zero : debounce, boottimeOffset: GPIOChip.boottimeOffset())
        buttons = try GPIOButtons(requests: [request], mapper: mapper, logger: quiet)
    }

    /// Flips line `offset` `times` times as fast as sysfs takes it, ending at `high`.
    func bounce(_ offset: Int, times: Int, endingHigh high: Bool) throws {
        for flip in 0..<times { try sim.setInput(offset, high: (times - 1 - flip) % 2 == 0 ? high : !high) }
    }
}

/// The GPIO conformance suite on the kernel's gpio-sim (Scripts/vm/run.sh runs it in a VM in CI); skipped without it.
@Suite("GPIO on gpio-sim", .enabled(if: GPIOSim.isAvailable), .serialized, .timeLimit(.minutes(1)))
struct GPIOSimConformance {
    @Test("Bounce: fast flips on press and on release are one press and one release")
    func bounce() async throws {
        let rig = try SimButtons()
        defer { rig.buttons.stop() }
        var events = rig.buttons.events().makeAsyncIterator()
        for _ in 0..<2 {
            try rig.bounce(0, times: 7, endingHigh: false)
            let press = await events.next()
            try await Task.sleep(for: .milliseconds(150))
            try rig.bounce(0, times: 7, endingHigh: true)
            let release = await events.next()
            #expect(press?.button == "food" && press?.kind == .pressed)
            #expect(release?.button == "food" && release?.kind == .released, "no extra press from the bounce")
        }
    }

    @Test("A held button: one press, nothing while it is held, the release carries the time held")
    func held() async throws {
        let rig = try SimButtons()
        defer { rig.buttons.stop() }
        var events = rig.buttons.events().makeAsyncIterator()
        try rig.sim.setInput(1, high: false)
        let press = await events.next()
        try await Task.sleep(for: .milliseconds(800))
        try rig.sim.setInput(1, high: true)
        let release = await events.next()
        #expect(press?.button == "money" && press?.kind == .pressed)
        #expect(release?.button == "money" && release?.kind == .released)
        if let press, let release {
            #expect(release.at - press.at >= .milliseconds(700))
        }
    }

    @Test("Two buttons at once: both presses and both releases, each on its button, in order")
    func twoAtOnce() async throws {
        let rig = try SimButtons()
        defer { rig.buttons.stop() }
        var events = rig.buttons.events().makeAsyncIterator()
        try rig.sim.setInput(0, high: false)
        try rig.sim.setInput(1, high: false)
        var seen: [String] = []
        for _ in 0..<2 { if let e = await events.next() { seen.append("\(e.button) \(e.kind)") } }
        try await Task.sleep(for: .milliseconds(100))
        try rig.sim.setInput(0, high: true)
        try rig.sim.setInput(1, high: true)
        for _ in 0..<2 { if let e = await events.next() { seen.append("\(e.button) \(e.kind)") } }
        #expect(seen.prefix(2).sorted() == ["food pressed", "money pressed"])
        #expect(seen.suffix(2).sorted() == ["food released", "money released"])
    }

    @Test("LED patterns read back from the output lines; the staff-alert line is separate")
    func lights() async throws {
        let sim = try GPIOSim(names: ["HK_LED_FOOD", "HK_LED_MONEY", "HK_ALERT"])
        let chip = try GPIOChip(path: sim.chipPath)
        let request = try chip.requestOutputs([0, 1, 2], consumer: "hubkiosk-test", activeLow: false)
        let lights = GPIOLights(
            outputs: [
                .button("food"): .init(request: request, offset: 0),
                .button("money"): .init(request: request, offset: 1),
                .staffAlert: .init(request: request, offset: 2),
            ],
            alertDevice: .led, logger: quiet)
        defer { lights.allOff() }
        try await lights.set(.button("food"), to: .on)
        #expect(try sim.outputValue(0) && !sim.outputValue(1) && !sim.outputValue(2))
        for pattern in [LightPattern.printing, .error] {
            try await lights.set(.button("money"), to: pattern)
            #expect(eventually { (try? sim.outputValue(1)) == true }, "\(pattern) lights")
            #expect(eventually { (try? sim.outputValue(1)) == false }, "\(pattern) blinks")
            #expect(try sim.outputValue(0) && !sim.outputValue(2), "\(pattern) leaves the other lines alone")
        }
        try await lights.set(.button("money"), to: .off)
        #expect(eventually { (try? sim.outputValue(1)) == false })
        try await lights.set(.staffAlert, to: .error)
        #expect(eventually { (try? sim.outputValue(2)) == true })
        #expect(eventually { (try? sim.outputValue(2)) == false })
        try await lights.set(.staffAlert, to: .off)
        #expect(eventually { (try? sim.outputValue(2)) == false })
        try await lights.set(.button("food"), to: .off)
        #expect(try !sim.outputValue(0))
    }

    @Test("Lines are found by name on whichever chip has them; a missing name lists the chip's lines")
    func lookup() throws {
        let sim = try GPIOSim(names: ["HK_LOOK_A", "HK_LOOK_B", "HK_LOOK_C"])
        for (offset, name) in ["HK_LOOK_A", "HK_LOOK_B", "HK_LOOK_C"].enumerated() {
            let line = try GPIOLineResolver.resolve(.name(name), defaultChip: nil, key: "buttons[0].line")
            #expect(line.chipPath == sim.chipPath && line.offset == offset && line.name == name)
        }
        do {
            _ = try GPIOLineResolver.resolve(.name("HK_LOOK_Z"), defaultChip: nil, key: "buttons[2].line")
            Issue.record("found a line that does not exist")
        } catch {
            #expect(error.code == .noSuchLine && error.key == "buttons[2].line")
            #expect(error.availableLines.contains("HK_LOOK_B"))
            #expect(error.description.contains("HK_LOOK_Z"))
        }
        let beyond = try? GPIOLineResolver.resolve(
            .offset(chip: sim.chipPath, 3), defaultChip: nil, key: "board.staff_alert")
        #expect(beyond == nil, "offset 3 is past the chip's 3 lines")
    }

    @Test("A line held by someone else is busy, with the holder named")
    func busy() throws {
        let sim = try GPIOSim(names: ["HK_BUSY_A", "HK_BUSY_B"])
        let chip = try GPIOChip(path: sim.chipPath)
        let holder = try chip.requestOutputs([1], consumer: "other-holder", activeLow: false)
        defer { _ = holder }
        do {
            _ = try chip.requestInputs(
                [0, 1], consumer: "hubkiosk-test", activeLow: true, bias: .pullUp, debounce: .zero)
            Issue.record("requested a busy line")
        } catch {
            #expect(error.code == .busy && error.offset == 1)
            #expect(error.description.contains("HK_BUSY_B") && error.description.contains("other-holder"))
        }
    }
}
