import Foundation
import KioskCore
import KioskDirectory
import Testing

/// The schedule engine against python-dateutil's rrule, an independent RFC 5545 implementation: the fixture holds
/// 400 random rules and dateutil's occurrences (made by `Fixtures/make-rrule-cases.py`); each rule is read through
/// the directory decoder as an HSDS 3 schedule and must occur on exactly the same days.
@Suite("Schedules agree with an independent RFC 5545 implementation")
struct ScheduleCrossCheckTests {
    struct Case {
        var id: String
        var rule: String
        var schedule: String
        var from: LocalDate
        var days: Int
        var occurrences: [Int]
    }

    static func cases() throws -> [Case] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/rrule-cases.json")
        let root = try JSONParser.parse(Array(try Data(contentsOf: url)))
        var cases: [Case] = []
        for item in root["cases"]?.array ?? [] {
            guard let id = item["id"]?.string, let rule = item["rrule"]?.string, let schedule = item["schedule"],
                let from = item["from"]?.string.flatMap({ LocalDate(iso: $0) }),
                let days = item["days"]?.jsonNumber?.integer,
                let occurrences = item["occurrences"]?.array?.compactMap({ $0.jsonNumber?.integer })
            else {
                Issue.record("fixture case on line \(item.line) is malformed")
                continue
            }
            cases.append(
                Case(
                    id: id, rule: rule, schedule: Self.render(schedule), from: from, days: days,
                    occurrences: occurrences))
        }
        return cases
    }

    /// The schedule object again as JSON text, to embed in a service.
    static func render(_ node: JSONNode) -> String {
        switch node.value {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let number): return number.text
        case .string(let text): return "\"\(text)\""
        case .array(let items): return "[" + items.map(render).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { "\"\($0.key)\":\(render($0.value))" }.joined(separator: ",") + "}"
        }
    }

    @Test("Every fixture rule occurs on the days dateutil gives")
    func agreesWithDateutil() throws {
        let cases = try Self.cases()
        #expect(cases.count == 400)
        var mismatches = 0
        for testCase in cases {
            let json = """
                [{"id": "\(testCase.id)", "name": "Case", "status": "active", "phones": [{"number": "1"}],
                  "attributes": [{"taxonomy_term": {"id": "t"}}], "schedules": [\(testCase.schedule)]}]
                """
            let result = DirectoryDecoder().decode(Array(json.utf8))
            guard result.errors.isEmpty, let schedule = result.directory.services.first?.schedules.first else {
                Issue.record("\(testCase.id) \(testCase.rule): not read: \(result.errors)")
                mismatches += 1
                continue
            }
            let ours = (0..<testCase.days).filter { schedule.occurs(on: testCase.from.adding(days: $0)) }
            if ours != testCase.occurrences {
                mismatches += 1
                let missing = Set(testCase.occurrences).subtracting(ours).sorted().prefix(5)
                    .map { testCase.from.adding(days: $0).description }
                let extra = Set(ours).subtracting(testCase.occurrences).sorted().prefix(5)
                    .map { testCase.from.adding(days: $0).description }
                Issue.record("\(testCase.id) \(testCase.rule): missing \(missing), extra \(extra)")
            }
        }
        #expect(mismatches == 0)
    }

    @Test("The fixture covers the cases RFC 5545 is subtle about")
    func fixtureCoverage() throws {
        let cases = try Self.cases()
        func count(_ predicate: (String) -> Bool) -> Int { cases.filter { predicate($0.rule) }.count }
        #expect(count { $0.contains("BYDAY=") && $0.contains("BYMONTHDAY=") && $0.hasPrefix("FREQ=MONTHLY") } >= 20)
        #expect(count { $0.hasPrefix("FREQ=DAILY;INTERVAL") && $0.contains("BYDAY=") } >= 5)
        #expect(count { $0.range(of: #"BYDAY=[^;]*[0-9]"#, options: .regularExpression) != nil } >= 20)
        #expect(count { $0.range(of: #"DTSTART \d{4}-\d{2}-(29|30|31)"#, options: .regularExpression) != nil } >= 40)
        #expect(count { $0.contains("WKST=") } >= 20)
        #expect(cases.contains { !$0.occurrences.isEmpty })
    }
}
