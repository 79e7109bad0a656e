import Foundation
import KioskCore
import KioskDirectory
import Testing

@Suite("ORUK v3 directory decoding")
struct DirectoryTests {
    func decode(_ json: String, needs: [Need]? = nil) -> DirectoryDecoder.Result {
        DirectoryDecoder().decode(Array(json.utf8), needs: needs)
    }

    static let pantry = """
        {
          "id": "svc-pantry", "name": "Community Pantry", "status": "active",
          "url": "https://pantry.example.org/",
          "phones": [{"number": "0131 496 0202"}],
          "schedules": [
            {"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "10:00", "closes_at": "12:00"},
            {"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "14:00:00", "closes_at": "16:00:00"}
          ],
          "service_at_locations": [{"location": {"name": "Hub", "addresses": [
            {"address_1": "14 Brae Street", "city": "Inverallan", "postal_code": "IA1 2BC"}]}}],
          "attributes": [{"taxonomy_term": {"id": "t1", "code": "food-pantry", "term": "Community pantry"}}]
        }
        """

    @Test("A plain list and the paginated envelope both decode")
    func formats() {
        let list = decode("[\(Self.pantry)]")
        let envelope = decode("{\"total_items\": 1, \"total_pages\": 1, \"contents\": [\(Self.pantry)]}")
        for result in [list, envelope] {
            #expect(result.errors.isEmpty)
            let service = result.directory.services.first
            #expect(service?.name == "Community Pantry")
            #expect(service?.phones == ["0131 496 0202"])
            #expect(service?.addresses == ["Hub, 14 Brae Street, Inverallan, IA1 2BC"])
            #expect(service?.schedules.count == 2)
            #expect(service?.schedules[1].opensAt == LocalTime(hour: 14, minute: 0))
            #expect(service?.isTagged(withAnyOf: ["FOOD-PANTRY"]) == true)
        }
    }

    @Test("Only active services are found for a need")
    func activeOnly() {
        let closed = Self.pantry.replacingOccurrences(of: "\"svc-pantry\"", with: "\"svc-closed\"")
            .replacingOccurrences(of: "\"active\"", with: "\"temporarily closed\"")
        let result = decode("[\(Self.pantry), \(closed)]")
        let need = Need(code: "food", label: "Food", taxonomyTerms: ["food-pantry"])
        #expect(result.directory.services.count == 2)
        #expect(result.directory.activeServices(for: need).map(\.id) == ["svc-pantry"])
    }

    @Test("Every problem names its line, the service id and the field")
    func problems() {
        let json = """
            [
              {"id": "svc-a", "name": "A", "status": "open",
               "schedules": [{"freq": "FORTNIGHTLY", "byday": "MO", "opens_at": "10:00", "closes_at": "12:00"}]},
              {"id": "svc-b", "name": "B", "status": "active",
               "schedules": [
                 {"freq": "WEEKLY", "byday": "2XX", "opens_at": "25:00", "closes_at": "12:00"},
                 {"freq": "WEEKLY", "interval": 2, "byday": "TH", "opens_at": "13:00", "closes_at": "15:00"}
               ]},
              {"name": "no id"},
              {"id": "svc-a", "name": "A again", "status": "active"}
            ]
            """
        let result = decode(json)
        let errors = result.errors.map(\.description)
        #expect(
            errors.contains {
                $0.contains("line 2") && $0.contains("\"svc-a\"") && $0.contains("status") && $0.contains("\"open\"")
            })
        #expect(
            errors.contains { $0.contains("line 3") && $0.contains("schedules[0].freq") && $0.contains("interval") })
        #expect(errors.contains { $0.contains("\"svc-b\"") && $0.contains("schedules[0].byday") && $0.contains("2XX") })
        #expect(
            errors.contains { $0.contains("\"svc-b\"") && $0.contains("schedules[0].opens_at") && $0.contains("25:00") }
        )
        #expect(errors.contains { $0.contains("schedules[1].interval") && $0.contains("dtstart") })
        #expect(errors.contains { $0.contains("line 9") && $0.contains("services[2].id") })
        #expect(errors.contains { $0.contains("line 10") && $0.contains("used twice") })
        #expect(!errors.contains { $0.contains("Optional(") || $0.contains("DecodingError") }, "no decoder dumps")
    }

    @Test("Broken JSON is reported with its line and column")
    func syntaxError() {
        let result = decode("[\n  {\"id\": \"x\",\n   \"name\": \"y\" \"status\": \"active\"}\n]")
        #expect(result.errors.count == 1)
        #expect(result.errors[0].line == 3)
        #expect(result.errors[0].message.contains("column 16"))
    }

    @Test("ORUK v1 regular_schedules and service_taxonomys are read")
    func orukVersion1() {
        let json = """
            [{"id": "v1", "name": "Old feed", "status": "active",
              "regular_schedules": [{"weekday": "Tuesday", "opens_at": "09:00", "closes_at": "11:00"}],
              "service_taxonomys": [{"taxonomy": {"id": "food-bank", "name": "Food bank"}}]}]
            """
        let result = decode(json)
        #expect(result.errors.isEmpty)
        let service = result.directory.services[0]
        #expect(service.schedules.first?.byDay == [.init(weekday: .tuesday)])
        #expect(service.isTagged(withAnyOf: ["food-bank"]))
    }

    @Test("With needs, coverage gaps are warnings")
    func coverage() {
        let needs = [
            Need(code: "food", label: "Food", taxonomyTerms: ["food-pantry"]),
            Need(code: "caring", label: "Caring", taxonomyTerms: ["carers-support"]),
        ]
        let result = decode("[\(Self.pantry)]", needs: needs)
        #expect(result.errors.isEmpty)
        #expect(result.warnings.contains { $0.field == "need caring" })
    }

    @Test("The example directory has at least 20 active services and every default need finds some")
    func exampleDirectory() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Simulator/directory.json")
        let data = try Data(contentsOf: url)
        let result = DirectoryDecoder().decode(Array(data))
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.directory.services.filter { $0.status == .active }.count >= 20)
        #expect(result.directory.services.contains { $0.schedules.contains { $0.interval == 2 } }, "fortnightly")
        #expect(
            result.directory.services.contains { $0.schedules.contains { $0.byDay.contains { $0.ordinal != nil } } })
        #expect(result.directory.services.contains { $0.schedules.count >= 2 }, "split days")
    }
}

@Suite("JSON parser")
struct JSONParserTests {
    @Test("Values, escapes and positions")
    func values() throws {
        let node = try JSONParser.parse(
            Array("{\"a\": [1, -2.5e3, true, null],\n \"b\": \"\\u00a3 \\ud83d\\ude00 \\\"q\\\"\"}".utf8))
        #expect(node["a"]?.array?.count == 4)
        #expect(node["a"]?.array?[1].number == -2500)
        #expect(node["b"]?.string == "£ 😀 \"q\"")
        #expect(node["b"]?.line == 2)
        #expect(node["b"]?.column == 7)
    }

    @Test(
        "Errors say where",
        arguments: [
            ("[1, 2,]", 1, 7), ("{\"a\" 1}", 1, 6), ("[01]", 1, 3), ("\"open", 1, 6), ("[1]\n x", 2, 2),
            ("{\"a\": tru}", 1, 10),
        ])
    func errors(text: String, line: Int, column: Int) {
        do {
            _ = try JSONParser.parse(Array(text.utf8))
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.line == line)
            #expect(error.column == column)
        }
    }
}
