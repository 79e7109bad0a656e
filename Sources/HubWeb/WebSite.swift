import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import Mustache
import NIOCore
import Synchronization

/// Where one-time setup codes come from: the kiosk keeps them in memory (and prints them), hubreport in its
/// database (issued by `hubreport user add` in another process).
public protocol SetupCodeSource: Sendable {
    /// Whether a code is open (the setup page offers its form only then).
    func isOpen(now: Date) async -> Bool
    /// Uses the code if `text` is it and it is still good; once used, it is gone.
    func consume(_ text: String, now: Date) async -> SetupCodes.Code?
}

extension SetupCodes: SetupCodeSource {
    public func isOpen(now: Date) async -> Bool { pending(now: now) != nil }
    public func consume(_ text: String, now: Date) async -> Code? { use(text, now: now) }
}

/// A link of a site's navigation, shown to the roles that may follow it.
public struct NavigationLink: Sendable {
    public var path: String
    public var label: String
    public var roles: Set<String>?

    public init(_ path: String, _ label: String, roles: Set<String>? = nil) {
        self.path = path
        self.label = label
        self.roles = roles
    }
}

/// One site's pages for people: sign-in, setup with a one-time code, sessions, and the checks every route gets.
///
/// - Every route but `/login`, `/setup`, `/static/…` needs a live session (the guard redirects to the login page,
///   or refuses a POST with 403).
/// - Every POST, PUT, PATCH and DELETE must come from this site (`Origin`, else `Sec-Fetch-Site`), and every form
///   of a session carries its CSRF token.
/// - Every response has the security headers (``SecurityHeaders``).
public final class WebSite: Sendable {
    public struct Settings: Sendable {
        /// "HubKiosk staff", "HubReport": the first words of every page's title.
        public var name: String
        /// Served over HTTPS: the cookie is `Secure` and `__Host-` prefixed.
        public var secure: Bool
        /// What to do when no setup code is open (the setup page says it).
        public var setupHint: String
        public var navigation: [NavigationLink]
        /// The cost of new password hashes (12 or more outside tests).
        public var passwordCost: UInt8

        public init(
            name: String, secure: Bool, setupHint: String, navigation: [NavigationLink],
            passwordCost: UInt8 = Passwords.cost
        ) {
            self.name = name
            self.secure = secure
            self.setupHint = setupHint
            self.navigation = navigation
            self.passwordCost = passwordCost
        }
    }

    public let settings: Settings
    public let sessions: SessionStore
    public let throttle: LoginThrottle
    public let users: any WebUserStore
    public let setupCodes: any SetupCodeSource
    public let logger: Logger
    let library: MustacheLibrary
    let clock: @Sendable () -> Date
    let flashes = Mutex<[String: String]>([:])
    /// Called after a user signs in, sets a password, or fails to (for an audit log).
    let audit: @Sendable (String) -> Void

    /// Whether the request being answered is the page's script refreshing its live parts (`X-Live-Refresh: 1`).
    @TaskLocal static var isLiveRefresh = false

    /// The paths anyone may reach: the login and setup pages and the static files.
    public static let publicPaths: [String] = ["/login", "/setup", "/static/"]

    public var cookieName: String { settings.secure ? "__Host-hub-session" : "hub-session" }

