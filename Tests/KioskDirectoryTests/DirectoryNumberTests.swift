import Foundation
import KioskCore
import KioskDirectory
import Testing

private func numberService(_ member: String) -> String {
    #"{"id": "svc-n", "name": "Numbers", "status": "active", "url": "https://n.example.org/", \#(member)}"#
}

private func numberSchedule(_ members: String, byday: Bool = true, times: Bool = true) -> String {
    let day = byday ? #""freq": "WEEKLY", "byday": "MO", "# : ""
    let hours = times ? #", "opens_at": "10:00", "closes_at": "12:00""# : ""
    return numberService(#""schedules": [{\#(day)\#(members)\#(hours)}]"#)
}

/// A number out of `Int` range in any numeric field of a directory is a problem naming the field, never a trap.
@Suite("Numbers in a directory")
struct DirectoryNumberTests {
    /// Magnitudes no `Int` holds, written as JSON allows.
    static let badNumbers = [
        "1e300", "-1e300", "1e999", "-1e999", "1E+400", "1.5e300", "99999999999999999999", "9223372036854775808",
        "-9223372036854775809", "123456789012345678901234567890",
    ]

    /// A service with `value` placed in one field, and the field the problem must name.
    static let fields: [(field: String, json: @Sendable (String) -> String)] = [
        ("services[0].id", { #"{"id": \#($0), "name": "N", "status": "active"}"# }),
        ("name", { #"{"id": "svc-n", "name": \#($0), "status": "active"}"# }),
        ("phones[0].number", { numberService(#""phones": [{"number": \#($0)}]"#) }),
        ("contacts[0].phones[0].number", { numberService(#""contacts": [{"phones": [{"number": \#($0)}]}]"#) }),
        (
            "service_at_locations[0].location.addresses[0].postal_code",
            { numberService(#""service_at_locations": [{"location": {"addresses": [{"postal_code": \#($0)}]}}]"#) }
        ),
        (
            "service_at_locations[0].location.phones[0].number",
            { numberService(#""service_at_locations": [{"location": {"phones": [{"number": \#($0)}]}}]"#) }
        ),
        ("attributes[0].taxonomy_term.id", { numberService(#""attributes": [{"taxonomy_term": {"id": \#($0)}}]"#) }),
        ("attributes[0].taxonomy_term_id", { numberService(#""attributes": [{"taxonomy_term_id": \#($0)}]"#) }),
        ("organization.name", { numberService(#""organization": {"name": \#($0)}"#) }),
        ("schedules[0].interval", { numberSchedule(#""interval": \#($0), "dtstart": "2026-01-05""#) }),
        ("schedules[0].bymonthday", { numberSchedule(#""freq": "MONTHLY", "bymonthday": \#($0)"#, byday: false) }),
        ("schedules[0].bymonthday", { numberSchedule(#""freq": "MONTHLY", "bymonthday": [1, \#($0)]"#, byday: false) }),
        (
            "regular_schedules[0].weekday",
            {
                numberService(#""regular_schedules": [{"weekday": \#($0), "opens_at": "09:00", "closes_at": "11:00"}]"#)
            }
        ),
        ("schedules[0].byday", { numberSchedule(#""byday": \#($0)"#, byday: false) }),
        ("schedules[0].opens_at", { numberSchedule(#""opens_at": \#($0), "closes_at": "12:00""#, times: false) }),
        ("schedules[0].dtstart", { numberSchedule(#""dtstart": \#($0)"#) }),
        ("schedules[0].wkst", { numberSchedule(#""wkst": \#($0)"#) }),
        ("schedules[0].description", { numberSchedule(#""description": \#($0)"#) }),
    ]

    @Test("Every numeric field, every bad magnitude: a problem naming the service and field")
    func everyFieldEveryMagnitude() {
        for (field, json) in Self.fields {
            for number in Self.badNumbers {
                let result = DirectoryDecoder().decode(Array("[\(json(number))]".utf8))
                let named = result.errors.filter { $0.field == field || $0.field.hasPrefix(field) }
                #expect(!named.isEmpty, "\(field) = \(number): \(result.problems)")
                if field != "services[0].id" {
                    #expect(named.allSatisfy { $0.serviceID == "svc-n" }, "\(field) = \(number)")
                }
                #expect(named.allSatisfy { $0.line == 1 })
                #expect(
                    named.contains { $0.message.contains(number) || $0.message.contains("too large") },
                    "\(field) = \(number): \(named)")
            }
        }
    }

    @Test("total_pages out of range is a warning naming the field")
    func totalPages() {
        for number in Self.badNumbers + ["2.5", "-3", "\"many\""] {
            let service = numberService(#""phones": []"#)
            let json = #"{"total_pages": \#(number), "contents": [\#(service)]}"#
            let result = DirectoryDecoder().decode(Array(json.utf8))
            #expect(result.errors.isEmpty, "\(number): \(result.errors)")
            #expect(result.warnings.contains { $0.field == "total_pages" }, "\(number)")
            #expect(result.directory.services.count == 1)
        }
        let paged = #"{"total_pages": 3, "contents": []}"#
        #expect(DirectoryDecoder().decode(Array(paged.utf8)).warnings.contains { $0.message.contains("one page of 3") })
    }

    @Test("Whole numbers in range are read exactly where text is expected")
    func numbersAsText() {
        let json = numberService(
            #""phones": [{"number": 441314960101}, {"number": 9007199254740993}, {"number": 4.4e11}], "#
                + #""attributes": [{"taxonomy_term": {"id": 42, "code": -7}}]"#)
        let result = DirectoryDecoder().decode(Array("[\(json)]".utf8))
        #expect(result.errors.isEmpty, "\(result.errors)")
        let service = result.directory.services.first
        #expect(service?.phones == ["441314960101", "9007199254740993", "440000000000"])
        #expect(service?.taxonomyTerms.first?.id == "42")
        #expect(service?.taxonomyTerms.first?.code == "-7")
    }

    @Test("Numbers given as numbers or text in schedule fields")
    func scheduleNumbers() {
        for interval in ["2", "2.0", "\"2\"", "2e0"] {
            let json = numberSchedule(#""interval": \#(interval), "dtstart": "2026-01-05""#)
            let result = DirectoryDecoder().decode(Array("[\(json)]".utf8))
            #expect(result.errors.isEmpty, "\(interval): \(result.errors)")
            #expect(result.directory.services.first?.schedules.first?.interval == 2)
        }
        for bad in ["0", "53", "2.5", "-1", "\"two\"", "true", "[2]"] {
            let json = numberSchedule(#""interval": \#(bad), "dtstart": "2026-01-05""#)
            let result = DirectoryDecoder().decode(Array("[\(json)]".utf8))
            #expect(result.errors.contains { $0.field == "schedules[0].interval" && $0.serviceID == "svc-n" }, "\(bad)")
        }
        let days = numberSchedule(#""freq": "MONTHLY", "bymonthday": [1, "15", -1]"#, byday: false)
        let result = DirectoryDecoder().decode(Array("[\(days)]".utf8))
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.directory.services.first?.schedules.first?.byMonthDay == [1, 15, -1])
        for bad in ["0", "32", "-32", "\"1,0\"", "\"1,x\""] {
            let json = numberSchedule(#""freq": "MONTHLY", "bymonthday": \#(bad)"#, byday: false)
            let result = DirectoryDecoder().decode(Array("[\(json)]".utf8))
            #expect(result.errors.contains { $0.field == "schedules[0].bymonthday" }, "\(bad)")
        }
        for (weekday, expected) in [
            ("1", Weekday.monday), ("7", .sunday), ("\"3\"", .wednesday), ("\"Friday\"", .friday),
        ] {
            let json = numberService(
                #""regular_schedules": [{"weekday": \#(weekday), "opens_at": "09:00", "closes_at": "11:00"}]"#)
            let result = DirectoryDecoder().decode(Array("[\(json)]".utf8))
            #expect(result.directory.services.first?.schedules.first?.byDay == [.init(weekday: expected)])
        }
    }

    @Test(
        "Infinity and NaN are not JSON: a syntax error with its position",
        arguments: ["NaN", "Infinity", "-Infinity", "inf"])
    func nonFinite(word: String) {
        let result = DirectoryDecoder().decode(Array(numberService(#""phones": [{"number": \#(word)}]"#).utf8))
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.line == 1)
        #expect(result.errors.first?.message.contains("not valid JSON") == true)
    }

    @Test("JSONNumber converts exactly or not at all")
    func checkedConversion() {
        #expect(JSONNumber(text: "42").integer == 42)
        #expect(JSONNumber(text: "-0").integer == 0)
        #expect(JSONNumber(text: "3.0").integer == 3)
        #expect(JSONNumber(text: "1e3").integer == 1000)
        #expect(JSONNumber(text: "9223372036854775807").integer == Int.max)
        #expect(JSONNumber(text: "-9223372036854775808").integer == Int.min)
        #expect(JSONNumber(text: "9007199254740993").integer == 9_007_199_254_740_993)
        for text in Self.badNumbers + ["1.5", "-0.25", "1e-300", "9.3e18"] {
            #expect(JSONNumber(text: text).integer == nil, "\(text)")
        }
        #expect(JSONNumber(text: "1e999").double == .infinity)
    }
}

@Suite("JSON parser limits")
struct JSONParserLimitTests {
    @Test("Deep nesting is refused with a position, never a stack overflow", arguments: ["[", "{\"a\":", "[{\"a\":"])
    func deepNesting(opener: String) {
        let text = String(repeating: opener, count: 100_000)
        do {
            _ = try JSONParser.parse(Array(text.utf8))
            Issue.record("parsed")
        } catch {
            #expect(error.message.contains("nested more than \(JSONParser.maximumDepth)"))
            #expect(error.line == 1)
        }
        let result = DirectoryDecoder().decode(Array(text.utf8))
        #expect(result.errors.count == 1)
        #expect(result.directory.services.isEmpty)
    }

    @Test("Nesting up to the limit parses, one more does not")
    func nestingLimit() throws {
        let depth = JSONParser.maximumDepth
        let fine = String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
        var node = try JSONParser.parse(Array(fine.utf8))
        for _ in 1..<depth { node = node.array?.first ?? node }
        #expect(node.array?.first?.number == 1)
        let deeper = "[" + fine + "]"
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(deeper.utf8)) }
    }

    @Test("Truncated and broken documents are errors at every cut")
    func everyCut() {
        let text = #"{"a": [1, -2.5e3, "x\u00e9", {"b": null, "c": [true, false]}], "d": {}}"#
        let bytes = Array(text.utf8)
        for cut in 0..<bytes.count {
            #expect(throws: JSONSyntaxError.self, "cut at \(cut)") { try JSONParser.parse(Array(bytes[0..<cut])) }
        }
        #expect((try? JSONParser.parse(bytes)) != nil)
    }
}
