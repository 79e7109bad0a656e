import Foundation
import KioskCore
import KioskDirectory
import Testing

/// The files of `Tests/Fixtures/directories` (one per format and quirk; its README says which), each read as a
/// kiosk would: every quirk read right, or reported naming the service and the field.
@Suite("Directory fixtures")
struct FixtureTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/directories")
    static let today = LocalDate(year: 2026, month: 12, day: 1)!

    func read(_ name: String, format: DirectoryFormat = .auto) throws -> DirectoryDecoder.Result {
        let bytes = Array(try Data(contentsOf: Self.folder.appendingPathComponent(name)))
        return DirectoryDecoder().decode(bytes, format: format, needs: Need.defaults, today: Self.today)
    }

    func service(_ result: DirectoryDecoder.Result, _ id: String) -> DirectoryService? {
        result.directory.services.first { $0.id == id }
    }

    func problems(
        _ result: DirectoryDecoder.Result, _ id: String, _ severity: DirectoryProblem.Severity
    )
        -> [DirectoryProblem]
    {
        result.problems.filter { $0.serviceID == id && $0.severity == severity }
    }

    @Test("every fixture has a line in the README, and every line a fixture")
    func readme() throws {
        let readme = try String(contentsOf: Self.folder.appendingPathComponent("README.md"), encoding: .utf8)
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter {
            $0.hasSuffix(".json")
        }
        #expect(files.count >= 14)
        for file in files { #expect(readme.contains("| `\(file)` |"), "\(file) has no line in the README") }
    }

    @Test(
        "the ORUK v3 shapes read to the same services",
        arguments: ["oruk3-array.json", "oruk3-services-object.json", "oruk3-paginated.json"])
    func oruk3Shapes(file: String) throws {
        let result = try read(file)
        #expect(result.format == .oruk3)
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.directory.services.map(\.id) == ["svc-food", "svc-money"])
        let food = service(result, "svc-food")
        #expect(food?.addresses == ["Southside Hall, 12 Main Street, Glasgow, G5 9AA"])
        #expect(food?.taxonomyTerms.first?.vocabulary == "hub")
    }

    @Test("one service on its own is a directory of one")
    func singleObject() throws {
        let result = try read("oruk3-single-object.json")
        #expect(result.errors.isEmpty)
        #expect(result.directory.services.map(\.id) == ["svc-food"])
    }

    @Test("a page envelope with a wrong total and a repeated service: merged, both warned")
    func paginated() throws {
        let result = try read("oruk3-paginated.json")
        #expect(result.warnings.contains { $0.field == "total_items" && $0.message.contains("says 5") })
        #expect(problems(result, "svc-food", .warning).contains { $0.field == "id" && $0.message.contains("merged") })
    }

    @Test("one id with different content is an error naming the id and what differs")
    func conflicting() throws {
        let result = try read("oruk3-conflicting-duplicate.json")
        let errors = problems(result, "svc-money", .error)
        #expect(errors.count == 1)
        #expect(errors.first?.field == "id")
        #expect(errors.first?.message.contains("name") == true)
    }

    @Test("a later page saved alone is warned about")
    func laterPage() throws {
        let result = try read("oruk3-later-page.json")
        #expect(result.warnings.contains { $0.field == "page_number" })
        #expect(result.warnings.contains { $0.field == "total_pages" })
    }

    @Test("taxonomy terms with the taxonomy as a string, an id, an object, and the term as a bare id")
    func taxonomyForms() throws {
        let result = try read("oruk3-taxonomy-forms.json")
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(service(result, "tax-string")?.taxonomyTerms.first?.vocabulary == "Open Referral UK")
        #expect(service(result, "tax-id")?.taxonomyTerms.first?.vocabulary == "tx-hub")
        #expect(service(result, "tax-object")?.taxonomyTerms.first?.vocabulary == "ESD service types")
        #expect(service(result, "tax-term-id-only")?.isTagged(withAnyOf: ["mental-health"]) == true)
        let summary = DirectorySummary(directory: result.directory, needs: Need.defaults)
        #expect(summary.unreached == ["tax-term-unmapped"])
        #expect(summary.unmappedTerms.map(\.term) == ["legal-aid"])
        #expect(summary.perNeed.first { $0.code == "food" }?.services == 1)
        #expect(summary.perNeed.first { $0.code == "social" }?.services == 1)
    }

    @Test("ORUK v1: its envelope, weekdays as numbers and names, holidays, taxonomys, contacts' phones")
    func oruk1() throws {
        let result = try read("oruk1-paginated.json")
        #expect(result.format == .oruk1)
        let carers = try #require(service(result, "v1-carers"))
        #expect(carers.organization == "Carers Trust")
        #expect(carers.phones == ["0113 496 0003"])
        #expect(carers.addresses == ["Carers Centre, 3 Green Lane, Leeds, LS1 1AA"])
        #expect(carers.isTagged(withAnyOf: ["caring"]))
        #expect(carers.schedules.count == 3)
        #expect(carers.schedules[0].byDay == [.init(weekday: .tuesday)])
        #expect(carers.schedules[1].byDay == [.init(weekday: .saturday)])
        #expect(carers.schedules[2].validFrom == LocalDate(year: 2026, month: 12, day: 29))
        // The closure (25–26 Dec) and the open holiday's days (29–31 Dec) are taken out of the regular schedules.
        let holidays = [
            ScheduleClosure(start: LocalDate(iso: "2026-12-25")!, end: LocalDate(iso: "2026-12-26")!),
            ScheduleClosure(start: LocalDate(iso: "2026-12-29")!, end: LocalDate(iso: "2026-12-31")!),
        ]
        #expect(carers.schedules[0].closures == holidays && carers.schedules[1].closures == holidays)
        #expect(carers.schedules[2].closures.isEmpty)
        #expect(problems(result, "v1-carers", .warning).isEmpty, "\(problems(result, "v1-carers", .warning))")
        #expect(problems(result, "v1-work", .error).map(\.field) == ["regular_schedules[0].weekday"])
        let summary = DirectorySummary(directory: result.directory, needs: Need.defaults)
        #expect(summary.unmappedTerms.map(\.term) == ["employment"])
    }

    @Test("ORUK v1 holidays: closures and holiday hours replace the regular openings on their days")
    func oruk1Holidays() throws {
        let result = try read("oruk1-holidays.json")
        #expect(result.format == .oruk1)
        let pantry = try #require(service(result, "v1-pantry"))
        #expect(problems(result, "v1-pantry", .error).isEmpty && problems(result, "v1-pantry", .warning).isEmpty)
        // Wednesday and Friday, then the holiday's own hours on 23 December.
        #expect(pantry.schedules.count == 3)
        let closures = [("2026-12-24", "2027-01-02"), ("2026-12-23", "2026-12-23"), ("2027-02-17", "2027-02-17")].map {
            ScheduleClosure(start: LocalDate(iso: $0.0)!, end: LocalDate(iso: $0.1)!)
        }
        // The closure that ended before today is dropped.
        #expect(pantry.schedules[0].closures == closures && pantry.schedules[1].closures == closures)
        #expect(pantry.schedules[2].closures.isEmpty)

        let zone = HubTimeZone.london
        let finder = OpeningFinder(timeZone: zone)
        func at(_ day: String, _ time: String) -> Date {
            zone.instant(of: LocalDate(iso: day)!, at: LocalTime(text: time)!)
        }
        // On 23 December the holiday's 10:00–13:00, not the regular Wednesday 10:00–14:00.
        #expect(
            finder.nextOpening(of: pantry.schedules, after: at("2026-12-22", "15:00"))
                == Opening(start: at("2026-12-23", "10:00"), end: at("2026-12-23", "13:00")))
        // Closed from Christmas Eve to 2 January (Friday 1 January included): next open Wednesday 6 January.
        let next = try #require(finder.nextOpening(of: pantry.schedules, after: at("2026-12-23", "14:00")))
        #expect(next.start == at("2027-01-06", "10:00"))
        #expect(finder.describe(next, at: at("2026-12-23", "14:00")) == "Wed 6 Jan 10:00\u{2013}14:00")
        // A date-time written for a date is read as its date.
        #expect(
            finder.nextOpening(of: pantry.schedules, after: at("2027-02-16", "15:00"))?.start
                == at("2027-02-19", "10:00"))

        let bad = try #require(service(result, "v1-bad-holidays"))
        #expect(
            problems(result, "v1-bad-holidays", .error).map(\.field) == [
                "holiday_schedules[0].end_date", "holiday_schedules[1].closed",
            ])
        #expect(
            problems(result, "v1-bad-holidays", .warning).contains {
                $0.field == "holiday_schedules[2].end_dte" && $0.message.contains("end_date")
            })
        // The entries that could not be read close nothing; the misspelt end leaves a one-day closure.
        #expect(
            bad.schedules.map(\.closures) == [
                [ScheduleClosure(start: LocalDate(iso: "2027-03-01")!, end: LocalDate(iso: "2027-03-01")!)]
            ])

        let line = try #require(service(result, "v1-no-times"))
        #expect(line.schedules.isEmpty)
        #expect(
            problems(result, "v1-no-times", .warning).contains {
                $0.field == "holiday_schedules[0].closed" && $0.message.contains("2026-12-25 to 2026-12-26")
            })
    }

    @Test("ALISS v4: categories, organisation, locations, no invented times")
    func aliss() throws {
        let result = try read("aliss-v4.json")
        #expect(result.format == .aliss)
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.directory.services.count == 3)
        let larder = try #require(service(result, "7f0c1a52-0001-4d7b-9a63-111111111111"))
        #expect(larder.organization == "Hillhead Larder SCIO")
        #expect(larder.addresses == ["5 Byres Road, Glasgow, G12 8AA"])
        #expect(larder.phones == ["0141 496 0010"])
        #expect(larder.isTagged(withAnyOf: ["community-meal"]))
        #expect(larder.schedules.isEmpty)
        let walk = try #require(service(result, "7f0c1a52-0002-4d7b-9a63-222222222222"))
        #expect(walk.url == nil && walk.phones.isEmpty && walk.description == nil)
        #expect(walk.addresses == ["Kelvingrove Park gate, Kelvin Way, Glasgow, G3 7AA"])
        #expect(walk.isTagged(withAnyOf: ["befriending"]))
        let summary = DirectorySummary(directory: result.directory, needs: Need.defaults)
        #expect(summary.unmappedTerms.map(\.term) == ["walking"])
        // Read as ALISS on request too; and ALISS read as ORUK v3 is not silently taken for services with times.
        #expect(try read("aliss-v4.json", format: .aliss).directory == result.directory)
    }

    @Test("ALISS v4: one service as /api/v4/services/{id}/ answers, every field it writes")
    func alissServiceDetail() throws {
        let result = try read("aliss-v4-service.json")
        #expect(result.format == .aliss)
        let cafe = try #require(result.directory.services.first)
        // Nothing about the service itself (only needs no service reaches, as one service leaves most).
        #expect(result.errors.isEmpty && problems(result, cafe.id, .warning).isEmpty, "\(result.problems)")
        #expect(result.directory.services.count == 1)
        #expect(cafe.id == "7f0c1a52-0004-4d7b-9a63-444444444444")
        #expect(cafe.organization == "Partick Carers Network")
        #expect(cafe.addresses == ["12 Dumbarton Road, Glasgow, G11 6AA"])
        #expect(cafe.phones == ["0141 496 0020"] && cafe.email == nil)
        #expect(cafe.isTagged(withAnyOf: ["carers-support"]))
        #expect(result.warnings.allSatisfy { $0.serviceID == nil })
        #expect(try read("aliss-v4-service.json", format: .aliss).directory == result.directory)
    }

    @Test("ALISS v4 answers that are not services are refused, saying what they are")
    func alissOtherAnswers() throws {
        let categories = try read("aliss-v4-categories.json")
        #expect(categories.format == .aliss && categories.directory.services.isEmpty)
        #expect(categories.errors.count == 1)
        #expect(categories.errors.first?.message.contains("/api/v4/categories/") == true)
        let organisation = """
            {"meta": {"licence": "https://creativecommons.org/licenses/by/4.0/", "attribution": []},
             "data": {"id": "org-1", "name": "Green Paths", "description": "", "is_claimed": true,
                      "services": [{"id": "s-1", "name": "Walk and Talk", "description": ""}], "locations": []}}
            """
        let result = DirectoryDecoder().decode(Array(organisation.utf8))
        #expect(result.format == .aliss && result.directory.services.isEmpty)
        #expect(result.errors.map(\.field) == ["data"])
        #expect(result.errors.first?.message.contains("one ALISS organisation") == true)
        let areas = """
            {"meta": {"licence": "https://creativecommons.org/licenses/by/4.0/", "attribution": []},
             "data": [{"code": "S12000049", "type": "Local Authority", "name": "Glasgow City"}]}
            """
        let areaResult = DirectoryDecoder().decode(Array(areas.utf8))
        #expect(areaResult.format == .aliss && areaResult.directory.services.isEmpty)
        #expect(areaResult.errors.first?.message.contains("/api/v4/service-areas/") == true)
    }

    @Test("an ALISS slip says to phone or check the website and shows a short description")
    func alissSlip() throws {
        let result = try read("aliss-v4.json")
        let layout = KioskLayout(needs: Need.defaults, buttons: [])
        let composer = SlipComposer(
            hubName: "Hub", directory: result.directory, layout: layout, timeZone: .london, servicesPerNeed: 3,
            maximumServices: 6, title: "Places that can help", footer: [])
        let now = try #require(ISO8601DateFormatter().date(from: "2026-12-01T10:00:00Z"))
        let texts = composer.compose(needs: ["food"], at: now).blocks.compactMap { block -> String? in
            if case .text(let text, _) = block { return text }
            return nil
        }
        #expect(texts.contains("Phone or check the website for opening times"))
        #expect(texts.contains("A community larder open to everyone."))
        #expect(!texts.contains { $0.contains(":00") })
        let debt = composer.compose(needs: ["money"], at: now).blocks.compactMap { block -> String? in
            if case .text(let text, _) = block { return text }
            return nil
        }
        #expect(debt.contains("Check the website for opening times"))
    }

    @Test("times as feeds write them, each read right or reported")
    func times() throws {
        let result = try read("time-forms.json")
        let expected: [(Int, Int, Int, Int, Int?)] = [
            (9, 0, 12, 0, nil), (9, 0, 12, 0, nil), (9, 0, 12, 0, 0), (9, 0, 12, 0, 3600), (9, 0, 12, 0, nil),
            (9, 30, 16, 0, nil), (10, 0, 15, 0, nil),
        ]
        for (index, (oh, om, ch, cm, offset)) in expected.enumerated() {
            let schedule = service(result, "t-\(index)")?.schedules.first
            #expect(schedule?.opensAt == LocalTime(hour: oh, minute: om), "t-\(index)")
            #expect(schedule?.closesAt == LocalTime(hour: ch, minute: cm), "t-\(index)")
            #expect(schedule?.opensAtUTCOffset == offset, "t-\(index)")
        }
        #expect(problems(result, "t-7", .error).map(\.field) == ["schedules[0].opens_at"])
        #expect(result.errors.count == 1)
    }

    @Test("freq lower-case and abbreviated; ordinals only under MONTHLY")
    func frequencies() throws {
        let result = try read("freq-forms.json")
        #expect(service(result, "f-lower")?.schedules.first?.frequency == .weekly)
        #expect(service(result, "f-lower")?.schedules.first?.byDay.count == 2)
        #expect(service(result, "f-abbrev")?.schedules.first?.frequency == .weekly)
        #expect(
            service(result, "f-monthly")?.schedules.first?.byDay == [
                .init(ordinal: 2, weekday: .monday), .init(ordinal: -1, weekday: .friday),
            ])
        #expect(problems(result, "f-ordinal-weekly", .error).map(\.field) == ["schedules[0].byday"])
        #expect(problems(result, "f-unknown", .error).map(\.field) == ["schedules[0].freq"])
    }

    @Test("a close before the open: overnight from an evening, otherwise an error")
    func closeBeforeOpen() throws {
        let result = try read("close-before-open.json")
        #expect(service(result, "c-overnight")?.schedules.first?.closesAt == LocalTime(hour: 2, minute: 0))
        #expect(problems(result, "c-overnight", .error).isEmpty)
        let errors = problems(result, "c-slip", .error)
        #expect(errors.map(\.field) == ["schedules[0].closes_at"])
        #expect(errors.first?.message.contains("17:00") == true)
        #expect(service(result, "c-slip")?.schedules.isEmpty == true)
    }

    @Test("empty strings are read as nulls")
    func emptyStrings() throws {
        let result = try read("empty-strings.json")
        #expect(result.errors.isEmpty, "\(result.errors)")
        let warm = try #require(service(result, "e-1"))
        #expect(warm.url == nil && warm.email == nil && warm.description == nil && warm.organization == nil)
        #expect(warm.phones == ["0141 496 0020"])
        #expect(warm.schedules.first?.interval == 1)
        #expect(warm.schedules.first?.opensAt == LocalTime(hour: 13, minute: 0))
    }

    @Test("HTML and mojibake are cleaned for the slip and warned naming the field")
    func htmlAndMojibake() throws {
        let result = try read("html-mojibake.json")
        #expect(service(result, "h-html")?.name == "Money & Benefits Advice")
        #expect(service(result, "h-html")?.description == "Free advice on benefits. Drop in, no appointment.")
        #expect(service(result, "h-mojibake")?.name == "Café – community lunch")
        #expect(service(result, "h-mojibake")?.description == "Everyone’s welcome.")
        #expect(Set(problems(result, "h-html", .warning).map(\.field)).isSuperset(of: ["name", "description"]))
        #expect(Set(problems(result, "h-mojibake", .warning).map(\.field)).isSuperset(of: ["name", "description"]))
    }

    @Test("a schedule whose validity ended is reported and not printed")
    func expired() throws {
        let result = try read("expired-schedule.json")
        #expect(
            problems(result, "x-ended", .warning).contains {
                $0.field == "schedules[0].valid_to" && $0.message.contains("2024-12-31")
            })
        let finder = OpeningFinder(timeZone: .london)
        let ended = try #require(service(result, "x-ended"))
        // Monday 2026-12-07 is inside the ended schedule's pattern: the next opening is the Wednesday.
        let now = try #require(ISO8601DateFormatter().date(from: "2026-12-06T12:00:00Z"))
        let opening = try #require(finder.nextOpening(of: ended.schedules, after: now))
        #expect(finder.timeZone.localDate(of: opening.start) == LocalDate(year: 2026, month: 12, day: 9))
    }
}