    /// - Parameter templates: the site's own templates by name (each renders the inside of `<main>`).
    public init(
        settings: Settings, users: any WebUserStore, setupCodes: any SetupCodeSource, templates: [String: String],
        sessions: SessionStore = SessionStore(), throttle: LoginThrottle = LoginThrottle(), logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }, audit: (@Sendable (String) -> Void)? = nil
    ) throws {
        self.settings = settings
        self.users = users
        self.setupCodes = setupCodes
        self.sessions = sessions
        self.throttle = throttle
        self.logger = logger
        self.clock = clock
        self.audit = audit ?? { message in logger.notice("\(message)") }
        var library = MustacheLibrary()
        for (name, text) in SiteTemplates.shared.merging(templates, uniquingKeysWith: { $1 }) {
            try library.register(text, named: name)
        }
        self.library = library
    }

    // MARK: - Router

    /// A router with the security headers, the public routes (login, setup, static files) and, for every route
    /// added to it afterwards, the session guard.
    public func makeRouter() -> Router<WebContext> {
        let router = Router(context: WebContext.self)
        router.add(middleware: SecurityHeaders(site: self))
        router.add(middleware: PublicOriginCheck(site: self))
        router.get("/static/site.css") { _, _ in Self.asset(SiteAssets.css, type: "text/css; charset=utf-8") }
        router.get("/static/live.js") { _, _ in Self.asset(SiteAssets.liveScript, type: "text/javascript") }
        router.get("/login") { request, context in
            if let session = self.session(of: request) { return Self.redirect(self.next(request, session)) }
            return self.loginPage(request: request, context: context)
        }
        router.post("/login") { request, context in try await self.login(request, context) }
        router.get("/setup") { request, _ in await self.setupPage(values: [:]) }
        router.post("/setup") { request, context in try await self.setup(request, context) }
        router.add(middleware: SessionGuard(site: self))
        router.post("/logout") { request, context in
            let form = try await self.form(request, context)
            if let session = context.session {
                self.sessions.end(id: session.id)
                self.audit("\(session.user) signed out")
            }
            _ = form
            var response = Self.redirect("/login")
            response.headers[.setCookie] =
                "\(self.cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
                + (self.settings.secure ? "; Secure" : "")
            return response
        }
        return router
    }

    // MARK: - Handlers for the site's routes

    /// The form of a POST from a signed-in page, its CSRF token checked (a mismatch is an ``HTTPError`` 403).
    public func form(_ request: Request, _ context: WebContext, limit: Int = 64 << 10) async throws -> WebForm {
        let form: WebForm
        do {
            form = try await WebForm.read(request, limit: limit)
        } catch {
            throw HTTPError(.contentTooLarge, message: error.description)
        }
        guard let session = context.session else { throw HTTPError(.forbidden, message: "Sign in first.") }
        guard let token = form["_csrf"], constantTimeEqual(token, session.csrfToken) else {
            throw HTTPError(
                .forbidden,
                message:
                    "This form is out of date or was not sent from this site. Go back, reload the page and try again.")
        }
        return form
    }

    /// Refuses (403) a session whose role is not one of `roles`.
    public func require(_ roles: Set<String>, _ context: WebContext) throws -> WebSession {
        guard let session = context.session else { throw HTTPError(.forbidden, message: "Sign in first.") }
        guard roles.contains(session.role) else {
            throw HTTPError(.forbidden, message: "Your role (\(session.role)) may not do this; ask a coordinator.")
        }
        return session
    }

    /// Keeps `message` for the session's next page (after a redirect).
    public func flash(_ message: String, for session: WebSession) {
        flashes.withLock { $0[session.id] = message }
    }

    /// A whole page: `template` rendered with `values` inside the site's layout.
    public func page(
        _ template: String, title: String, session: WebSession?, values: [String: Any] = [:],
        status: HTTPResponse.Status = .ok, error: String? = nil, current: String? = nil, events: String? = nil
    ) -> Response {
        var values = values
        values["csrf"] = session?.csrfToken ?? ""
        let body = library.render(values, withTemplate: template) ?? ""
        var layout: [String: Any] = [
            "title": title, "site": settings.name, "body": body,
        ]
        if let session {
            layout["user"] = session.user
            layout["role"] = session.role
            layout["csrf"] = session.csrfToken
            layout["nav"] = settings.navigation.filter { $0.roles?.contains(session.role) ?? true }.map {
                ["path": $0.path, "label": $0.label, "current": $0.path == current] as [String: Any]
            }
            // A live refresh (the page's script fetching it again) leaves the notice for the page a person opens.
            if !Self.isLiveRefresh, let notice = flashes.withLock({ $0.removeValue(forKey: session.id) }) {
                layout["notice"] = notice
            }
        }
        if let error { layout["error"] = error }
        if let events { layout["events"] = events }
        return Self.html(library.render(layout, withTemplate: "layout") ?? "", status: status)
    }

    /// The page for an error (an ``HTTPError`` a handler threw, a 404).
    func errorPage(status: HTTPResponse.Status, message: String, session: WebSession?) -> Response {
        page(
            "error", title: status.code == 404 ? "Not found" : "Cannot do that", session: session,
            values: ["message": message, "code": status.code], status: status)
    }

    // MARK: - Sign-in

    func loginPage(
        request: Request, context: WebContext, error: String? = nil, status: HTTPResponse.Status = .ok
    )
        -> Response
    {
        let next = request.uri.queryParameters["next"].map(String.init).flatMap(Self.localPath) ?? "/"
        return page(
            "login", title: "Sign in", session: nil, values: ["next": next], status: status, error: error)
    }

    func login(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = (try? await WebForm.read(request, limit: 16 << 10)) ?? WebForm()
        let next = form["next"].flatMap(Self.localPath) ?? "/"
        let values: [String: Any] = ["next": next, "name": form["name"] ?? ""]
        let now = clock()
        if let wait = throttle.wait(for: context.peer, now: now) {
            return page(
                "login", title: "Sign in", session: nil, values: values, status: .tooManyRequests,
                error: "Too many tries from this device. Wait \(LoginThrottle.describe(wait)), then try again.")
        }
        let name = form["name"] ?? ""
        let password = form.fields["password"]?.first ?? ""
        let user = try? await users.user(named: name)
        guard await Passwords.verify(password, hash: user?.passwordHash), let user else {
            let lockout = throttle.failed(context.peer, now: now)
            audit("failed sign-in for \"\(name.prefix(64))\" from \(context.peer)")
            let message =
                lockout.map { "The name or password is wrong. Wait \(LoginThrottle.describe($0)) before trying again." }
                ?? "The name or password is wrong. Check them and try again."
            return page("login", title: "Sign in", session: nil, values: values, status: .unauthorized, error: message)
        }
        throttle.succeeded(context.peer)
        if let old = session(of: request) { sessions.end(id: old.id) }
        let session = sessions.start(user: user.name, role: user.role, now: now)
        audit("\(user.name) signed in from \(context.peer)")
        return signedIn(session, next: next)
    }

    func signedIn(_ session: WebSession, next: String) -> Response {
        var response = Self.redirect(next)
        response.headers[.setCookie] =
            "\(cookieName)=\(session.id); Path=/; HttpOnly; SameSite=Strict" + (settings.secure ? "; Secure" : "")
        return response
    }

    func setupPage(values: [String: Any], error: String? = nil, status: HTTPResponse.Status = .ok) async -> Response {
        var values = values
        values["open"] = await setupCodes.isOpen(now: clock())
        values["hint"] = settings.setupHint
        return page("setup", title: "Set a password", session: nil, values: values, status: status, error: error)
    }

    func setup(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = (try? await WebForm.read(request, limit: 16 << 10)) ?? WebForm()
        let now = clock()
        let values: [String: Any] = ["name": form["name"] ?? ""]
        if let wait = throttle.wait(for: context.peer, now: now) {
            return await setupPage(
                values: values, error: "Too many tries from this device. Wait \(LoginThrottle.describe(wait)).",
                status: .tooManyRequests)
        }
        let password = form.fields["password"]?.first ?? ""
        let confirmation = form.fields["password2"]?.first ?? ""
        // Check what a person typed before spending the code on it.
        let typedName = form["name"] ?? ""
        if let problem = Passwords.problem(with: password, user: typedName) {
            return await setupPage(values: values, error: problem, status: .badRequest)
        }
        guard password == confirmation else {
            return await setupPage(
                values: values, error: "The two passwords are not the same; type them again.", status: .badRequest)
        }
        guard let code = await setupCodes.consume(form["code"] ?? "", now: now) else {
            throttle.failed(context.peer, now: now)
            audit("wrong or expired setup code from \(context.peer)")
            return await setupPage(
                values: values,
                error: "That setup code is wrong, used or expired (codes last 30 minutes). \(settings.setupHint)",
                status: .unauthorized)
        }
        let name = code.user ?? typedName
        if code.user == nil, let problem = WebUser.problem(withName: name) {
            return await setupPage(
                values: values, error: problem + " The code was used: get a new one. \(settings.setupHint)",
                status: .badRequest)
        }
        do {
            try await users.save(
                WebUser(
                    name: name, role: code.role,
                    passwordHash: await Passwords.hash(password, cost: settings.passwordCost)))
        } catch {
            logger.error("cannot save the user \(name): \(error)")
            return await setupPage(
                values: values, error: "The password could not be saved (\(error)); get a new code and try again.",
                status: .internalServerError)
        }
        throttle.succeeded(context.peer)
        sessions.end(user: name)
        audit("\(name) set a password with a setup code (role \(code.role))")
        return signedIn(sessions.start(user: name, role: code.role, now: now), next: "/")
    }

    // MARK: - Pieces

    /// The live session the request's cookie names.
    func session(of request: Request) -> WebSession? {
        guard let id = Self.cookie(cookieName, in: request) else { return nil }
        return sessions.session(id: id, now: clock())
    }

    func next(_ request: Request, _ session: WebSession) -> String {
        request.uri.queryParameters["next"].map(String.init).flatMap(Self.localPath) ?? "/"
    }

    /// `path` if it is a path on this site ("/x", not "//evil" or "https://…"): where to go after signing in.
    static func localPath(_ path: String) -> String? {
        guard path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\"), path.count < 512 else { return nil }
        return path
    }

    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }

    /// Whether a state-changing request comes from this site. Browsers say so in `Sec-Fetch-Site`; under this
    /// site's `Referrer-Policy: no-referrer` their `Origin` on a form post is "null", so when they send both, a
    /// same-origin fetch with an `Origin` that is null or this site passes. Without `Sec-Fetch-Site` (an older
    /// browser), the `Origin` must be this host over the site's scheme. Neither: refused.
    ///
    /// Behind a TLS-terminating proxy (plain HTTP on loopback, as hubreport's docs say) the browser's `Origin` is
    /// `https://` this host while the request arrives over HTTP; in a browser that also says `Sec-Fetch-Site:
    /// same-origin`, this host over either scheme is this site.
    func fromThisSite(_ request: Request) -> Bool {
        let host = (request.head.authority ?? "").lowercased()
        let expected = "\(settings.secure ? "https" : "http")://\(host)"
        let origin = request.headers[.origin]?.lowercased()
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!]?.lowercased() {
            let thisHost = !host.isEmpty && (origin == "http://\(host)" || origin == "https://\(host)")
            return site == "same-origin" && (origin == nil || origin == "null" || thisHost)
        }
        if let origin { return !host.isEmpty && origin == expected }
        return false
    }

    public static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    public static func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    /// A download: `filename` is made safe for the header.
    public static func download(_ bytes: [UInt8], type: String, filename: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        let safe = filename.filter { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        headers[.contentDisposition] = "attachment; filename=\"\(safe.isEmpty ? "download" : safe)\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "max-age=3600"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A server-sent event stream: `fingerprint` is asked every second and an event is sent when it changes (the
    /// page's script then reloads its live parts). The stream ends after `lifetime` (the browser reconnects).
    public static func eventStream(
        lifetime: Duration = .seconds(300), every interval: Duration = .seconds(1),
        fingerprint: @escaping @Sendable () async -> String
    ) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-store"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                var last = await fingerprint()
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                let clock = ContinuousClock()
                let end = clock.now + lifetime
                var quiet = 0
                while clock.now < end {
                    try await Task.sleep(for: interval)
                    let now = await fingerprint()
                    if now != last {
                        last = now
                        quiet = 0
                        try await writer.write(ByteBuffer(string: "data: changed\n\n"))
                    } else {
                        quiet += 1
                        if quiet % 15 == 0 { try await writer.write(ByteBuffer(string: ": still here\n\n")) }
                    }
                }
                try await writer.finish(nil)
            })
    }
}

