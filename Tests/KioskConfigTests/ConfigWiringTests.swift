import Foundation
import KioskConfig
import KioskCore
import Testing

/// `--check` finds every wiring clash the file alone shows: any two of the button lines, LEDs and the staff alert.
@Suite("kiosk.toml wiring clashes")
struct ConfigWiringTests {
    /// The keys that name a line, in a board configuration with two buttons: (label, how to write it).
    static let slots = [
        "[[buttons]] #1 line", "[[buttons]] #1 led", "[[buttons]] #2 line", "[[buttons]] #2 led",
        "[board] staff_alert",
    ]

    /// Two spellings of one line (with `[board] chip = "gpiochip0"`).
    static let sameLine: [(String, String)] = [
        ("\"GPIO17\"", "\"GPIO17\""),
        ("\"gpiochip0:17\"", "\"gpiochip0:17\""),
        ("\"gpiochip0:17\"", "17"),
        ("17", "\"17\""),
        ("\"/dev/gpiochip0:17\"", "\"gpiochip0:17\""),
        ("\"/dev/gpiochip0:17\"", "17"),
    ]

    /// Lines that are not the same as far as the file can tell.
    static let differentLines: [(String, String)] = [
        ("\"GPIO17\"", "\"GPIO18\""),
        ("\"gpiochip0:17\"", "\"gpiochip1:17\""),
        ("17", "\"gpiochip1:17\""),
        // Which chip and offset GPIO17 is depends on the board (gpiochip0 on a Pi 4, gpiochip4 or 0 on a Pi 5).
        ("\"GPIO17\"", "\"gpiochip0:17\""),
    ]

    /// A board configuration with `values` in the five slots (nil leaves a slot out).
    static func config(_ values: [String?]) -> String {
        func set(_ key: String, _ value: String?) -> String { value.map { "\(key) = \($0)\n" } ?? "" }
        return """
            [hub]
            id = "x"
            [kiosk]
            backend = "board"
            [printer]
            device = "/dev/usb/lp0"
            [board]
            chip = "gpiochip0"
            \(set("staff_alert", values[4]))
            [[needs]]
            code = "food"
            [[needs]]
            code = "money"
            [[buttons]]
            need = "food"
            \(set("line", values[0]))\(set("led", values[1]))
            [[buttons]]
            need = "money"
            \(set("line", values[2]))\(set("led", values[3]))
            """
    }

    /// Distinct lines for the slots not under test.
    static let fillers = ["\"GPIO2\"", "\"GPIO3\"", "\"GPIO4\"", "\"GPIO5\"", "\"GPIO6\""]

    func parse(_ text: String) throws(ConfigError) -> KioskConfiguration {
        try ConfigLoader.parse(text, file: "kiosk.toml", absolutePath: "/etc/hubkiosk/kiosk.toml")
    }

    @Test("The fillers alone are a valid board wiring")
    func valid() throws {
        let config = try parse(Self.config(Self.fillers))
        #expect(config.wiring["food"]?.line == .name("GPIO2"))
        #expect(config.board.staffAlert == .name("GPIO6"))
    }

    @Test("Any two keys on one line, however it is spelt, is one problem naming both keys", arguments: 0..<6)
    func clash(spelling: Int) {
        let (first, second) = Self.sameLine[spelling]
        for a in 0..<Self.slots.count {
            for b in 0..<Self.slots.count where b != a {
                var values: [String?] = Self.fillers
                values[a] = first
                values[b] = second
                do throws(ConfigError) {
                    _ = try parse(Self.config(values))
                    Issue.record("\(Self.slots[a]) = \(first) and \(Self.slots[b]) = \(second) passed")
                } catch {
                    #expect(error.problems.count == 1, "\(error)")
                    let problem = error.problems.first
                    let keys = [Self.slots[a], Self.slots[b]]
                    #expect(
                        problem.map { keys.contains($0.key ?? "") && $0.line != nil } == true
                            && keys.allSatisfy { "\(error)".contains($0) } && "\(error)".contains("its own GPIO line"),
                        "\(error)")
                }
            }
        }
    }

    @Test("Lines the file cannot tell apart from another are not reported", arguments: 0..<4)
    func noClash(spelling: Int) throws {
        let (first, second) = Self.differentLines[spelling]
        for a in 0..<Self.slots.count {
            for b in 0..<Self.slots.count where b != a {
                var values: [String?] = Self.fillers
                values[a] = first
                values[b] = second
                _ = try parse(Self.config(values))
            }
        }
    }

    @Test("Three keys on one line: each later one names the first")
    func three() {
        #expect {
            try parse(Self.config(["\"GPIO9\"", "\"GPIO3\"", "\"GPIO9\"", "\"GPIO5\"", "\"GPIO9\""]))
        } throws: { error in
            let lines = (error as? ConfigError)?.problems.map(\.description) ?? []
            return lines.count == 2
                && lines.contains {
                    $0.contains("[[buttons]] #2 line: GPIO9 is also [[buttons]] #1 line (line 17)")
                }
                && lines.contains { $0.contains("[board] staff_alert: GPIO9 is also [[buttons]] #1 line") }
        }
    }

    @Test("On the board a bare offset needs [board] chip; the simulator ignores wiring")
    func bareOffset() throws {
        let text = Self.config(["17", "\"GPIO3\"", "\"GPIO4\"", "\"GPIO5\"", "\"GPIO6\""])
            .replacingOccurrences(of: "chip = \"gpiochip0\"\n", with: "")
        #expect {
            try parse(text)
        } throws: { error in
            let problem = (error as? ConfigError)?.problems.first
            return (error as? ConfigError)?.problems.count == 1 && problem?.key == "[[buttons]] #1 line"
                && problem?.message.contains("chip = \"gpiochip0\"") == true
        }
        let simulator = text.replacingOccurrences(of: "backend = \"board\"", with: "backend = \"simulator\"")
        #expect(try parse(simulator).wiring["food"]?.line == .offset(chip: nil, 17))
    }

    @Test("Offsets beyond what a chip can have, as numbers or text, are problems")
    func offsets() {
        for value in [
            "65536", "\"65536\"", "\"gpiochip0:99999999999999999999\"", "\"99999999999999999999\"", "-1",
            "\"-1\"", "\"gpiochip0:-1\"",
        ] {
            #expect(throws: ConfigError.self, "\(value)") {
                try parse(Self.config([value, "\"GPIO3\"", "\"GPIO4\"", "\"GPIO5\"", "\"GPIO6\""]))
            }
        }
    }
}
