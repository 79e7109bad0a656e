import Foundation
import KioskCore
import KioskHardware
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The GPIO conformance suite: the board backend's buttons, lights and line lookup on a real GPIO character device
/// (a gpio-sim chip), read and driven as the daemon does, on whichever libgpiod API this build has (1.6: the core's
/// software debounce; 2.x: the kernel's). Shared by the Swift Testing suite (`GPIOSimConformanceTests`) and the
/// `gpio-conformance` runner that Scripts/vm/checks/10-conformance.sh runs in the VM for both libgpiod builds.
public enum GPIOConformance: Sendable {
    /// Every check. `holder` is an executable that, run as `holder hold CHIP OFFSET CONSUMER`, holds that line
    /// until it is killed (the `gpio-conformance` runner itself); without one, the busy-line check holds the line in
    /// this process.
    public static func checks(holder: String?) -> [GPIOConformanceCheck] {
        [
            .init("a button pressed and released: one press, one release, in order", pressAndRelease),
            .init("bounce: seven fast flips on press and on release are one press and one release, twice", bounce),
            .init("a held button: one press, nothing while it is held, the release carries the time held", held),
            .init("two buttons at once: both presses and both releases, each on its button", twoAtOnce),
            .init("LED patterns read back from the output lines (on, printing, error, off)", lights),
            .init("the staff-alert line: its patterns on its own line (LED), three rounds then quiet (buzzer)", alert),
            .init("lines found by name on whichever chip has them, and by offset", lookup),
            .init(
                "a busy line (held by \(holder == nil ? "this" : "another") process): refused naming the line and "
                    + "its holder; free again once the holder has gone",
                { try await busy(holder: holder) }),
            .init("a missing line: the start-up error names the key and the line and lists the chip's lines", missing),
        ]
    }

    /// The runner's `hold` mode: holds `offset` on `chip` as an output for `consumer` until the process is killed.
    public static func hold(chip path: String, offset: Int, consumer: String) throws -> Never {
        let chip = try GPIOChip(path: path)
        let request = try chip.requestOutputs([offset], consumer: consumer, activeLow: false)
        while true { withExtendedLifetime(request) { _ = sleep(60) } }
    }

    // MARK: - Buttons

    static func pressAndRelease() async throws {
        let rig = try ButtonRig(names: ["HK_PR_FOOD", "HK_PR_MONEY"])
        defer { rig.stop() }
        try rig.sim.setInput(0, high: false)
        let pressed = await rig.recorder.wait(for: 1)
        try expect(shown(pressed) == "food pressed", "after the press: \(shown(pressed))")
        try await Task.sleep(for: .milliseconds(100))
        try rig.sim.setInput(0, high: true)
        let events = await rig.recorder.wait(for: 2)
        try expect(shown(events) == "food pressed, food released", "after the release: \(shown(events))")
        try expect(events[1].id > events[0].id, "ids increase: \(events[0].id), \(events[1].id)")
        try expect(events[1].at - events[0].at >= .milliseconds(80), "times: \(events[1].at - events[0].at) apart")
        try await settled(rig, "food pressed, food released")
    }

    static func bounce() async throws {
        let rig = try ButtonRig(names: ["HK_BOUNCE_FOOD", "HK_BOUNCE_MONEY"])
        defer { rig.stop() }
        // Seven levels, alternating, ending at `high`.
        func bouncing(to high: Bool) -> [Bool] { (0..<7).map { ($0 % 2 == 0) == high } }
        var want: [String] = []
        for _ in 0..<2 {
            try rig.sim.flip(0, through: bouncing(to: false))
            want.append("food pressed")
            let pressed = await rig.recorder.wait(for: want.count)
            try expect(shown(pressed) == want.joined(separator: ", "), "after a bouncing press: \(shown(pressed))")
            try await Task.sleep(for: .milliseconds(150))
            try rig.sim.flip(0, through: bouncing(to: true))
            want.append("food released")
            let released = await rig.recorder.wait(for: want.count)
            try expect(
                shown(released) == want.joined(separator: ", "), "after a bouncing release: \(shown(released))")
            try await Task.sleep(for: .milliseconds(150))
        }
        try await settled(rig, want.joined(separator: ", "))
    }

    static func held() async throws {
        let rig = try ButtonRig(names: ["HK_HELD_FOOD", "HK_HELD_MONEY"])
        defer { rig.stop() }
        try rig.sim.setInput(1, high: false)
        _ = await rig.recorder.wait(for: 1)
        try await Task.sleep(for: .milliseconds(800))
        let holding = rig.recorder.events
        try expect(shown(holding) == "money pressed", "while held: \(shown(holding))")
        try rig.sim.setInput(1, high: true)
        let events = await rig.recorder.wait(for: 2)
        try expect(shown(events) == "money pressed, money released", "after the release: \(shown(events))")
        try expect(events[1].at - events[0].at >= .milliseconds(700), "held \(events[1].at - events[0].at)")
        try await settled(rig, "money pressed, money released")
    }

