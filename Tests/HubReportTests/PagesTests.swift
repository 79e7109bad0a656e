import Foundation
import HTTPTypes
import HubReport
import HubReportAPI
import HubWeb
import Hummingbird
import KioskCore
import Testing

/// The coordinators' pages through the real listener: sessions on every route, sign-in, CSRF and Origin checks,
/// roles, exports and the audit log.
@Suite struct PagesTests {
    /// Every registered route needs a session, except the login and setup pages and the static files.
    @Test func everyRouteButThePublicOnesNeedsASession() async throws {
        try await PagesFixture.run { fixture in
            let routes = fixture.pages.makeRouter().routes
            #expect(routes.count >= 10, "the router lists its routes")
            for route in routes {
                let path = route.path.description.replacingOccurrences(of: "{id}", with: "north")
                if WebSite.publicPaths.contains(where: { path == $0 || ($0.hasSuffix("/") && path.hasPrefix($0)) }) {
                    continue
                }
                switch route.method {
                case .get, .head:
                    let response = try await fixture.get(path)
                    #expect(response.status == 303, "GET \(path)")
                    #expect(response.headers["location"]?.hasPrefix("/login") == true, "GET \(path)")
                default:
                    let response = try await fixture.post(path, [:])
                    #expect(response.status == 403, "\(route.method) \(path)")
                }
            }
            #expect(try await fixture.get("/login").status == 200)
            #expect(try await fixture.get("/static/site.css").status == 200)
        }
    }

    @Test func aPasswordSetWithACodeSignsInAndAWrongOneIsRefusedThenLockedOut() async throws {
        try await PagesFixture.run { fixture in
            let browser = try await fixture.signIn("ann", role: .coordinator)
            let hubs = try await fixture.get("/", cookie: browser.cookie)
            #expect(hubs.status == 200)
            #expect(String(decoding: hubs.body, as: UTF8.self).contains("Enrol a hub"))
            // The code was used: a second setup with it fails.
            #expect(try await fixture.store.hasOpenSetupCode(now: fixture.clock.unix) == false)
            let good = try await fixture.post("/login", ["name": "ANN", "password": "correct horse battery"])
            #expect(good.status == 303)
            #expect(good.headers["set-cookie"]?.contains("HttpOnly") == true)
            for attempt in 1...5 {
                let wrong = try await fixture.post("/login", ["name": "ann", "password": "wrong password \(attempt)"])
                #expect(wrong.status == 401, "attempt \(attempt)")
            }
            let locked = try await fixture.post("/login", ["name": "ann", "password": "correct horse battery"])
            #expect(locked.status == 429)
        }
    }

    @Test func aFormWithoutItsTokenOrFromAnotherSiteIsRefused() async throws {
        try await PagesFixture.run { fixture in
            try await fixture.seed()
            let browser = try await fixture.signIn("ann", role: .coordinator)
            let fields = ["from": "2026-11-30", "to": "2026-12-01", "by": "day", "format": "csv"]
            let hubs = [("hub", "north")]
            let noToken = try await fixture.post("/export", fields, extra: hubs, browser: browser, csrf: false)
            #expect(noToken.status == 403)
            let crossSite = try await fixture.post(
                "/export", fields, extra: hubs, browser: browser, origin: "http://evil.example")
            #expect(crossSite.status == 403)
            let enrol = try await fixture.post(
                "/enrol", ["id": "east", "name": "East"], browser: browser, origin: "http://evil.example")
            #expect(enrol.status == 403)
            #expect(try await fixture.store.hubs().map(\.id) == ["north", "south"])
            let fine = try await fixture.post("/export", fields, extra: hubs, browser: browser)
            #expect(fine.status == 200)
        }
    }

