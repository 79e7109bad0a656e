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
import KioskSimulator
import KioskStore
import KioskTestSupport
import KioskWeb
import Logging
import NIOCore
import Testing

/// The staff site of a kiosk on the simulator, in this process, with one staff user.
struct StaffPagesKiosk {
    let kiosk: InProcessKiosk
    let site: StaffSite
    let users: FileUserStore
    let folder = TemporaryDirectory()

    init() async throws {
        kiosk = try InProcessKiosk()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        users = FileUserStore(path: folder.file("staff.json"))
        let configuration = kiosk.kiosk.setup.configuration
        site = try StaffSite(
            service: kiosk.kiosk.service, database: kiosk.kiosk.database, layout: configuration.layout,
            hubName: configuration.hub.name, timeZone: configuration.hub.timeZone, sync: kiosk.kiosk.sync,
            directory: kiosk.kiosk.directory, simulator: kiosk.kiosk.simulator, users: users,
            setupCodes: SetupCodes(), secure: false, sessionIdle: 1800, receipts: ReceiptHTML(), passwordCost: 4,
            logger: logger)
        try await users.save(
            WebUser(
                name: "maria", role: StaffSite.staffRole, passwordHash: await Passwords.hash("tea urn on brae", cost: 4)
            ))
    }
}

extension TestClientProtocol {
    func send(
        _ method: HTTPRequest.Method, _ path: String, form: String? = nil, cookie: String? = nil,
        origin: String? = "http://localhost"
    ) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if form != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        if let origin, method == .post { headers[.origin] = origin }
        if let cookie { headers[.cookie] = cookie }
        return try await execute(uri: path, method: method, headers: headers, body: form.map { ByteBuffer(string: $0) })
    }

    /// Posts `file` to the directory import form (multipart, as a browser sends it), for its preview.
    func uploadDirectory(_ file: String, token: String, cookie: String) async throws -> TestResponse {
        let boundary = "hubkiosk-test-boundary"
        let body =
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(token)\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\nauto\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"new.json\"\r\n"
            + "Content-Type: application/json\r\n\r\n\(file)\r\n--\(boundary)--\r\n"
        return try await execute(
            uri: "/directory/import", method: .post,
            headers: [
                .contentType: "multipart/form-data; boundary=\(boundary)", .cookie: cookie, .origin: "http://localhost",
            ], body: ByteBuffer(string: body))
    }

    func signIn() async throws -> String {
        let response = try await send(.post, "/login", form: "name=maria&password=tea+urn+on+brae")
        let header = try #require(response.headers[.setCookie])
        return String(header.split(separator: ";")[0])
    }
}

func formToken(_ response: TestResponse) throws -> String {
    let html = String(buffer: response.body)
    let range = try #require(html.range(of: "name=\"_csrf\" value=\""))
    return String(html[range.upperBound...].prefix { $0 != "\"" })
}

@Suite("The staff pages of the daemon")
struct StaffPagesTests {
    @Test("Every route of the staff site but login, setup and static files needs a session")
    func routeWalk() async throws {
        let pages = try await StaffPagesKiosk()
        let router = pages.site.router()
        let routes = router.routes.map { (method: $0.method, path: "\($0.path)") }
        let paths = Set(routes.map(\.path))
        // The walk covers the routes that matter (a router with none would pass it).
        for expected in [
            "/", "/slip", "/slip/print", "/alerts/acknowledge", "/reports", "/export", "/sim", "/sim/press",
            "/directory",
        ] {
            #expect(paths.contains(expected), "\(expected) is not a route")
        }
        try await Application(router: router).test(.live) { client in
            for route in routes {
                let path = route.path.replacingOccurrences(of: "{id}", with: "x")
                let open = WebSite.publicPaths.contains { path == $0 || ($0.hasSuffix("/") && path.hasPrefix($0)) }
                let response = try await client.send(route.method, path, form: route.method == .post ? "" : nil)
                if open {
                    #expect(response.status != .seeOther || path == "/login", "\(route.method) \(path)")
                } else if route.method == .get || route.method == .head {
                    #expect(response.status == .seeOther, "\(route.method) \(path) without a session")
                    #expect(response.headers[.location]?.hasPrefix("/login?next=") == true, "\(path)")
                } else {
                    #expect(response.status == .forbidden, "\(route.method) \(path) without a session")
                }
            }
        }
        try await pages.kiosk.stop()
    }

