import ESCPOS
import Foundation
import HTTPTypes
import HubWeb
import Hummingbird
import HummingbirdTesting
import KioskApp
import KioskConfig
import KioskCore
import KioskDirectory
import KioskRuntime
import KioskTestSupport
import KioskWeb
import NIOCore
import Testing

/// `a=1&b=x+y`, each value percent-encoded.
func formBody(_ fields: [(String, String)]) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return fields.map { key, value in
        "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
    }.joined(separator: "&")
}

/// The fields of a service's edit form as the page fills them in (hidden ones included), to change and post.
func editFields(_ html: String) -> [(String, String)] {
    var fields: [(String, String)] = []
    var rest = Substring(html)
    while let input = ["<input ", "<textarea ", "<select "].compactMap({ rest.range(of: $0) }).min(by: {
        $0.lowerBound < $1.lowerBound
    }) {
        let tag = rest[input.lowerBound...].prefix { $0 != ">" }
        rest = rest[input.upperBound...]
        func attribute(_ name: String) -> String? {
            guard let start = tag.range(of: " \(name)=\"") else { return nil }
            return String(tag[start.upperBound...].prefix { $0 != "\"" })
        }
        guard let name = attribute("name") else { continue }
        func unescaped(_ text: some StringProtocol) -> String {
            String(text).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
                .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&#39;", with: "'")
                .replacingOccurrences(of: "&amp;", with: "&")
        }
        if tag.hasPrefix("<textarea") {
            let body = rest.drop { $0 != ">" }.dropFirst().prefix { $0 != "<" }
            fields.append((name, unescaped(body)))
        } else if tag.hasPrefix("<select") {
            let end = rest.range(of: "</select>")?.lowerBound ?? rest.endIndex
            let options = rest[..<end]
            if let selected = options.range(of: " selected") {
                let before = options[..<selected.lowerBound]
                if let value = before.range(of: "value=\"", options: .backwards) {
                    fields.append((name, unescaped(before[value.upperBound...].prefix { $0 != "\"" })))
                }
            }
        } else if attribute("type") == "checkbox" {
            if tag.contains(" checked") { fields.append((name, attribute("value") ?? "on")) }
        } else {
            fields.append((name, unescaped(attribute("value") ?? "")))
        }
    }
    return fields
}

/// Sets `name` to `value` in `fields` (adding it when it is not there).
func setting(_ fields: [(String, String)], _ name: String, _ value: String) -> [(String, String)] {
    var fields = fields
    if let index = fields.firstIndex(where: { $0.0 == name }) {
        fields[index].1 = value
    } else {
        fields.append((name, value))
    }
    return fields
}

