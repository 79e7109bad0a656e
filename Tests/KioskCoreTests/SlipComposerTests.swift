import Foundation
import KioskCore
import Testing

@Suite("Slip composition")
struct SlipComposerTests {
    let zone = HubTimeZone.london

    func service(
        _ id: String, term: String, days: String, opens: String, closes: String, status: ServiceStatus = .active
    )
        -> DirectoryService
    {
        DirectoryService(
            id: id, name: "Service \(id)", status: status, url: "https://\(id).example.org/",
            phones: ["0131 496 0\(id.count)00"],
            addresses: ["1 Street, Town"],
            schedules: [
                ServiceSchedule(
                    frequency: .weekly, byDay: days.split(separator: ",").map { .init(text: $0)! },
                    opensAt: LocalTime(text: opens), closesAt: LocalTime(text: closes))
            ],
            taxonomyTerms: [TaxonomyTerm(code: term)])
    }

    var layout: KioskLayout { .standard() }

    func composer(_ services: [DirectoryService], perNeed: Int = 3) -> SlipComposer {
        SlipComposer(
            hubName: "Test Hub", directory: ServiceDirectory(services: services), layout: layout, timeZone: zone,
            servicesPerNeed: perNeed)
    }

    func at(_ date: String, _ time: String) -> Date {
        zone.instant(of: LocalDate(iso: date)!, at: LocalTime(text: time)!)
    }

    @Test("Services are listed open-now first, then soonest; inactive and finished ones never")
    func ordering() {
        var finished = service("old", term: "food-bank", days: "MO", opens: "10:00", closes: "12:00")
        finished.schedules[0].validTo = LocalDate(year: 2025, month: 1, day: 1)
        let services = [
            service("thu", term: "food-bank", days: "TH", opens: "10:00", closes: "12:00"),
            service("now", term: "food-pantry", days: "MO", opens: "09:00", closes: "17:00"),
            service("shut", term: "food-bank", days: "MO", opens: "09:00", closes: "17:00", status: .inactive),
            finished,
            service("tue", term: "community-meal", days: "TU", opens: "12:00", closes: "14:00"),
        ]
        let entries = composer(services).entries(for: ["food"], at: at("2026-11-23", "11:00"))
        #expect(entries.map(\.service.id) == ["now", "tue", "thu"])
    }

    @Test("A slip lists services and never names the need or anything about the visitor")
    func neutralWording() {
        let services = [service("cab", term: "benefits-advice", days: "MO,WE", opens: "10:00", closes: "16:00")]
        let slip = composer(services).compose(needs: ["money"], at: at("2026-11-23", "11:00"))
        let text = slip.plainText
        #expect(text.contains("Service cab"))
        #expect(text.contains("Open now until 16:00"))
        #expect(text.contains("Tel 0131 496 0300"))
        #expect(slip.blocks.contains(.qrCode("https://cab.example.org/")))
        for need in Need.defaults {
            #expect(!text.localizedCaseInsensitiveContains(need.label), "the slip must not say \(need.label)")
        }
        #expect(!text.lowercased().contains("money"))
        #expect(!text.contains("2026"), "no exact date-time of the visit")
    }

    @Test("Several needs share one slip without repeating a service")
    func merged() {
        let shared = DirectoryService(
            id: "both", name: "Both", phones: ["1"],
            taxonomyTerms: [TaxonomyTerm(code: "food-bank"), TaxonomyTerm(code: "housing-advice")])
        let entries = composer([shared]).entries(for: ["food", "housing"], at: at("2026-11-23", "11:00"))
        #expect(entries.map(\.service.id) == ["both"])
    }

    @Test("No matching service: the slip sends the visitor to staff")
    func nothingFound() {
        let slip = composer([]).compose(needs: ["caring"], at: at("2026-11-23", "11:00"))
        #expect(slip.plainText.contains("Please ask a member of staff"))
    }

    @Test("A compact slip (paper low) keeps name, phone and QR for at most two services")
    func compact() {
        let services = (1...4).map { service("s\($0)", term: "food-bank", days: "MO", opens: "10:00", closes: "16:00") }
        let slip = composer(services).compose(needs: ["food"], at: at("2026-11-23", "11:00"), compact: true)
        let text = slip.plainText
        #expect(text.contains("Service s1") && text.contains("Service s2") && !text.contains("Service s3"))
        #expect(!text.contains("Open now"))
        #expect(slip.blocks.filter { if case .qrCode = $0 { return true } else { return false } }.count == 2)
    }

    @Test("Short URLs drop the scheme, www. and a trailing slash")
    func shortURL() {
        #expect(SlipComposer.shortURL("https://www.example.org/") == "example.org")
        #expect(SlipComposer.shortURL("http://a.example.org/path") == "a.example.org/path")
    }
}