    static func twoAtOnce() async throws {
        let rig = try ButtonRig(names: ["HK_TWO_FOOD", "HK_TWO_MONEY"])
        defer { rig.stop() }
        try rig.sim.setInput(0, high: false)
        try rig.sim.setInput(1, high: false)
        let pressed = await rig.recorder.wait(for: 2)
        try expect(
            pressed.map { "\($0.button) \($0.kind)" }.sorted() == ["food pressed", "money pressed"],
            "both down: \(shown(pressed))")
        try await Task.sleep(for: .milliseconds(100))
        try rig.sim.setInput(0, high: true)
        try rig.sim.setInput(1, high: true)
        let events = await rig.recorder.wait(for: 4)
        try expect(
            events.dropFirst(2).map { "\($0.button) \($0.kind)" }.sorted() == ["food released", "money released"],
            "both up: \(shown(events))")
        try await Task.sleep(for: .milliseconds(300))
        try expect(rig.recorder.events.count == 4, "nothing more: \(shown(rig.recorder.events))")
    }

    // MARK: - Lights

    static func lights() async throws {
        let sim = try GPIOSim(names: ["HK_LED_FOOD", "HK_LED_MONEY", "HK_LED_ALERT"])
        let chip = try GPIOChip(path: sim.chipPath)
        let request = try chip.requestOutputs([0, 1, 2], consumer: "hubkiosk-conformance", activeLow: false)
        let lights = GPIOLights(
            outputs: [
                .button("food"): .init(request: request, offset: 0),
                .button("money"): .init(request: request, offset: 1),
                .staffAlert: .init(request: request, offset: 2),
            ],
            alertDevice: .led, logger: quiet)
        defer { lights.allOff() }
        try expect(!sim.outputValue(0) && !sim.outputValue(1), "outputs start off")
        try await lights.set(.button("food"), to: .on)
        try expect(sim.outputValue(0) && !sim.outputValue(1) && !sim.outputValue(2), "food on, the others off")
        for pattern in [LightPattern.printing, .error] {
            try await lights.set(.button("money"), to: pattern)
            try expect(eventually { (try? sim.outputValue(1)) == true }, "\(pattern): the line goes high")
            try expect(eventually { (try? sim.outputValue(1)) == false }, "\(pattern): and low again (it blinks)")
            try expect(eventually { (try? sim.outputValue(1)) == true }, "\(pattern): and high again")
            try expect(sim.outputValue(0) && !sim.outputValue(2), "\(pattern) leaves the other lines alone")
        }
        try await lights.set(.button("money"), to: .off)
        try expect(eventually { (try? sim.outputValue(1)) == false }, "off: the line goes low")
        try expect(steady(false) { try sim.outputValue(1) }, "off: and stays low")
        try await lights.set(.button("food"), to: .off)
        try expect(!sim.outputValue(0), "food off")
    }

    static func alert() async throws {
        let sim = try GPIOSim(names: ["HK_ALERT_LED", "HK_ALERT_FOOD", "HK_ALERT_BUZZER"])
        let chip = try GPIOChip(path: sim.chipPath)
        let request = try chip.requestOutputs([0, 1, 2], consumer: "hubkiosk-conformance", activeLow: false)
        let led = GPIOLights(
            outputs: [
                .staffAlert: .init(request: request, offset: 0), .button("food"): .init(request: request, offset: 1),
            ],
            alertDevice: .led, logger: quiet)
        defer { led.allOff() }
        for pattern in [LightPattern.error, .attention] {
            try await led.set(.staffAlert, to: pattern)
            try expect(eventually { (try? sim.outputValue(0)) == true }, "LED \(pattern): the alert line goes high")
            try expect(eventually { (try? sim.outputValue(0)) == false }, "LED \(pattern): and low (it blinks)")
            try expect(eventually { (try? sim.outputValue(0)) == true }, "LED \(pattern): and high again")
            try expect(!sim.outputValue(1) && !sim.outputValue(2), "LED \(pattern): the other lines stay low")
        }
        try await led.set(.staffAlert, to: .off)
        try expect(steady(false) { try sim.outputValue(0) }, "LED off: the alert line stays low")

        // A buzzer sounds the pattern three times (attention: 3 × 1 s), then stays quiet.
        let buzzer = GPIOLights(
            outputs: [.staffAlert: .init(request: request, offset: 2)], alertDevice: .buzzer, logger: quiet)
        defer { buzzer.allOff() }
        try await buzzer.set(.staffAlert, to: .attention)
        var rounds = 0
        var level = false
        var lastOn = Date()
        let start = Date()
        // Three rounds take 3 s; then 1.5 s of quiet (or 6 s in all) is enough to look.
        while Date().timeIntervalSince(start) < 6 && !(rounds >= 3 && Date().timeIntervalSince(lastOn) >= 1.5) {
            let now = try sim.outputValue(2)
            if now && !level { rounds += 1 }
            if now { lastOn = Date() }
            level = now
            usleep(10_000)
        }
        try expect(rounds == 3, "buzzer: sounded \(rounds) times, not 3")
        try expect(
            Date().timeIntervalSince(lastOn) >= 1.5 && !level,
            "buzzer: still sounding \(String(format: "%.1f", lastOn.timeIntervalSince(start))) s after the start")
        try expect(!sim.outputValue(0), "buzzer: the LED line is untouched")
    }

