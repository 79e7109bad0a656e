import Foundation
import HubReport
import HubReportAPI
import HubWeb
import KioskCore
import Logging
import ServiceLifecycle

/// The real service with its pages on 127.0.0.1 (an ephemeral port), on a fresh store, with a cheap bcrypt cost.
struct PagesFixture: Sendable {
    let store: any ReportStore & ReportAccounts
    let pages: ReportPages
    let clock: TestClock
    let client: RawHTTPClient

    var origin: String { "http://127.0.0.1:\(client.port)" }

    static func run(engine: StoreEngine = .sqlite, _ body: @Sendable (PagesFixture) async throws -> Void) async throws {
        try await engine.withStore { store, _ in
            let clock = TestClock()
            var logger = Logger(label: "hubreport-test")
            logger.logLevel = .critical
            var settings = ReportServer.Settings()
            settings.port = 0
            let server = ReportServer(
                store: store, partnership: .example, settings: settings, logger: logger, clock: { clock.now })
            let pages = try ReportPages(
                store: store, partnership: .example, secure: false, logger: logger, passwordCost: 4,
                clock: { clock.now })
            let (ports, portContinuation) = AsyncStream<Int>.makeStream()
            try await ServiceFixture.serving(
                [try server.application(pages: pages, onRunning: { portContinuation.yield($0) }), pages.audit],
                ports: ports, logger: logger
            ) { port in
                try await body(
                    PagesFixture(store: store, pages: pages, clock: clock, client: RawHTTPClient(port: port)))
            }
        }
    }

    /// A signed-in browser: its session cookie and the CSRF token of its pages.
    struct Browser: Sendable {
        var cookie: String
        var csrf: String
    }

    enum PagesError: Error { case noCookie(Int), noToken }

    /// `hubreport user add NAME --role ROLE`, then the setup page with the code: signed in.
    func signIn(_ name: String, role: ReportRole, password: String = "correct horse battery") async throws -> Browser {
        let code = SetupCode.make()
        _ = try await store.issueSetupCode(
            user: name, role: role, codeHash: SetupCode.hash(code), now: clock.unix,
            expiresAt: clock.unix + SetupCode.lifetime)
        let response = try await post(
            "/setup", ["code": code, "name": name, "password": password, "password2": password])
        guard let cookie = response.headers["set-cookie"]?.split(separator: ";").first.map(String.init),
            response.status == 303
        else { throw PagesError.noCookie(response.status) }
        let page = try await get("/", cookie: cookie)
        guard let csrf = Self.token(in: String(decoding: page.body, as: UTF8.self)) else { throw PagesError.noToken }
        return Browser(cookie: cookie, csrf: csrf)
    }

    func get(_ path: String, cookie: String? = nil) async throws -> RawResponse {
        try await client.send("GET", path, headers: cookie.map { [("Cookie", $0)] } ?? [])
    }

    /// A form POST from this site (its Origin) unless `origin` says otherwise.
    func post(
        _ path: String, _ fields: [String: String], extra: [(String, String)] = [], browser: Browser? = nil,
        csrf: Bool = true, origin: String? = nil
    ) async throws -> RawResponse {
        var all = fields.map { ($0.key, $0.value) }
        if let browser, csrf { all.append(("_csrf", browser.csrf)) }
        all += extra
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var headers = [
            ("Content-Type", "application/x-www-form-urlencoded"), ("Origin", origin ?? self.origin),
        ]
        if let browser { headers.append(("Cookie", browser.cookie)) }
        return try await client.send("POST", path, headers: headers, body: Data(body.utf8))
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    static func token(in html: String) -> String? {
        guard let range = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// Two enrolled hubs with a few hour buckets on 2026-12-01 (the fixture clock's day).
    func seed() async throws {
        for (id, visits) in [("north", [3, 12, 41]), ("south", [9, 1, 22])] {
            let code = EnrolmentCode.make()
            _ = try await store.addHub(
                id: id, name: "Hub \(id)", codeHash: EnrolmentCode.hash(code), now: clock.unix,
                expiresAt: clock.unix + EnrolmentCode.lifetime)
            _ = try await store.enrol(
                codeHash: EnrolmentCode.hash(code), publicKey: HubPrivateKey().publicKey, kioskVersion: "hubkiosk 0.1",
                now: clock.unix)
            let buckets = visits.enumerated().map { index, count in
                Batches.bucket(hour: 9 + index, revision: 1, visits: count, needs: ["food": count / 2, "money": 1])
            }
            _ = try await store.merge(Batches.batch(id, buckets), now: clock.unix)
        }
    }
}
