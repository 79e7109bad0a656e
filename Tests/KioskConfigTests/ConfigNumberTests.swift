import Foundation
import KioskConfig
import KioskCore
import Testing

/// Every numeric key of kiosk.toml, with every magnitude a number can be written as in TOML: a problem naming the
/// file, the line and the key, never a trap.
@Suite("kiosk.toml numbers out of range")
struct ConfigNumberTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let examples = ["Simulator/kiosk.toml", "packaging/kiosk.toml"]

    /// Values no setting can have: beyond any range, beyond `Int`, beyond `Double`, infinite and not numbers.
    static let badValues = [
        "1e300", "-1e300", "1e999", "-1e999", "1.7976931348623157e308", "inf", "-inf", "+inf", "nan", "+nan",
        "-nan", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
        "99999999999999999999", "0x7FFFFFFFFFFFFFFF", "1e19", "-1e19", "4294967296", "-1",
    ]

    /// Keys that take a GPIO line, which may be written as an offset (`line = 17`); in the examples they are names.
    static let lineKeys: [(section: String, key: String)] = [
        ("buttons", "line"), ("buttons", "led"), ("board", "staff_alert"),
    ]

    /// One key of an example file: where it is, or where its commented-out example is (`# baud = 19200`).
    struct Slot: CustomStringConvertible {
        var file: String
        var section: String
        /// Entry of an array of tables (`[[buttons]]` #1 is 0).
        var index: Int?
        var key: String
        var line: Int

        var label: String {
            index.map { "[[\(section)]] #\($0 + 1) \(key)" } ?? "[\(section)] \(key)"
        }
        var description: String { "\(file):\(line) \(label)" }
    }

    /// Every key the examples set to a number, commented out or not, and the first of each line key.
    static func numericSlots() throws -> [Slot] {
        var slots: [Slot] = []
        for file in examples {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            var section = ""
            var index: Int?
            var counts: [String: Int] = [:]
            for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.hasPrefix("[[") {
                    section = String(line.dropFirst(2).prefix { $0 != "]" })
                    index = counts[section, default: 0]
                    counts[section] = index! + 1
                    continue
                }
                if line.hasPrefix("[") {
                    section = String(line.dropFirst().prefix { $0 != "]" })
                    index = nil
                    continue
                }
                var assignment = Substring(line)
                if assignment.hasPrefix("#") { assignment = assignment.dropFirst().drop { $0 == " " } }
                guard let equals = assignment.firstIndex(of: "=") else { continue }
                let key = assignment[..<equals].trimmingCharacters(in: .whitespaces)
                let value = assignment[assignment.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0 == "_" }) else { continue }
                let isNumber = value.first.map { $0.isNumber || $0 == "-" || $0 == "+" } ?? false
                let isLine = lineKeys.contains { $0.section == section && $0.key == key } && (index ?? 0) == 0
                if isNumber || isLine {
                    slots.append(Slot(file: file, section: section, index: index, key: key, line: offset + 1))
                }
            }
        }
        return slots
    }

    /// `file` with the line of `slot` replaced by `key = value`.
    static func text(_ slot: Slot, value: String) throws -> String {
        let text = try String(contentsOf: root.appendingPathComponent(slot.file), encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[slot.line - 1] = "\(slot.key) = \(value)"
        return lines.joined(separator: "\n")
    }

    @Test("The examples' numeric keys are found, commented-out ones included")
    func slotsCoverTheLoader() throws {
        let labels = Set(try Self.numericSlots().map(\.label))
        let expected: Set<String> = [
            "[slip] services_per_need", "[slip] max_services", "[visit] idle_seconds", "[rules] debounce_ms",
            "[rules] same_button_seconds", "[rules] burst_presses", "[rules] burst_seconds", "[rules] stuck_seconds",
            "[rules] slip_interval_seconds", "[rules] talk_alert_seconds", "[simulator] hold_ms",
            "[printer] baud", "[printer] throttle_bytes_per_second", "[printer] write_timeout_seconds",
            "[board] staff_alert", "[[buttons]] #1 line", "[[buttons]] #1 led", "[sync] interval_seconds",
            "[sync] purge_presses_after_days", "[sync] request_timeout_seconds", "[web] session_idle_minutes",
        ]
        #expect(labels == expected)
    }

    @Test("Every bad magnitude in every numeric key is a problem naming file:line and the key", arguments: badValues)
    func everyKey(value: String) throws {
        for slot in try Self.numericSlots() {
            let text = try Self.text(slot, value: value)
            do throws(ConfigError) {
                _ = try ConfigLoader.parse(text, file: "kiosk.toml", absolutePath: "/etc/hubkiosk/kiosk.toml")
                Issue.record("\(slot) = \(value) was accepted")
            } catch {
                let matching = error.problems.filter { $0.line == slot.line && $0.key == slot.label }
                #expect(matching.count == 1, "\(slot) = \(value): \(error)")
                #expect(
                    matching.first?.description.hasPrefix("kiosk.toml:\(slot.line):") == true
                        && matching.first?.description.contains("\(slot.label): ") == true,
                    "\(slot) = \(value): \(error)")
                #expect(error.problems.count == 1, "\(slot) = \(value): only this key is wrong: \(error)")
            }
        }
    }

    @Test("Values just inside and just outside a range: the edge values are accepted")
    func edges() throws {
        let base = "[hub]\nid = \"x\"\n[kiosk]\nbackend = \"simulator\"\n[[buttons]]\naction = \"checkin\"\n"
        func parse(_ extra: String) throws(ConfigError) -> KioskConfiguration {
            try ConfigLoader.parse(base + extra, file: "kiosk.toml", absolutePath: "/etc/hubkiosk/kiosk.toml")
        }
        #expect(try parse("[visit]\nidle_seconds = 3600\n").rules.visitIdle == .seconds(3600))
        #expect(try parse("[visit]\nidle_seconds = 5.0\n").rules.visitIdle == .seconds(5))
        #expect(try parse("[rules]\ndebounce_ms = 0.5\n").rules.debounce == .microseconds(500))
        #expect(throws: ConfigError.self) { try parse("[visit]\nidle_seconds = 3600.001\n") }
        #expect(throws: ConfigError.self) { try parse("[visit]\nidle_seconds = 4.999\n") }
        #expect(throws: ConfigError.self) { try parse("[slip]\nmax_services = 20.0\n") }
        #expect(
            try parse("[[buttons]]\nid = \"b\"\naction = \"checkin\"\nline = 65535\n").wiring["b"]?.line
                == .offset(chip: nil, 65535))
    }
}
