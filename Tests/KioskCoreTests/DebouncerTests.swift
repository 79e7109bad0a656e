import KioskCore
import Testing

@Suite("Software debounce")
struct DebouncerTests {
    func t(_ ms: Int64) -> MonotonicInstant { MonotonicInstant(nanoseconds: ms * 1_000_000) }

    @Test("Contact bounce on press and release makes one press and one release")
    func bounce() {
        var debouncer = EdgeDebouncer(window: .milliseconds(30))
        var events: [ButtonEvent.Kind] = []
        // Press with chatter, hold, release with chatter.
        let edges: [(Int64, ButtonLevel)] = [
            (1000, .down), (1002, .up), (1004, .down), (1009, .up), (1011, .down), (1150, .up), (1153, .down),
            (1157, .up),
        ]
        for (ms, level) in edges {
            if let kind = debouncer.edge("food", level: level, at: t(ms)) { events.append(kind) }
        }
        #expect(events == [.pressed, .released])
        #expect(debouncer.settleDeadline == nil, "the line ended up, as accepted")
    }

    @Test("The first edge is taken at once: debouncing adds no latency")
    func noLatency() {
        var debouncer = EdgeDebouncer(window: .milliseconds(30))
        #expect(debouncer.edge("food", level: .down, at: t(5)) == .pressed)
    }

    @Test("A press shorter than the window is released when the window closes")
    func shortGlitch() {
        var debouncer = EdgeDebouncer(window: .milliseconds(30))
        #expect(debouncer.edge("food", level: .down, at: t(100)) == .pressed)
        #expect(debouncer.edge("food", level: .up, at: t(110)) == nil)
        #expect(debouncer.settleDeadline == t(130))
        #expect(debouncer.settle(at: t(120)).isEmpty)
        let settled = debouncer.settle(at: t(130))
        #expect(settled.count == 1)
        #expect(settled.first?.0 == "food")
        #expect(settled.first?.1 == .released)
        // A real press 25 ms after the glitch ended (but 5 ms after the window closed) is not a bounce.
        #expect(debouncer.edge("food", level: .down, at: t(135)) == nil, "within 30 ms of the glitch's end")
        #expect(debouncer.edge("food", level: .up, at: t(136)) == nil)
        #expect(debouncer.edge("food", level: .down, at: t(145)) == .pressed, "30 ms after the line last changed")
    }

    @Test("Two buttons at once are independent")
    func twoButtons() {
        var debouncer = EdgeDebouncer(window: .milliseconds(30))
        #expect(debouncer.edge("food", level: .down, at: t(100)) == .pressed)
        #expect(debouncer.edge("money", level: .down, at: t(101)) == .pressed)
        #expect(debouncer.edge("food", level: .up, at: t(200)) == .released)
        #expect(debouncer.edge("money", level: .up, at: t(201)) == .released)
    }
}