    @Test(
        "A slip printed from the staff page: the preview is drawn from its bytes, the printer gets it, nothing counts")
    func printSlip() async throws {
        let pages = try await StaffPagesKiosk()
        let printer = try #require(pages.kiosk.kiosk.simulator).printer
        let before = printer.printedCount
        try await Application(router: pages.site.router()).test(.live) { client in
            let cookie = try await client.signIn()
            let preview = try await client.send(.get, "/slip?need=food", cookie: cookie)
            #expect(preview.status == .ok)
            let html = String(buffer: preview.body)
            #expect(html.contains("class=\"receipt\""))
            // Every line the printer would print is on the preview (escaped), e.g. the services for food.
            let lines = ESCPOSDecoder().decode(pages.kiosk.kiosk.service.previewBytes(needs: [NeedCode("food")])).lines
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            #expect(lines.count > 5)
            for line in lines { #expect(html.contains(SVGChart.escape(line)), "\(line)") }
            let token = try formToken(preview)
            let printed = try await client.send(.post, "/slip/print", form: "_csrf=\(token)&need=food", cookie: cookie)
            #expect(printed.status == .seeOther)
            await pages.kiosk.kiosk.service.waitUntilPrinted()
            #expect(printer.printedCount == before + 1)
            let after = try await client.send(.get, printed.headers[.location] ?? "/slip", cookie: cookie)
            #expect(String(buffer: after.body).contains("The slip is printing"))
            let status = try await pages.kiosk.kiosk.service.status()
            #expect(status.today.visits == 0)
        }
        try await pages.kiosk.stop()
    }

    @Test("A slip of services picked from the directory: the preview names them, the printer gets it")
    func servicesSlip() async throws {
        let pages = try await StaffPagesKiosk()
        let printer = try #require(pages.kiosk.kiosk.simulator).printer
        let services = pages.kiosk.kiosk.service.composer.directory.services.filter { $0.status == .active }
        let picked = try #require(services.dropFirst(3).first)
        try await Application(router: pages.site.router()).test(.live) { client in
            let cookie = try await client.signIn()
            let search = String(
                buffer: try await client.send(.get, "/slip?q=zzzz-no-such-service", cookie: cookie).body)
            #expect(!search.contains("name=\"service\""))
            let path = "/slip?service=" + (picked.id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            let preview = try await client.send(.get, path, cookie: cookie)
            let html = String(buffer: preview.body)
            #expect(html.contains(SVGChart.escape(picked.name)))
            let before = printer.printedCount
            let token = try formToken(preview)
            let form =
                "_csrf=\(token)&service="
                + (picked.id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            let printed = try await client.send(.post, "/slip/print", form: form, cookie: cookie)
            #expect(printed.status == .seeOther)
            #expect(printer.printedCount == before + 1)
            let lines = try #require(printer.printed.last).receipt.lines.joined(separator: "\n")
            #expect(lines.contains(picked.name.prefix(20)))
            // The bytes printed are the preview's.
            #expect(printer.printed.last?.bytes == pages.kiosk.kiosk.service.previewBytes(serviceIDs: [picked.id]))
            // An inactive service (a hand-made form) is on no slip: nothing prints.
            if let inactive = pages.kiosk.kiosk.service.composer.directory.services.first(where: {
                $0.status != .active
            }) {
                let id = inactive.id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                let refused = try await client.send(
                    .post, "/slip/print", form: "_csrf=\(token)&service=\(id)", cookie: cookie)
                #expect(refused.status == .seeOther)
                #expect(printer.printedCount == before + 1)
            } else {
                Issue.record("the example directory has no inactive service to try")
            }
        }
        try await pages.kiosk.stop()
    }

    @Test("Import a directory on the page: problems refuse it, a good file shows what changes, confirming uses it")
    func importDirectory() async throws {
        let pages = try await StaffPagesKiosk()
        let service = pages.kiosk.kiosk.service
        let original = try Data(contentsOf: Repository.root.appendingPathComponent("Simulator/directory.json"))
        let first = try #require(service.composer.directory.services.first)
        let text = String(decoding: original, as: UTF8.self).replacingOccurrences(
            of: "\"\(first.name)\"", with: "\"Renamed Service & Co\"")
        try await Application(router: pages.site.router()).test(.live) { client in
            let cookie = try await client.signIn()
            let token = try formToken(try await client.send(.get, "/directory", cookie: cookie))
            func upload(_ file: String) async throws -> TestResponse {
                try await client.uploadDirectory(file, token: token, cookie: cookie)
            }
            let broken = try await upload("{\"services\": [{\"id\": 1}")
            #expect(String(buffer: broken.body).contains("cannot be used; nothing was changed"))
            #expect(service.composer.directory.services.first?.name == first.name)
            let preview = try await upload(text)
            let html = String(buffer: preview.body)
            #expect(html.contains("Renamed Service &amp; Co"))
            #expect(!html.contains("Renamed Service & Co"))
            #expect(service.composer.directory.services.first?.name == first.name)
            let importToken = try #require(
                html.range(of: "name=\"token\" value=\"").map { String(html[$0.upperBound...].prefix { $0 != "\"" }) })
            let applied = try await client.send(
                .post, "/directory/import/apply", form: "_csrf=\(token)&token=\(importToken)", cookie: cookie)
            #expect(applied.status == .seeOther)
            #expect(service.composer.directory.services.contains { $0.name == "Renamed Service & Co" })
            let again = try await client.send(
                .post, "/directory/import/apply", form: "_csrf=\(token)&token=\(importToken)", cookie: cookie)
            #expect(again.status == .seeOther)
            let page = String(buffer: try await client.send(.get, "/directory", cookie: cookie).body)
            #expect(page.contains("expired"))
        }
        try await pages.kiosk.stop()
    }

    @Test("An import that takes most services off the slips is used only when staff tick that it is right")
    func importLossIsConfirmedOnThePage() async throws {
        let pages = try await StaffPagesKiosk()
        let service = pages.kiosk.kiosk.service
        let before = service.composer.directory
        let few = ServiceDirectory(services: Array(before.services.prefix(2)))
        let file = String(decoding: DirectoryWriter.oruk3(few), as: UTF8.self)
        try await Application(router: pages.site.router()).test(.live) { client in
            let cookie = try await client.signIn()
            let token = try formToken(try await client.send(.get, "/directory", cookie: cookie))
            func preview() async throws -> String {
                let html = String(buffer: try await client.uploadDirectory(file, token: token, cookie: cookie).body)
                #expect(html.contains("id=\"allow-loss\" required"), "\(html)")
                return try #require(
                    html.range(of: "name=\"token\" value=\"").map {
                        String(html[$0.upperBound...].prefix { $0 != "\"" })
                    })
            }
            // Not ticked (a form sent without the browser's check): not used, and the page says what to do.
            let refused = try await client.send(
                .post, "/directory/import/apply", form: "_csrf=\(token)&token=\(try await preview())", cookie: cookie)
            #expect(refused.status == .seeOther)
            let said = String(buffer: try await client.send(.get, "/directory", cookie: cookie).body)
            #expect(said.contains("Not used: this file takes more than 50 % of the services in use off the slips"))
            #expect(!said.contains("hubkiosk directory import"))
            #expect(service.composer.directory == before)
            // Ticked: used.
            let used = try await client.send(
                .post, "/directory/import/apply", form: "_csrf=\(token)&token=\(try await preview())&allow_loss=on",
                cookie: cookie)
            #expect(used.status == .seeOther)
            #expect(service.composer.directory.services.count == 2)
        }
        try await pages.kiosk.stop()
    }

    @Test("An import's warnings are shown before it is used; a service's holidays are on its page and its form")
    func importWarningsAndHolidays() async throws {
        let pages = try await StaffPagesKiosk()
        let service = pages.kiosk.kiosk.service
        var directory = service.composer.directory
        let christmas = ScheduleClosure(start: LocalDate(iso: "2026-12-25")!, end: LocalDate(iso: "2026-12-26")!)
        directory.services.append(
            DirectoryService(
                id: "svc-holidays", name: "Holiday Hall", status: .active, url: "https://hall.example/",
                schedules: [
                    ServiceSchedule(
                        frequency: .weekly, byDay: [.init(weekday: .monday)], opensAt: LocalTime(hour: 9, minute: 0),
                        closesAt: LocalTime(hour: 12, minute: 0), closures: [christmas])
                ]))
        // A misspelt field: a warning ("did you mean"), not a problem.
        let file = String(decoding: DirectoryWriter.oruk3(directory), as: UTF8.self).replacingOccurrences(
            of: "\"name\": \"Holiday Hall\"", with: "\"name\": \"Holiday Hall\", \"stauts\": \"active\"")
        #expect(file.contains("stauts"))
        try await Application(router: pages.site.router()).test(.live) { client in
            let cookie = try await client.signIn()
            let token = try formToken(try await client.send(.get, "/directory", cookie: cookie))
            let preview = try await client.uploadDirectory(file, token: token, cookie: cookie)
            let html = String(buffer: preview.body)
            #expect(html.contains("<h2>Warnings</h2>"), "\(html)")
            #expect(html.contains("did you mean status?"))
            let importToken = try #require(
                html.range(of: "name=\"token\" value=\"").map { String(html[$0.upperBound...].prefix { $0 != "\"" }) })
            let applied = try await client.send(
                .post, "/directory/import/apply", form: "_csrf=\(token)&token=\(importToken)", cookie: cookie)
            #expect(applied.status == .seeOther)
            let page = String(
                buffer: try await client.send(.get, "/directory/service?id=svc-holidays", cookie: cookie).body)
            #expect(page.contains("<dt>Holidays</dt>"), "\(page)")
            #expect(page.contains("2026-12-25"))
            let form = String(
                buffer: try await client.send(.get, "/directory/edit?id=svc-holidays", cookie: cookie).body)
            #expect(form.contains("Holidays (kept as they are)"))
        }
        try await pages.kiosk.stop()
    }