    @Test func aViewerCannotExportExactCountsOrEnrol() async throws {
        try await PagesFixture.run { fixture in
            try await fixture.seed()
            let viewer = try await fixture.signIn("val", role: .viewer)
            let exact = try await fixture.post(
                "/export",
                [
                    "from": "2026-12-01", "to": "2026-12-01", "by": "day", "format": "csv", "exact": "yes",
                    "confirm": "yes",
                ], extra: [("hub", "north")], browser: viewer)
            #expect(exact.status == 403)
            #expect(try await fixture.get("/enrol", cookie: viewer.cookie).status == 403)
            let enrol = try await fixture.post("/enrol", ["id": "east", "name": "East"], browser: viewer)
            #expect(enrol.status == 403)
            #expect(try await fixture.store.hubs().count == 2)
            // Viewers see suppressed counts even when they ask for exact ones.
            let page = String(decoding: try await fixture.get("/?exact=1", cookie: viewer.cookie).body, as: UTF8.self)
            #expect(page.contains("Counts are suppressed"))
            #expect(!page.contains(">56<"), "north's exact 56 visits this week")
            #expect(page.contains(">55<"), "north's 56 visits rounded")
        }
    }

    @Test func aCoordinatorsExactExportIsInTheAuditLog() async throws {
        try await PagesFixture.run { fixture in
            try await fixture.seed()
            let browser = try await fixture.signIn("ann", role: .coordinator)
            let fields = ["from": "2026-12-01", "to": "2026-12-01", "by": "day", "format": "csv", "exact": "yes"]
            let unconfirmed = try await fixture.post("/export", fields, extra: [("hub", "north")], browser: browser)
            #expect(unconfirmed.status == 400)
            #expect(try await fixture.store.auditLog(limit: 50).allSatisfy { !$0.action.contains("exact") })
            var confirmed = fields
            confirmed["confirm"] = "yes"
            let response = try await fixture.post("/export", confirmed, extra: [("hub", "north")], browser: browser)
            #expect(response.status == 200)
            let csv = String(decoding: response.body, as: UTF8.self)
            #expect(csv.contains(",56,"), "north's exact visits: \(csv)")
            let log = try await fixture.store.auditLog(limit: 50)
            #expect(log.contains { $0.user == "ann" && $0.action.contains("exported exact counts") })
        }
    }

    @Test func theSuppressedExportIsReportExportsSuppressedOutput() async throws {
        try await PagesFixture.run { fixture in
            try await fixture.seed()
            let browser = try await fixture.signIn("val", role: .viewer)
            let response = try await fixture.post(
                "/export", ["from": "2026-11-30", "to": "2026-12-02", "by": "week", "format": "csv"],
                extra: [("hub", "north"), ("hub", "south")], browser: browser)
            #expect(response.status == 200)
            #expect(response.headers["content-disposition"]?.contains("attachment") == true)
            let from = LocalDate(year: 2026, month: 11, day: 30)!
            let to = LocalDate(year: 2026, month: 12, day: 2)!
            let expected = try ReportExport(
                buckets: try await fixture.store.buckets(BucketQuery(from: from, to: to, resolution: .day)),
                hubs: try await fixture.store.hubs(), partnership: .example, grouping: .week, from: from, to: to)
            #expect(String(decoding: response.body, as: UTF8.self) == expected.csv(exact: false))
            #expect(expected.csv(exact: false).contains("[c]"))
        }
    }

    @Test func badExportFieldsAreNamed() async throws {
        try await PagesFixture.run { fixture in
            try await fixture.seed()
            let browser = try await fixture.signIn("ann", role: .coordinator)
            let response = try await fixture.post(
                "/export", ["from": "2026-13-01", "to": "2026-12-01", "by": "day", "format": "csv"],
                extra: [("hub", "north")], browser: browser)
            #expect(response.status == 400)
            #expect(String(decoding: response.body, as: UTF8.self).contains("From: "))
        }
    }

    @Test func aCoordinatorEnrolsAHubAndSeesItsCodeOnce() async throws {
        try await PagesFixture.run { fixture in
            let browser = try await fixture.signIn("ann", role: .coordinator)
            let bad = try await fixture.post("/enrol", ["id": "Bad Id", "name": "East"], browser: browser)
            #expect(bad.status == 400)
            #expect(String(decoding: bad.body, as: UTF8.self).contains("Hub id"))
            let response = try await fixture.post("/enrol", ["id": "east", "name": "East"], browser: browser)
            #expect(response.status == 200)
            let page = String(decoding: response.body, as: UTF8.self)
            #expect(page.contains("hubkiosk sync enrol http://127.0.0.1:\(fixture.client.port) "))
            #expect(try await fixture.store.hubs().map(\.id) == ["east"])
            #expect(try await fixture.store.auditLog(limit: 10).contains { $0.action.contains("hub east") })
        }
    }

