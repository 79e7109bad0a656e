import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

@testable import HubWeb

/// Users in memory, for the site's tests.
final class MemoryUsers: WebUserStore {
    let users = Mutex<[String: WebUser]>([:])
    func user(named name: String) async throws -> WebUser? { users.withLock { $0[name.lowercased()] } }
    func count() async throws -> Int { users.withLock { $0.count } }
    func save(_ user: WebUser) async throws { users.withLock { $0[user.name.lowercased()] = user } }
}

/// A small site with one page and one action behind the guard, the way the kiosk and hubreport build theirs.
final class TestSite: Sendable {
    let site: WebSite
    let codes = SetupCodes()
    let users = MemoryUsers()
    let acted = Mutex(0)
    static let host = "localhost"
    static let origin = "http://localhost"

    init(secure: Bool = false, throttle: LoginThrottle = LoginThrottle()) throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        site = try WebSite(
            settings: .init(
                name: "Test", secure: secure, setupHint: "Ask.",
                navigation: [NavigationLink("/", "Home")], passwordCost: 4),
            users: users, setupCodes: codes,
            templates: [
                "home":
                    "<p id=\"home\">Hello {{user}}</p><form method=\"post\" action=\"/act\"><input type=\"hidden\" name=\"_csrf\" value=\"{{csrf}}\"></form>"
            ],
            throttle: throttle, logger: logger)
    }

    func application() -> some ApplicationProtocol {
        let router = site.makeRouter()
        let site = site
        router.get("/") { _, context in
            site.page("home", title: "Home", session: context.session, values: ["user": context.session?.user ?? ""])
        }
        router.post("/act") { request, context in
            _ = try await site.form(request, context)
            self.acted.withLock { $0 += 1 }
            return WebSite.redirect("/")
        }
        return Application(router: router)
    }

    /// Adds a user with a password (cost 4: tests only).
    func addUser(_ name: String, _ password: String) async throws {
        try await users.save(WebUser(name: name, role: "staff", passwordHash: await Passwords.hash(password, cost: 4)))
    }
}

extension TestClientProtocol {
    func post(
        _ path: String, form: String, cookie: String? = nil, origin: String? = TestSite.origin
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let origin { headers[.origin] = origin }
        if let cookie { headers[.cookie] = cookie }
        return try await execute(
            uri: path, method: .post, headers: headers, body: ByteBuffer(string: form))
    }

    func get(_ path: String, cookie: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        return try await execute(uri: path, method: .get, headers: headers, body: nil)
    }
}

extension TestResponse {
    /// "name=value" of the Set-Cookie header.
    var cookie: String? { headers[.setCookie].flatMap { $0.split(separator: ";").first.map(String.init) } }
    var text: String { String(buffer: body) }
}

func csrf(in html: String) -> String? {
    guard let range = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
    return String(html[range.upperBound...].prefix { $0 != "\"" })
}

@Suite("The pages' sign-in, sessions and checks (HubWeb)")
struct WebSiteTests {
    @Test("Without a session a page redirects to the login page and a POST is refused; login and setup are open")
    func guarded() async throws {
        let test = try TestSite()
        try await test.application().test(.live) { client in
            let page = try await client.get("/")
            #expect(page.status == .seeOther)
            #expect(page.headers[.location] == "/login?next=%2F")
            let post = try await client.post("/act", form: "_csrf=x")
            #expect(post.status == .forbidden)
            #expect(try await client.get("/login").status == .ok)
            #expect(try await client.get("/setup").status == .ok)
            #expect(try await client.get("/static/site.css").status == .ok)
            #expect(test.acted.withLock { $0 } == 0)
        }
    }

    @Test("Every response has the security headers, errors and redirects too")
    func headers() async throws {
        let test = try TestSite()
        try await test.application().test(.live) { client in
            for path in ["/login", "/", "/no-such-page", "/static/site.css"] {
                let response = try await client.get(path)
                let policy = response.headers[.contentSecurityPolicy] ?? ""
                #expect(policy.contains("frame-ancestors 'none'"), "\(path)")
                #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"), "\(path)")
                #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(path)")
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", "\(path)")
            }
        }
    }