    @Test("The talk alert shows on the staff page with what to do, and acknowledging it clears it")
    func acknowledge() async throws {
        let pages = try await StaffPagesKiosk()
        let simulator = try #require(pages.kiosk.kiosk.simulator)
        try await Application(router: pages.site.router()).test(.live) { client in
            let cookie = try await client.signIn()
            let sim = try await client.send(.get, "/sim", cookie: cookie)
            let token = try formToken(sim)
            let pressed = try await client.send(.post, "/sim/press", form: "_csrf=\(token)&button=talk", cookie: cookie)
            #expect(pressed.status == .seeOther)
            _ = simulator
            let today = String(buffer: try await client.send(.get, "/", cookie: cookie).body)
            #expect(today.contains("Go over, then acknowledge"))
            let refused = try await client.send(
                .post, "/alerts/acknowledge", form: "_csrf=\(token)", cookie: cookie, origin: "http://evil.example")
            #expect(refused.status == .forbidden)
            #expect(try await pages.kiosk.kiosk.service.status().alerts.contains(.talk))
            let done = try await client.send(.post, "/alerts/acknowledge", form: "_csrf=\(token)", cookie: cookie)
            #expect(done.status == .seeOther)
            #expect(!(try await pages.kiosk.kiosk.service.status().alerts.contains(.talk)))
            let after = String(buffer: try await client.send(.get, "/", cookie: cookie).body)
            #expect(!after.contains("Go over, then acknowledge"))
        }
        try await pages.kiosk.stop()
    }

