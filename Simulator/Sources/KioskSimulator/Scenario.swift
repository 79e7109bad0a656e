import Foundation
import KioskConfig
import KioskCore
import TOMLKit

/// A timeline of presses and printer events to play on a kiosk: a rehearsal, a demo, or a test.
public struct Scenario: Sendable {
    public enum Action: Hashable, Sendable {
        /// Press a button (by id or need code) and release it `hold` later.
        case press(button: String, hold: Duration)
        /// The printer's condition changes.
        case printer(PrinterStatus)
    }

    public struct Step: Hashable, Sendable {
        /// Time from the start of the scenario.
        public var at: Duration
        public var action: Action
        /// The line of the scenario file the step came from.
        public var line: Int?
    }

    /// What the kiosk should have counted once the scenario has played on a fresh database.
    public struct Expectation: Hashable, Sendable {
        public var visits: Int?
        public var needs: [NeedCode: Int] = [:]
        public var presses: Int?
        public var flaggedPresses: Int?
        public var slipsPrinted: Int?
        public var slipsNotPrinted: Int?
    }

    public var file: String
    public var name: String
    public var description: String?
    /// Steps in time order, with repeated presses expanded.
    public var steps: [Step]
    /// How long to let the kiosk run after the last step (visits end, deferred slips print).
    public var settle: Duration
    public var expectation: Expectation?

    /// When the last step happens.
    public var duration: Duration { steps.last?.at ?? .zero }
}

extension Scenario {
    /// Reads a scenario file. Button names are checked against `layout`.
    public static func load(path: String, layout: KioskLayout) throws(ConfigError) -> Scenario {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(
                ConfigProblem(
                    file: path, line: nil, key: nil,
                    message:
                        "cannot be read; scenario files are in Simulator/scenarios/ (\(error.localizedDescription))"))
        }
        return try parse(text, file: path, layout: layout)
    }

    public static func parse(_ text: String, file: String, layout: KioskLayout) throws(ConfigError) -> Scenario {
        let (root, context) = try ReaderContext.parse(text, file: file)
        var top = TableReader(root, name: "", context: context)
        let name = top.string("name") ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let description = top.string("description")
        let settle = top.duration(seconds: "settle", in: 0...86_400) ?? .zero
        top.markKnown("step")
        top.markKnown("expect")

        var steps: [Step] = []
        let tables = root["step"]?.array?.compactMap { $0.table } ?? []
        if root["step"] != nil && tables.count != root["step"]?.array?.count {
            top.problem("step", "steps are written as [[step]] tables")
        }
        for (index, table) in tables.enumerated() {
            var reader = TableReader(table, name: "step", index: index, context: context)
            let line = context.locator.line(table: "step", index: index)
            guard let at = reader.duration(seconds: "at", in: 0...864_000) else {
                if !reader.has("at") { reader.problem("at", "every step needs at = seconds from the start") }
                reader.reportUnknownKeys()
                continue
            }
            let hold = reader.duration(seconds: "hold", in: 0.001...3600) ?? .milliseconds(120)
            let every = reader.duration(seconds: "every", in: 0.001...3600) ?? .milliseconds(500)
            var buttons: [String] = []
            if let value = table["press"] {
                if let single = value.string {
                    buttons = [single]
                    reader.markKnown("press")
                } else {
                    buttons = reader.strings("press") ?? []
                }
                for button in buttons where layout.button(named: button) == nil {
                    reader.problem(
                        "press",
                        "\"\(button)\" is not a button; use one of " + layout.buttonNames.joined(separator: ", "))
                }
            }
            let count = reader.integer("count", in: 1...100_000, unit: "presses") ?? max(1, buttons.count)
            var printer: PrinterStatus?
            if let key = reader.string("printer") {
                printer = PrinterStatus(key: key)
                if printer == nil {
                    reader.problem(
                        "printer",
                        "\"\(key)\" is not a printer state; use one of " + PrinterStatus.keys.joined(separator: ", "))
                }
            }
            reader.reportUnknownKeys()
            if !buttons.isEmpty {
                for n in 0..<count {
                    let step = Step(
                        at: at + every * n, action: .press(button: buttons[n % buttons.count], hold: hold), line: line)
                    steps.append(step)
                }
            }
            if let printer { steps.append(Step(at: at, action: .printer(printer), line: line)) }
            if buttons.isEmpty && printer == nil && !reader.has("printer") && !reader.has("press") {
                reader.problem(nil, "a step needs press = \"…\" or printer = \"…\"")
            }
        }

        var expectation: Expectation?
        if let table = root["expect"]?.table {
            var reader = TableReader(table, name: "expect", context: context)
            var expect = Expectation()
            expect.visits = reader.integer("visits", in: 0...1_000_000, unit: "visits")
            expect.presses = reader.integer("presses", in: 0...1_000_000, unit: "presses")
            expect.flaggedPresses = reader.integer("flagged", in: 0...1_000_000, unit: "presses")
            expect.slipsPrinted = reader.integer("slips_printed", in: 0...1_000_000, unit: "slips")
            expect.slipsNotPrinted = reader.integer("slips_not_printed", in: 0...1_000_000, unit: "slips")
            reader.markKnown("needs")
            if let needs = table["needs"]?.table {
                var needReader = TableReader(needs, name: "expect.needs", context: context)
                for key in needs.keys.sorted() {
                    if layout.need(NeedCode(key)) == nil {
                        needReader.problem(key, "is not a need of this kiosk")
                    }
                    if let value = needReader.integer(key, in: 0...1_000_000, unit: "visits") {
                        expect.needs[NeedCode(key)] = value
                    }
                }
            }
            reader.reportUnknownKeys()
            expectation = expect
        }
        top.reportUnknownKeys()
        if steps.isEmpty && context.problems.isEmpty { top.problem(nil, "has no [[step]] to play") }
        if !context.problems.isEmpty { throw ConfigError(problems: context.problems) }
        // Stable: steps at the same time keep file order.
        let ordered = steps.enumerated().sorted { a, b in
            a.element.at == b.element.at ? a.offset < b.offset : a.element.at < b.element.at
        }.map(\.element)
        return Scenario(
            file: file, name: name, description: description, steps: ordered, settle: settle, expectation: expectation)
    }
}