    // MARK: - Lines

    static func lookup() async throws {
        let names = ["HK_LOOK_A", "HK_LOOK_B", "HK_LOOK_C"]
        let sim = try GPIOSim(names: names)
        for (offset, name) in names.enumerated() {
            let line = try GPIOLineResolver.resolve(.name(name), defaultChip: nil, key: "[[buttons]] #1 line")
            try expect(
                line.chipPath == sim.chipPath && line.offset == offset && line.name == name,
                "\(name) found at \(line), not \(sim.chipPath):\(offset)")
        }
        let chipName = (sim.chipPath as NSString).lastPathComponent
        let byOffset = try GPIOLineResolver.resolve(.offset(chip: chipName, 1), defaultChip: nil, key: "test")
        try expect(
            byOffset.chipPath == sim.chipPath && byOffset.name == "HK_LOOK_B", "\(chipName):1 found as \(byOffset)")
        let bare = try GPIOLineResolver.resolve(.offset(chip: nil, 2), defaultChip: sim.chipPath, key: "test")
        try expect(bare.name == "HK_LOOK_C", "offset 2 on the default chip found as \(bare)")
    }

    static func busy(holder: String?) async throws {
        let sim = try GPIOSim(names: ["HK_BUSY_A", "HK_BUSY_B"])
        let chip = try GPIOChip(path: sim.chipPath)
        // The other process (posix_spawn: Foundation's Process needs a socket pair that a bare VM may not give it).
        var child: pid_t = 0
        var inProcess: GPIORequest?
        if let holder {
            let arguments =
                [holder, "hold", sim.chipPath, "1", "other-holder"].map { $0.withCString { strdup($0) } } + [nil]
            let environment = ["PATH=/usr/bin:/bin".withCString { strdup($0) }, nil]
            defer { (arguments + environment).forEach { free($0) } }
            let code = posix_spawn(&child, holder, nil, nil, arguments, environment)
            try expect(code == 0, "cannot start \(holder): \(String(cString: strerror(code)))")
        } else {
            inProcess = try chip.requestOutputs([1], consumer: "other-holder", activeLow: false)
        }
        func letGo() {
            if child > 0 {
                kill(child, SIGKILL)  // it inherited a blocked SIGTERM from the thread that spawned it
                var status: Int32 = 0
                waitpid(child, &status, 0)
                child = 0
            }
            withExtendedLifetime(inProcess) {}
            inProcess = nil
        }
        defer { letGo() }
        try expect(
            eventually(10) { (try? chip.lineInfo(1))?.consumer == "other-holder" }, "the holder did not take line 1")
        do {
            let request = try chip.requestInputs(
                [0, 1], consumer: "hubkiosk-conformance", activeLow: true, bias: .pullUp, debounce: .zero)
            withExtendedLifetime(request) {}
            throw ConformanceFailure("requested a line another process holds")
        } catch let error as GPIOError {
            try expect(error.code == .busy && error.offset == 1, "\(error.code) at offset \(error.offset ?? -1)")
            try expect(
                error.description.contains("line 1 (HK_BUSY_B) on \(sim.chipPath) is in use by \"other-holder\""),
                "message: \(error.description)")
        }
        letGo()
        try expect(
            eventually(10) { (try? chip.lineInfo(1))?.used == false }, "line 1 still in use after the holder went")
        let request = try chip.requestInputs(
            [0, 1], consumer: "hubkiosk-conformance", activeLow: true, bias: .pullUp, debounce: .zero)
        withExtendedLifetime(request) {}
    }