    @Test("The export is suppressed unless the box is cleared; a bad date is a clear error, not a crash")
    func export() async throws {
        let pages = try await StaffPagesKiosk()
        try await Application(router: pages.site.router()).test(.live) { client in
            let cookie = try await client.signIn()
            let sim = try await client.send(.get, "/sim", cookie: cookie)
            let token = try formToken(sim)
            _ = try await client.send(.post, "/sim/press", form: "_csrf=\(token)&button=food", cookie: cookie)
            let suppressed = try await client.send(.get, "/export?by=week&format=csv&suppress=on", cookie: cookie)
            #expect(suppressed.headers[.contentDisposition]?.contains("suppressed") == true)
            #expect(String(buffer: suppressed.body).contains("[c]"))
            let exact = try await client.send(.get, "/export?by=week&format=csv", cookie: cookie)
            #expect(!String(buffer: exact.body).contains("[c]"))
            let bad = try await client.send(.get, "/export?from=2026-13-45", cookie: cookie)
            #expect(bad.status == .badRequest)
            #expect(String(buffer: bad.body).contains("2026-13-45"))
        }
        try await pages.kiosk.stop()
    }
}

@Suite("The simulator's demo clock")
struct DemoClockTests {
    // Without the wake-up the sleeper would wait an hour: the time limit fails the test. No bound on how soon it
    // wakes (a loaded test run delays every sleep).
    @Test(
        "Moving it forward moves both clocks and wakes a sleeper whose deadline it passed",
        .timeLimit(.minutes(5)))
    func advance() async throws {
        let clock = DemoClock(base: SystemClock(trustWallClock: true))
        let start = clock.now
        let wall = clock.wall.date
        let sleeper = Task { try await clock.sleep(until: start + .seconds(3600)) }
        try await Task.sleep(for: .milliseconds(100))
        clock.advance(by: .seconds(3600))
        try await sleeper.value
        #expect(clock.now - start >= .seconds(3600))
        #expect(clock.wall.date.timeIntervalSince(wall) >= 3600)
        clock.advance(by: .seconds(-60))
        #expect(clock.advanced == .seconds(3600))
    }
}