    @Test func chartsShowEveryHub() async throws {
        try await PagesFixture.run { fixture in
            try await fixture.seed()
            let browser = try await fixture.signIn("ann", role: .coordinator)
            let page = String(decoding: try await fixture.get("/charts", cookie: browser.cookie).body, as: UTF8.self)
            #expect(page.contains("Hub north") && page.contains("Hub south"))
            #expect(page.contains("<svg"))
            #expect(page.contains("<table>"))
            let hub = try await fixture.get("/hubs/north", cookie: browser.cookie)
            #expect(hub.status == 200)
            // North had 3 visits at 09:00: suppressed, its bar an outline saying so, never 3 and never 0.
            #expect(SVGChart.suppressedMarker == TallyCell.suppressedMarker)
            let suppressed = String(decoding: hub.body, as: UTF8.self)
            #expect(suppressed.contains("<title>09: [c], 1 to 7</title>"))
            #expect(!suppressed.contains("<title>09: 3</title>") && !suppressed.contains("<title>09: 0</title>"))
            #expect(suppressed.contains("<title>11: 40</title>"), "41 rounded to the nearest 5")
            let exact = try await fixture.get("/hubs/north?exact=1", cookie: browser.cookie)
            #expect(String(decoding: exact.body, as: UTF8.self).contains("<title>09: 3</title>"))
            #expect(try await fixture.get("/hubs/nowhere", cookie: browser.cookie).status == 404)
        }
    }
}

/// The users, setup codes and audit log of each engine.
@Suite struct AccountStoreTests {
    @Test(arguments: StoreEngine.all)
    func setupCodesWorkOnceAndExpire(engine: StoreEngine) async throws {
        try await engine.withStore { store, _ in
            let (user, created) = try await store.issueSetupCode(
                user: "Ann", role: .coordinator, codeHash: SetupCode.hash("AAAA-BBBB-CCCC"), now: 1000,
                expiresAt: 1000 + SetupCode.lifetime)
            #expect(created && user.name == "Ann" && user.passwordHash == nil)
            #expect(try await store.hasOpenSetupCode(now: 1001))
            #expect(try await store.useSetupCode(codeHash: SetupCode.hash("aaaa bbbb cccc"), now: 1002)?.user == "Ann")
            #expect(try await store.useSetupCode(codeHash: SetupCode.hash("AAAA-BBBB-CCCC"), now: 1003) == nil)
            // A reset: the new code replaces the unused one, and the role changes.
            _ = try await store.issueSetupCode(
                user: "ann", role: .viewer, codeHash: SetupCode.hash("DDDD"), now: 2000, expiresAt: 2100)
            let second = try await store.issueSetupCode(
                user: "ann", role: .viewer, codeHash: SetupCode.hash("EEEE"), now: 2001, expiresAt: 2100)
            #expect(!second.created && second.user.role == .viewer)
            #expect(try await store.useSetupCode(codeHash: SetupCode.hash("DDDD"), now: 2002) == nil)
            #expect(try await store.useSetupCode(codeHash: SetupCode.hash("EEEE"), now: 2200) == nil, "expired")
            #expect(try await store.hasOpenSetupCode(now: 2200) == false)
            try await store.setPassword(user: "Ann", role: .viewer, hash: "$2b$04$hash", now: 3000)
            #expect(try await store.user(named: "ANN")?.passwordHash == "$2b$04$hash")
            #expect(try await store.users().map(\.name) == ["Ann"])
            try await store.audit(AuditEntry(time: 1, user: "Ann", action: "first"))
            try await store.audit(AuditEntry(time: 2, user: "", action: "second"))
            #expect(try await store.auditLog(limit: 1) == [AuditEntry(time: 2, user: "", action: "second")])
            let web = ReportWebUsers(store)
            #expect(try await web.user(named: "ann")?.role == "viewer")
            await #expect(throws: WebUserStoreError.self) {
                try await web.save(WebUser(name: "x", role: "admin", passwordHash: "h"))
            }
        }
    }
}