    @Test("Setup with the one-time code sets the first password and signs in; the code then no longer works")
    func setup() async throws {
        let test = try TestSite()
        let code = test.codes.issue(role: "staff")
        try await test.application().test(.live) { client in
            let weak = try await client.post(
                "/setup", form: "code=\(code.text)&name=maria&password=short&password2=short")
            #expect(weak.status == .badRequest)
            #expect(weak.text.contains("at least 10 characters"))
            let done = try await client.post(
                "/setup", form: "code=\(code.text)&name=maria&password=tea+urn+on+brae&password2=tea+urn+on+brae")
            #expect(done.status == .seeOther)
            let cookie = try #require(done.cookie)
            #expect(done.headers[.setCookie]?.contains("HttpOnly") == true)
            #expect(done.headers[.setCookie]?.contains("SameSite=Strict") == true)
            #expect(try await client.get("/", cookie: cookie).text.contains("Hello maria"))
            let again = try await client.post(
                "/setup", form: "code=\(code.text)&name=eve&password=tea+urn+on+brae&password2=tea+urn+on+brae")
            #expect(again.status == .unauthorized)
            #expect(try await test.users.user(named: "eve") == nil)
            let stored = try #require(try await test.users.user(named: "maria"))
            #expect(stored.passwordHash.hasPrefix("$2"))
            #expect(!stored.passwordHash.contains("tea"))
        }
    }