/// Security headers on every response, and errors turned into pages.
struct SecurityHeaders: RouterMiddleware {
    typealias Context = WebContext
    let site: WebSite

    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var response: Response
        do {
            let live = request.headers[HTTPField.Name("X-Live-Refresh")!] == "1"
            response = try await WebSite.$isLiveRefresh.withValue(live) { try await next(request, context) }
        } catch let error as HTTPError {
            response = site.errorPage(
                status: error.status, message: error.body ?? "\(error.status.reasonPhrase)",
                session: site.session(of: request))
        } catch let error as any HTTPResponseError {
            response = site.errorPage(
                status: error.status,
                message: error.status == .notFound
                    ? "There is no page \(request.uri.path) here." : "\(error.status.reasonPhrase)",
                session: site.session(of: request))
        } catch {
            site.logger.error("page \(request.uri.path) failed: \(error)")
            response = site.errorPage(
                status: .internalServerError,
                message: "Something went wrong here; nothing was changed. Try again in a minute; if it goes on, tell "
                    + "whoever looks after \(site.settings.name) (the details are in its log).",
                session: site.session(of: request))
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("Permissions-Policy")!] = "camera=(), microphone=(), geolocation=()"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

/// Every route added after it needs a session; every state change must come from this site.
struct SessionGuard: RouterMiddleware {
    typealias Context = WebContext
    let site: WebSite

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var context = context
        let changes = request.method != .get && request.method != .head
        guard let session = site.session(of: request) else {
            if changes { throw HTTPError(.forbidden, message: "You are signed out; sign in and try again.") }
            let target = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
            return WebSite.redirect(
                "/login?next=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
        }
        if changes && !site.fromThisSite(request) {
            site.audit("refused a \(request.method) of \(request.uri.path) from another site (\(context.peer))")
            throw HTTPError(.forbidden, message: "A form sent from another site is refused.")
        }
        context.session = session
        return try await next(request, context)
    }
}

/// The checks on a state change to a public route (login, setup): it must come from this site.
struct PublicOriginCheck: RouterMiddleware {
    typealias Context = WebContext
    let site: WebSite

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        if request.method != .get && request.method != .head && !site.fromThisSite(request) {
            throw HTTPError(.forbidden, message: "A form sent from another site is refused.")
        }
        return try await next(request, context)
    }
}