extension FixtureTests {
    @Test("a format named by hand that does not fit the file is one clear error, not services read wrong")
    func wrongFormat() throws {
        let asORUK = try read("aliss-v4.json", format: .oruk3)
        #expect(asORUK.directory.services.isEmpty)
        #expect(asORUK.errors.count == 1, "\(asORUK.errors)")
        #expect(asORUK.errors.first?.message.contains("\"data\"") == true, "\(asORUK.errors)")
        let asALISS = try read("oruk3-paginated.json", format: .aliss)
        #expect(asALISS.directory.services.isEmpty)
        #expect(asALISS.errors.count == 1, "\(asALISS.errors)")
        #expect(asALISS.errors.first?.message.contains("ALISS") == true, "\(asALISS.errors)")
    }
}

extension FixtureTests {
    @Test("a plain list read as the other format by hand: refused, or warned once")
    func wrongFormatList() throws {
        let asALISS = try read("oruk3-array.json", format: .aliss)
        #expect(asALISS.directory.services.isEmpty)
        #expect(asALISS.errors.first?.message.contains("Open Referral services") == true, "\(asALISS.errors)")
        let bytes = Array(try Data(contentsOf: Self.folder.appendingPathComponent("aliss-v4.json")))
        let root = String(decoding: bytes, as: UTF8.self)
        let list = try #require(root.range(of: "\"data\": ")).upperBound
        let plain = String(root[list...].dropLast(2))
        let asORUK = DirectoryDecoder().decode(Array(plain.utf8), format: .oruk3)
        #expect(asORUK.warnings.filter { $0.serviceID == nil && $0.message.contains("look like ALISS") }.count == 1)
        #expect(DirectoryDecoder().decode(Array(plain.utf8)).format == .aliss)
    }
}