func slipLines(_ bytes: [UInt8]) -> [String] {
    ESCPOSDecoder().decode(bytes).lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

@Suite("Editing the directory on the staff pages")
struct StaffDirectoryEditTests {
    @Test("The whole example directory, and a service with every kind of schedule, are written and read back alike")
    func roundTrip() async throws {
        let pages = try await StaffPagesKiosk()
        let directory = pages.kiosk.kiosk.service.composer.directory
        try await pages.kiosk.stop()
        #expect(directory.services.count > 10)
        let again = DirectoryDecoder().decode(DirectoryWriter.oruk3(directory), format: .oruk3)
        #expect(again.errors.isEmpty, "\(again.errors)")
        #expect(again.directory == directory)

        let christmas = ScheduleClosure(start: LocalDate(iso: "2026-12-25")!, end: LocalDate(iso: "2026-12-26")!)
        let eve = ScheduleClosure(start: LocalDate(iso: "2026-12-24")!, end: LocalDate(iso: "2026-12-24")!)
        let service = DirectoryService(
            id: "svc-everything", name: "Everything <b>& more</b>", organization: "Org \"quoted\"",
            description: "Line one", status: .temporarilyClosed, url: "https://example.org/", email: "a@example.org",
            phones: ["0131 000 0000", "0800 111"], addresses: ["1 High Street, Town", "Hall"],
            schedules: [
                ServiceSchedule(
                    frequency: .weekly, byDay: [.init(weekday: .monday), .init(weekday: .friday)],
                    opensAt: LocalTime(hour: 9, minute: 0), closesAt: LocalTime(hour: 0, minute: 0),
                    closures: [
                        christmas, eve,
                    ]),
                ServiceSchedule(
                    frequency: .monthly, interval: 2, byDay: [.init(ordinal: -1, weekday: .friday)],
                    opensAt: LocalTime(hour: 18, minute: 30), closesAt: LocalTime(hour: 2, minute: 0),
                    start: LocalDate(iso: "2026-01-02"), until: LocalDate(iso: "2027-06-30"),
                    validFrom: LocalDate(iso: "2026-01-01"), validTo: LocalDate(iso: "2027-12-31"), note: "Bring ID",
                    weekStart: .sunday, opensAtUTCOffset: 3600, closesAtUTCOffset: -5400, closures: [christmas, eve]),
                ServiceSchedule(
                    frequency: .monthly, byMonthDay: [1, -1], opensAt: LocalTime(hour: 10, minute: 0),
                    closesAt: LocalTime(hour: 11, minute: 0), closures: [christmas, eve]),
                ServiceSchedule(frequency: .weekly, note: "By appointment", closures: [christmas, eve]),
                ServiceSchedule(
                    frequency: .daily, opensAt: LocalTime(hour: 10, minute: 0),
                    closesAt: LocalTime(hour: 14, minute: 0),
                    validFrom: eve.start, validTo: eve.end, opensAtUTCOffset: 0),
            ],
            taxonomyTerms: [
                TaxonomyTerm(id: "food-banks", code: "food-banks", term: "Food banks", vocabulary: "local"),
                TaxonomyTerm(id: "x"),
            ])
        let one = ServiceDirectory(services: [service])
        let read = DirectoryDecoder().decode(
            DirectoryWriter.oruk3(one), format: .oruk3, today: LocalDate(iso: "2026-12-01"))
        #expect(read.errors.isEmpty, "\(read.errors)")
        #expect(read.directory.services.first?.name == "Everything & more", "HTML is taken out, as from any file")
        var expected = service
        expected.name = "Everything & more"
        #expect(read.directory.services.first == expected)
    }

    @Test("A service's phone and opening times edited on the page: checked, used, and on the next slip")
    func editPhoneAndTimes() async throws {
        let pages = try await StaffPagesKiosk()
        let service = pages.kiosk.kiosk.service
        let before = service.composer.directory
        let target = try #require(before.services.first { $0.status == .active && !$0.schedules.isEmpty })
        try await Application(router: pages.site.router()).test(.live) { client in
            let cookie = try await client.signIn()
            let view = try await client.send(.get, "/directory/service?id=\(target.id)", cookie: cookie)
            #expect(view.status == .ok)
            #expect(String(buffer: view.body).contains(SVGChart.escape(target.name)))
            let form = try await client.send(.get, "/directory/edit?id=\(target.id)", cookie: cookie)
            #expect(form.status == .ok)
            var fields = editFields(String(buffer: form.body))
            #expect(fields.contains { $0.0 == "_csrf" })
            #expect(fields.contains { $0 == ("s0_original", "0") })
            fields = setting(fields, "phones", "0131 496 7777")
            fields = setting(fields, "s0_opens", "08:15")
            fields = setting(fields, "s0_closes", "11:45")
            let saved = try await client.send(.post, "/directory/save", form: formBody(fields), cookie: cookie)
            #expect(saved.status == .seeOther, "\(String(buffer: saved.body))")
            let edited = try #require(service.composer.directory.services.first { $0.id == target.id })
            #expect(edited.phones == ["0131 496 7777"])
            #expect(edited.schedules.first?.opensAt == LocalTime(hour: 8, minute: 15))
            #expect(edited.schedules.first?.closesAt == LocalTime(hour: 11, minute: 45))
            #expect(edited.schedules.first?.byDay == target.schedules.first?.byDay)
            // Nothing else changed: every other service is as it was.
            #expect(
                service.composer.directory.services.filter { $0.id != target.id }
                    == before.services.filter { $0.id != target.id })
            let lines = slipLines(service.previewBytes(serviceIDs: [target.id]))
            #expect(lines.contains { $0.contains("0131 496 7777") }, "\(lines)")
            let page = String(
                buffer: try await client.send(.get, saved.headers[.location] ?? "/", cookie: cookie).body)
            #expect(page.contains("Saved"))
            #expect(page.contains("08:15–11:45"))
        }
        try await pages.kiosk.stop()
    }

    @Test(
        "Two people edit one service: the second save, on a form opened before the first, is refused and undoes nothing"
    )
    func concurrentEdits() async throws {
        let pages = try await StaffPagesKiosk()
        let service = pages.kiosk.kiosk.service
        let target = try #require(
            service.composer.directory.services.first { $0.status == .active && !$0.schedules.isEmpty })
        try await Application(router: pages.site.router()).test(.live) { client in
            let cookie = try await client.signIn()
            let first = editFields(
                String(buffer: try await client.send(.get, "/directory/edit?id=\(target.id)", cookie: cookie).body))
            let second = first
            #expect(first.contains { $0.0 == "base" && $0.1.count == 16 })
            // The first person saves a new phone number.
            let saved = try await client.send(
                .post, "/directory/save", form: formBody(setting(first, "phones", "0131 496 1111")), cookie: cookie)
            #expect(saved.status == .seeOther)
            // The second, on the form opened before that, changes the opening times: refused, with what was typed.
            var typed = setting(second, "s0_opens", "07:30")
            typed = setting(typed, "name", "Renamed by the second")
            let refused = try await client.send(.post, "/directory/save", form: formBody(typed), cookie: cookie)
            #expect(refused.status == .conflict)
            let html = String(buffer: refused.body)
            #expect(html.contains("Not saved: this service was changed since you opened the form"), "\(html)")
            #expect(html.contains("Name: Renamed by the second"))
            #expect(html.contains("Opening times, row 1: "))
            #expect(html.contains("07:30"))
            #expect(html.contains("0131 496 1111"), "the form now shows the service as it is")
            let now = try #require(service.composer.directory.services.first { $0.id == target.id })
            #expect(now.phones == ["0131 496 1111"], "the first save stands")
            #expect(now.name == target.name && now.schedules == target.schedules)
            // The form as it came back saves: it is on the service as it is now.
            let again = setting(editFields(html), "s0_opens", "07:30")
            let resaved = try await client.send(.post, "/directory/save", form: formBody(again), cookie: cookie)
            #expect(resaved.status == .seeOther, "\(String(buffer: resaved.body))")
            let final = try #require(service.composer.directory.services.first { $0.id == target.id })
            #expect(final.phones == ["0131 496 1111"])
            #expect(final.schedules.first?.opensAt == LocalTime(hour: 7, minute: 30))
            // A form without its version (not the page's) is refused the same way.
            let bare = first.filter { $0.0 != "base" }
            let noBase = try await client.send(.post, "/directory/save", form: formBody(bare), cookie: cookie)
            #expect(noBase.status == .conflict)
        }
        try await pages.kiosk.stop()
    }

    @Test("A bad opening time is refused with its row and field named, what was typed kept, and nothing changed")
    func badTimes() async throws {
        let pages = try await StaffPagesKiosk()
        let service = pages.kiosk.kiosk.service
        let before = service.composer.directory
        let target = try #require(before.services.first { $0.status == .active && !$0.schedules.isEmpty })
        try await Application(router: pages.site.router()).test(.live) { client in
            let cookie = try await client.signIn()
            let form = try await client.send(.get, "/directory/edit?id=\(target.id)", cookie: cookie)
            let fields = editFields(String(buffer: form.body))
            for (opens, closes, says) in [
                ("09:00", "25:00", "schedules[0].closes_at: &quot;25:00&quot; is not a time of day"),
                ("10:00", "08:00", "schedules[0].closes_at: closes at 08:00, before it opens at 10:00"),
                ("nine", "17:00", "schedules[0].opens_at: &quot;nine&quot; is not a time of day"),
            ] {
                var typed = setting(fields, "s0_opens", opens)
                typed = setting(typed, "s0_closes", closes)
                typed = setting(typed, "phones", "0999 typed")
                let refused = try await client.send(.post, "/directory/save", form: formBody(typed), cookie: cookie)
                let html = String(buffer: refused.body)
                #expect(refused.status == .unprocessableContent)
                #expect(html.contains("Opening times, row 1"), "\(html)")
                #expect(html.contains(says), "\(says)")
                #expect(html.contains("Nothing was changed"))
                #expect(html.contains("value=\"\(SVGChart.escape(closes))\""), "what was typed is kept")
                #expect(html.contains("0999 typed"))
                #expect(service.composer.directory == before)
            }
            // A new row with days the reader does not know, and a row with times but no days.
            var typed = setting(fields, "s1_days", "MO XX")
            typed = setting(typed, "s1_opens", "09:00")
            typed = setting(typed, "s1_closes", "10:00")
            typed = setting(typed, "s2_opens", "09:00")
            typed = setting(typed, "s2_closes", "10:00")
            let refused = try await client.send(.post, "/directory/save", form: formBody(typed), cookie: cookie)
            let html = String(buffer: refused.body)
            let rows = target.schedules.count
            #expect(html.contains("&quot;XX&quot; is not a weekday rule"), "\(html)")
            #expect(html.contains("Opening times, row 2"))
            #expect(html.contains("schedules[\(rows + 1)].freq: has opening times but no freq or byday"))
            #expect(service.composer.directory == before)
            // A form that is not the page's: no crash, a clear message.
            let odd = try await client.send(
                .post, "/directory/save",
                form: formBody(
                    [("_csrf", try formToken(form)), ("id", target.id), ("rows", "-5"), ("status", "gone")]
                        + fields.filter { $0.0 == "base" }),
                cookie: cookie)
            #expect(odd.status == .unprocessableContent)
            #expect(String(buffer: odd.body).contains("is not one of"))
            let unknown = try await client.send(
                .post, "/directory/save", form: formBody([("_csrf", try formToken(form)), ("id", "no-such")]),
                cookie: cookie)
            #expect(String(buffer: unknown.body).contains("no longer in the directory"))
            #expect(service.composer.directory == before)
        }
        try await pages.kiosk.stop()
    }

    @Test("A deactivated service is gone from the slips; a new service is added and on them")
    func deactivateAndAdd() async throws {
        let pages = try await StaffPagesKiosk()
        let service = pages.kiosk.kiosk.service
        let food = NeedCode("food")
        let need = try #require(pages.kiosk.kiosk.setup.configuration.layout.needs.first { $0.code == food })
        let foodLines = slipLines(service.previewBytes(needs: [food]))
        let target = try #require(
            service.composer.directory.activeServices(for: need).first { name in
                foodLines.contains { $0.contains(name.name) }
            })
        try await Application(router: pages.site.router()).test(.live) { client in
            let cookie = try await client.signIn()
            let form = try await client.send(.get, "/directory/edit?id=\(target.id)", cookie: cookie)
            let fields = setting(editFields(String(buffer: form.body)), "status", "inactive")
            let saved = try await client.send(.post, "/directory/save", form: formBody(fields), cookie: cookie)
            #expect(saved.status == .seeOther, "\(String(buffer: saved.body))")
            #expect(service.composer.directory.services.first { $0.id == target.id }?.status == .inactive)
            #expect(!slipLines(service.previewBytes(needs: [food])).contains { $0.contains(target.name) })

            let blank = try await client.send(.get, "/directory/new", cookie: cookie)
            #expect(blank.status == .ok)
            var new = editFields(String(buffer: blank.body))
            new = setting(new, "name", "Brae \"Soup\" & Kitchen")
            new = setting(new, "phones", "0131 555 0101")
            new.append(("need", "food"))
            new = setting(new, "s0_days", "mon-wed")
            new = setting(new, "s0_opens", "12:00")
            new = setting(new, "s0_closes", "14:00")
            let added = try await client.send(.post, "/directory/save", form: formBody(new), cookie: cookie)
            #expect(added.status == .seeOther, "\(String(buffer: added.body))")
            let soup = try #require(service.composer.directory.services.first { $0.name == "Brae \"Soup\" & Kitchen" })
            #expect(soup.id.hasPrefix("local-"))
            #expect(soup.schedules.first?.byDay.map(\.weekday) == [.monday, .tuesday, .wednesday])
            #expect(soup.isTagged(withAnyOf: need.taxonomyTerms))
            #expect(service.composer.directory.activeServices(for: need).contains { $0.id == soup.id })
            let lines = slipLines(service.previewBytes(serviceIDs: [soup.id]))
            #expect(lines.contains { $0.contains("0131 555 0101") }, "\(lines)")
            let page = String(buffer: try await client.send(.get, "/directory", cookie: cookie).body)
            #expect(page.contains("Brae &quot;Soup&quot; &amp; Kitchen"))
            #expect(!page.contains("Brae \"Soup\" & Kitchen"))
        }
        try await pages.kiosk.stop()
    }

    @Test("Saving without the form's CSRF token is refused (403) and changes nothing")
    func csrf() async throws {
        let pages = try await StaffPagesKiosk()
        let service = pages.kiosk.kiosk.service
        let before = service.composer.directory
        let target = try #require(before.services.first)
        try await Application(router: pages.site.router()).test(.live) { client in
            let cookie = try await client.signIn()
            let form = try await client.send(.get, "/directory/edit?id=\(target.id)", cookie: cookie)
            let fields = setting(editFields(String(buffer: form.body)), "status", "inactive")
            let without = fields.filter { $0.0 != "_csrf" }
            let refused = try await client.send(.post, "/directory/save", form: formBody(without), cookie: cookie)
            #expect(refused.status == .forbidden)
            let wrong = setting(fields, "_csrf", "not-the-token")
            #expect(
                try await client.send(.post, "/directory/save", form: formBody(wrong), cookie: cookie).status
                    == .forbidden)
            let crossSite = try await client.send(
                .post, "/directory/save", form: formBody(fields), cookie: cookie, origin: "http://evil.example")
            #expect(crossSite.status == .forbidden)
            #expect(service.composer.directory == before)
        }
        try await pages.kiosk.stop()
    }
}