    @Test("A new session id at every login; logout ends the session on the server")
    func sessions() async throws {
        let test = try TestSite()
        try await test.addUser("maria", "tea urn on brae")
        try await test.application().test(.live) { client in
            let first = try #require(
                try await client.post("/login", form: "name=maria&password=tea+urn+on+brae").cookie)
            let second = try #require(
                try await client.post("/login", form: "name=maria&password=tea+urn+on+brae", cookie: first).cookie)
            #expect(first != second)
            #expect(try await client.get("/", cookie: first).status == .seeOther)
            let home = try await client.get("/", cookie: second)
            #expect(home.status == .ok)
            let token = try #require(csrf(in: home.text))
            let out = try await client.post("/logout", form: "_csrf=\(token)", cookie: second)
            #expect(out.status == .seeOther)
            #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await client.get("/", cookie: second).status == .seeOther)
        }
    }

    @Test("A POST without the session's CSRF token, or from another site, is refused and changes nothing")
    func csrfAndOrigin() async throws {
        let test = try TestSite()
        try await test.addUser("maria", "tea urn on brae")
        try await test.application().test(.live) { client in
            let cookie = try #require(
                try await client.post("/login", form: "name=maria&password=tea+urn+on+brae").cookie)
            let token = try #require(csrf(in: try await client.get("/", cookie: cookie).text))
            #expect(try await client.post("/act", form: "", cookie: cookie).status == .forbidden)
            #expect(try await client.post("/act", form: "_csrf=wrong", cookie: cookie).status == .forbidden)
            #expect(
                try await client.post("/act", form: "_csrf=\(token)", cookie: cookie, origin: "http://evil.test").status
                    == .forbidden)
            #expect(
                try await client.post("/act", form: "_csrf=\(token)", cookie: cookie, origin: nil).status == .forbidden)
            #expect(
                try await client.post("/login", form: "name=maria&password=tea+urn+on+brae", origin: "http://evil.test")
                    .status == .forbidden)
            // A browser's cross-site post: Sec-Fetch-Site says so, whatever the Origin.
            var crossSite: HTTPFields = [
                .contentType: "application/x-www-form-urlencoded", .cookie: cookie, .origin: "null",
            ]
            crossSite[HTTPField.Name("Sec-Fetch-Site")!] = "cross-site"
            #expect(
                try await client.execute(
                    uri: "/act", method: .post, headers: crossSite, body: ByteBuffer(string: "_csrf=\(token)")
                ).status == .forbidden)
            #expect(test.acted.withLock { $0 } == 0)
            // A same-origin form post under Referrer-Policy: no-referrer: Origin null, Sec-Fetch-Site same-origin.
            var sameSite = crossSite
            sameSite[HTTPField.Name("Sec-Fetch-Site")!] = "same-origin"
            #expect(
                try await client.execute(
                    uri: "/act", method: .post, headers: sameSite, body: ByteBuffer(string: "_csrf=\(token)")
                ).status == .seeOther)
            #expect(try await client.post("/act", form: "_csrf=\(token)", cookie: cookie).status == .seeOther)
            // Behind a TLS proxy: the browser's page is https://this host, the request plain HTTP on loopback.
            var proxied = sameSite
            proxied[.origin] = TestSite.origin.replacingOccurrences(of: "http://", with: "https://")
            #expect(
                try await client.execute(
                    uri: "/act", method: .post, headers: proxied, body: ByteBuffer(string: "_csrf=\(token)")
                ).status == .seeOther)
            // Another host over https is still another site.
            proxied[.origin] = "https://evil.test"
            #expect(
                try await client.execute(
                    uri: "/act", method: .post, headers: proxied, body: ByteBuffer(string: "_csrf=\(token)")
                ).status == .forbidden)
            #expect(test.acted.withLock { $0 } == 3)
        }
    }

    @Test("Wrong passwords lock a client out for longer and longer; the right one waits too")
    func lockout() async throws {
        let test = try TestSite(throttle: LoginThrottle(freeAttempts: 3, firstLockout: 60))
        try await test.addUser("maria", "tea urn on brae")
        try await test.application().test(.live) { client in
            for _ in 0..<2 {
                #expect(try await client.post("/login", form: "name=maria&password=guess").status == .unauthorized)
            }
            let third = try await client.post("/login", form: "name=maria&password=guess")
            #expect(third.text.contains("Wait 1 minutes") || third.text.contains("Wait 60 seconds"))
            let locked = try await client.post("/login", form: "name=maria&password=tea+urn+on+brae")
            #expect(locked.status == .tooManyRequests)
            #expect(locked.cookie == nil)
        }
        let throttle = LoginThrottle(freeAttempts: 2, firstLockout: 10, longestLockout: 100)
        let now = Date()
        #expect(throttle.failed("a", now: now) == nil)
        #expect(throttle.failed("a", now: now) == 10)
        #expect(throttle.failed("a", now: now) == 20)
        #expect(throttle.failed("a", now: now) == 40)
        for _ in 0..<5 { throttle.failed("a", now: now) }
        #expect(throttle.wait(for: "a", now: now) == 100)
        #expect(throttle.wait(for: "b", now: now) == nil)
    }

    @Test("Over HTTPS the cookie is Secure and __Host- prefixed")
    func secureCookie() async throws {
        let test = try TestSite(secure: true)
        try await test.addUser("maria", "tea urn on brae")
        try await test.application().test(.live) { client in
            let response = try await client.post(
                "/login", form: "name=maria&password=tea+urn+on+brae", origin: "https://localhost")
            let header = try #require(response.headers[.setCookie])
            #expect(header.hasPrefix("__Host-hub-session="))
            #expect(header.contains("; Secure"))
            #expect(header.contains("Path=/"))
        }
    }

    @Test("Sessions end after the idle time")
    func idle() {
        let store = SessionStore(idleTimeout: 60, lifetime: 3600)
        let now = Date()
        let session = store.start(user: "maria", role: "staff", now: now)
        #expect(store.session(id: session.id, now: now.addingTimeInterval(50)) != nil)
        #expect(store.session(id: session.id, now: now.addingTimeInterval(105)) != nil)
        #expect(store.session(id: session.id, now: now.addingTimeInterval(200)) == nil)
    }

    @Test("Passwords: too short, too common, the user's name, too long for bcrypt are refused")
    func passwordRules() {
        #expect(Passwords.problem(with: "short", user: "maria") != nil)
        #expect(Passwords.problem(with: "password123", user: "maria") != nil)
        #expect(Passwords.problem(with: "maria-is-here", user: "maria") != nil)
        #expect(Passwords.problem(with: String(repeating: "ab", count: 40), user: "maria") != nil)
        #expect(Passwords.problem(with: "tea urn on brae", user: "maria") == nil)
        #expect(Passwords.cost >= 12)
    }
}