    static func missing() async throws {
        let sim = try GPIOSim(names: ["HK_MISS_A", "HK_MISS_B"])
        do {
            _ = try GPIOLineResolver.resolve(.name("HK_MISS_Z"), defaultChip: nil, key: "[[buttons]] #3 line")
            throw ConformanceFailure("found a line called HK_MISS_Z")
        } catch let error as GPIOError {
            try expect(error.code == .noSuchLine, "code \(error.code)")
            let text = error.description
            try expect(
                text.hasPrefix("[[buttons]] #3 line: ") && text.contains("no line called \"HK_MISS_Z\""),
                "message: \(text)")
            try expect(text.contains("has lines: ") && text.contains("HK_MISS_A, HK_MISS_B"), "message: \(text)")
        }
        do {
            _ = try GPIOLineResolver.resolve(
                .offset(chip: sim.chipPath, 2), defaultChip: nil, key: "[board] staff_alert")
            throw ConformanceFailure("found line 2 on a chip of 2 lines")
        } catch let error as GPIOError {
            let text = error.description
            try expect(error.code == .noSuchLine, "code \(error.code)")
            try expect(
                text.hasPrefix("[board] staff_alert: line 2 is not on \(sim.chipPath)")
                    && text.contains("0 HK_MISS_A, 1 HK_MISS_B"),
                "message: \(text)")
        }
    }
}

/// One check: a name and what it does; it throws what went wrong.
public struct GPIOConformanceCheck: Sendable, CustomStringConvertible {
    public let name: String
    public let run: @Sendable () async throws -> Void

    init(_ name: String, _ run: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.run = run
    }

    public var description: String { name }
}

/// What a check found wrong.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

// MARK: - Helpers

let quiet: Logger = {
    var logger = Logger(label: "gpio-conformance")
    logger.logLevel = .critical
    return logger
}()

func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws(ConformanceFailure) {
    if !condition { throw ConformanceFailure(message()) }
}

/// Waits up to `seconds` for `condition`.
func eventually(_ seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}

/// Whether `level` reads `want` on every look for `seconds`.
func steady(_ want: Bool, for seconds: Double = 1, _ level: () throws -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if (try? level()) != want { return false }
        usleep(20_000)
    }
    return true
}

func shown(_ events: [ButtonEvent]) -> String {
    events.isEmpty ? "nothing" : events.map { "\($0.button) \($0.kind)" }.joined(separator: ", ")
}

/// Nothing more arrives for 300 ms after `want`.
func settled(_ rig: ButtonRig, _ want: String) async throws {
    try await Task.sleep(for: .milliseconds(300))
    try expect(shown(rig.recorder.events) == want, "then: \(shown(rig.recorder.events))")
}

/// Two active-low buttons with pull-ups, `food` on line 0 and `money` on line 1 of a fresh gpio-sim chip, requested
/// and debounced as the daemon does: in the kernel on the libgpiod 2.x API, in the core's mapper on 1.6.
final class ButtonRig {
    let sim: GPIOSim
    let buttons: GPIOButtons
    let recorder: EventRecorder

    init(names: [String], debounce: Duration = .milliseconds(30)) throws {
        sim = try GPIOSim(names: names)
        let chip = try GPIOChip(path: sim.chipPath)
        try sim.setInput(0, high: true)
        try sim.setInput(1, high: true)
        let request = try chip.requestInputs(
            [0, 1], consumer: "hubkiosk-conformance", activeLow: true, bias: .pullUp,
            debounce: GPIOChip.kernelDebounce ? debounce : .zero)
        let mapper = ButtonEdgeMapper(
            buttons: [.init(chip: sim.chipPath, offset: 0): "food", .init(chip: sim.chipPath, offset: 1): "money"],
            debounce: GPIOChip.kernelDebounce ? .zero : debounce, boottimeOffset: GPIOChip.boottimeOffset())
        buttons = try GPIOButtons(requests: [request], mapper: mapper, logger: quiet)
        recorder = EventRecorder(buttons.events())
    }

    func stop() {
        buttons.stop()
        recorder.stop()
    }
}

/// Collects a button source's events as they come.
final class EventRecorder: Sendable {
    private let seen = Mutex<[ButtonEvent]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(_ stream: AsyncStream<ButtonEvent>) {
        let reading = Task { [weak self] in
            for await event in stream { self?.seen.withLock { $0.append(event) } }
        }
        task.withLock { $0 = reading }
    }

    var events: [ButtonEvent] { seen.withLock { $0 } }

    /// The events so far once there are `count` of them, or what came within `seconds`.
    func wait(for count: Int, within seconds: Double = 5) async -> [ButtonEvent] {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while events.count < count && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        return events
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }
}
