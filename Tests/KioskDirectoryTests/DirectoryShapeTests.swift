import Foundation
import KioskCore
import KioskDirectory
import Testing

@Suite("Directory shapes, repeated ids and misspelt fields")
struct DirectoryShapeTests {
    func decode(_ json: String) -> DirectoryDecoder.Result {
        DirectoryDecoder().decode(Array(json.utf8))
    }

    static let service = DirectoryTests.pantry

    @Test("One service object, {\"services\": [...]}, a list and a page all read the same service")
    func acceptedShapes() {
        let shapes = [
            Self.service, "{\"services\": [\(Self.service)]}", "[\(Self.service)]",
            "{\"total_pages\": 1, \"contents\": [\(Self.service)]}",
            "{\"id\": \"org-1\", \"name\": \"Org\", \"services\": [\(Self.service)]}",
            "{\"totalElements\": 1, \"totalPages\": 1, \"number\": 0, \"content\": [\(Self.service)]}",
        ]
        let reference = decode("[\(Self.service)]").directory
        for shape in shapes {
            let result = decode(shape)
            #expect(result.errors.isEmpty, "\(shape.prefix(40)): \(result.errors)")
            #expect(result.directory == reference)
        }
    }

    static let notServices: [(what: String, json: String)] = [
        (
            "taxonomy terms",
            #"[{"id": "t1", "code": "food-bank", "name": "Food bank", "parent_id": null, "taxonomy": "hub"},"#
                + #" {"id": "t2", "code": "advice", "name": "Advice"}]"#
        ),
        (
            "taxonomy terms",
            #"{"total_pages": 1, "contents": [{"id": "t1", "term": "Food", "vocabulary": "oruk"}]}"#
        ),
        ("taxonomy terms", #"{"taxonomy_terms": [{"id": "t1", "name": "Food", "parent_id": "t0"}]}"#),
        (
            "categories",
            #"[{"name": "Food", "slug": "food", "sub_categories": [{"name": "Pantry", "slug": "pantry"}]}]"#
        ),
        ("categories", #"{"categories": [{"name": "Food", "slug": "food"}]}"#),
        (
            "service-at-location records",
            #"[{"id": "sal-1", "service_id": "svc-1", "location_id": "loc-1"},"#
                + #" {"id": "sal-2", "service": {"id": "svc-2"}, "location": {"id": "loc-2"}}]"#
        ),
        ("locations", #"[{"id": "loc-1", "name": "Hub", "latitude": 55.9, "longitude": -3.2}]"#),
        ("organizations", #"[{"id": "org-1", "name": "Org", "website": "https://org.example/", "tax_id": "1"}]"#),
    ]

    @Test("A file of other records is refused with what it is and what file is wanted")
    func refusedShapes() {
        for (what, json) in Self.notServices {
            let result = decode(json)
            #expect(result.directory.services.isEmpty, "\(what)")
            #expect(result.errors.count == 1, "\(what): \(result.errors)")
            let message = result.errors.first?.message ?? ""
            #expect(message.contains(what), "\(what): \(message)")
            #expect(message.contains("/services"), "says which file is wanted: \(message)")
        }
        let one = decode(#"{"id": "t1", "code": "food", "name": "Food", "parent_id": null}"#)
        #expect(one.errors.first?.message.contains("one taxonomy term") == true, "\(one.errors)")
    }

    @Test("A service with a field other records use (code, slug) is still a service")
    func servicesWithOtherFields() {
        let json = """
            [{"id": "svc-1", "name": "One", "code": "S1", "phones": [{"number": "1"}]},
             {"id": "svc-2", "name": "Two", "slug": "two", "url": "https://two.example/"}]
            """
        let result = decode(json)
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.directory.services.map(\.id) == ["svc-1", "svc-2"])
    }

    @Test("An ORUK v1 page with more pages says so")
    func orukVersion1Pages() {
        let result = decode("{\"totalPages\": 4, \"content\": [\(Self.service)]}")
        #expect(result.directory.services.count == 1)
        #expect(result.warnings.contains { $0.field == "totalPages" && $0.message.contains("one page of 4") })
    }

    @Test("A stray record of another kind in a list of services is a problem for that record only")
    func strayRecord() {
        let result = decode(#"[\#(Self.service), {"id": "t1", "code": "food", "parent_id": "t0"}]"#)
        #expect(result.directory.services.map(\.id) == ["svc-pantry"])
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.field == "services[1]")
        #expect(result.errors.first?.message.contains("taxonomy term") == true)
    }

    @Test("Other top-level values say what is expected")
    func otherShapes() {
        for json in ["\"services\"", "42", "null", "{}", #"{"page": 1, "count": 3}"#, #"{"data": [{"x": 1}]}"#] {
            let result = decode(json)
            #expect(result.errors.count == 1, "\(json)")
            #expect(result.errors.first?.message.contains("\"contents\"") == true, "\(json): \(result.errors)")
        }
    }

    @Test("Identical repeats of a service (a paginated feed) are merged with a warning")
    func identicalRepeats() {
        let pageOne = Self.service
        let json = "{\"contents\": [\(pageOne), \(pageOne), \(pageOne)]}"
        let result = decode(json)
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.directory.services.count == 1)
        let repeats = result.warnings.filter { $0.serviceID == "svc-pantry" && $0.field == "id" }
        #expect(repeats.count == 2)
        #expect(repeats.allSatisfy { $0.message.contains("first on line 2") && $0.message.contains("merged") })
        // The repeats' own warnings are not reported again.
        let single = decode("[\(pageOne)]")
        #expect(result.warnings.count == single.warnings.count + 2)
        // Extra fields the kiosk does not read do not make a repeat differ.
        let touched = pageOne.replacingOccurrences(
            of: "\"status\"", with: "\"last_modified\": \"2026-11-30\", \"status\"")
        #expect(decode("[\(pageOne), \(touched)]").errors.isEmpty)
    }

    @Test("Conflicting repeats (same id, different content) are an error naming the id and what differs")
    func conflictingRepeats() {
        let renamed = Self.service.replacingOccurrences(of: "Community Pantry", with: "Pantry (moved)")
            .replacingOccurrences(of: "\"14:00:00\"", with: "\"15:00:00\"")
        let result = decode("[\(Self.service), \(renamed)]")
        #expect(result.directory.services.count == 1)
        let conflict = result.errors.first { $0.serviceID == "svc-pantry" }
        #expect(conflict?.message.contains("used twice") == true)
        #expect(conflict?.message.contains("name") == true)
        #expect(conflict?.message.contains("schedules") == true)
        #expect(conflict?.description.contains("\"svc-pantry\"") == true)
    }

    @Test(
        "A field one or two edits from a known one is a warning with the suggestion",
        arguments: [
            ("shedules", "schedules"), ("Schedules", "schedules"), ("phone", "phones"), ("stauts", "status"),
            ("attribtues", "attributes"), ("organisation", "organization"),
            ("servce_at_locations", "service_at_locations"),
            ("urls", "url"),
        ])
    func misspeltServiceField(wrong: String, right: String) {
        let json = #"[{"id": "svc-x", "name": "X", "status": "active", "url": "https://x.example/", "\#(wrong)": []}]"#
        let warnings = decode(json).warnings.filter { $0.field == wrong }
        #expect(warnings.count == 1, "\(wrong)")
        #expect(warnings.first?.message.contains("did you mean \(right)?") == true, "\(warnings)")
        #expect(warnings.first?.serviceID == "svc-x")
    }

    @Test(
        "A misspelt schedule field is a warning naming the schedule",
        arguments: [
            ("opens_a", "opens_at"), ("close_at", "closes_at"), ("by_day", "byday"), ("intreval", "interval"),
            ("valid_until", "valid_to"), ("frq", "freq"),
        ])
    func misspeltScheduleField(wrong: String, right: String) {
        let json = #"""
            [{"id": "svc-x", "name": "X", "status": "active", "url": "https://x.example/",
              "schedules": [{"freq": "WEEKLY", "byday": "MO", "opens_at": "10:00", "closes_at": "12:00", "\#(wrong)": 1}]}]
            """#
        let result = decode(json)
        let warning = result.warnings.first { $0.field == "schedules[0].\(wrong)" }
        if wrong == "valid_until" {
            // Far from every known field (valid_to is four edits away): an extra field, silent.
            #expect(warning == nil)
            return
        }
        #expect(warning?.message.contains("did you mean \(right)?") == true, "\(wrong): \(result.warnings)")
        #expect(warning?.line == 2)
    }

    @Test("Unknown fields far from every known one stay silent")
    func extraFieldsSilent() {
        let extras = ["x_custom", "extended_attributes", "hub_notes", "source_system", "internal_rating", "languages"]
        let members = extras.map { "\"\($0)\": 1" }.joined(separator: ", ")
        let json = #"[{"id": "svc-x", "name": "X", "status": "active", "url": "https://x.example/", \#(members)}]"#
        #expect(!decode(json).warnings.contains { $0.message.contains("did you mean") })
    }

    @Test("The example directory has no misspelt fields")
    func exampleSpelling() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Simulator/directory.json")
        let result = DirectoryDecoder().decode(Array(try Data(contentsOf: url)))
        #expect(!result.warnings.contains { $0.message.contains("did you mean") }, "\(result.warnings)")
    }
}

@Suite("Misspelt fields in the records inside a service")
struct NestedSpellingTests {
    @Test(
        "Locations, addresses, phones, contacts, attributes and terms are checked too",
        arguments: [
            (#""service_at_locations": [{"locaton": {}}]"#, "service_at_locations[0].locaton", "location"),
            (
                #""service_at_locations": [{"location": {"name": "Hub", "adresses": []}}]"#,
                "service_at_locations[0].location.adresses", "addresses"
            ),
            (
                #""service_at_locations": [{"location": {"addresses": [{"adress_1": "1 Road", "city": "X"}]}}]"#,
                "service_at_locations[0].location.addresses[0].adress_1", "address_1"
            ),
            (#""phones": [{"numbr": "1"}]"#, "phones[0].numbr", "number"),
            (#""contacts": [{"phone": []}]"#, "contacts[0].phone", "phones"),
            (#""attributes": [{"taxonomy_trem": {"id": "t"}}]"#, "attributes[0].taxonomy_trem", "taxonomy_term"),
            (#""attributes": [{"taxonomy_term": {"id": "t", "cod": "x"}}]"#, "attributes[0].taxonomy_term.cod", "code"),
        ])
    func nested(member: String, field: String, suggestion: String) {
        let json =
            #"[{"id": "svc-x", "name": "X", "status": "active", "url": "https://x.example/", \#(member)}]"#
        let result = DirectoryDecoder().decode(Array(json.utf8))
        let warning = result.warnings.first { $0.field == field }
        #expect(warning?.message.contains("did you mean \(suggestion)?") == true, "\(result.warnings)")
        #expect(warning?.serviceID == "svc-x")
    }

    @Test("Common extra fields in nested records stay silent")
    func extras() {
        let json = #"""
            [{"id": "svc-x", "name": "X", "status": "active", "url": "https://x.example/",
              "phones": [{"number": "1", "type": "voice", "extension": null}],
              "service_at_locations": [{"location": {"name": "Hub", "latitude": 1, "longitude": 2,
                "addresses": [{"address_1": "1 Road", "address_3": "Flat 2", "city": "X", "country": "GB"}]}}],
              "attributes": [{"taxonomy_term": {"id": "t", "vocabulary": "v"}, "link_type": "service"}]}]
            """#
        let result = DirectoryDecoder().decode(Array(json.utf8))
        #expect(!result.warnings.contains { $0.message.contains("did you mean") }, "\(result.warnings)")
    }
}
