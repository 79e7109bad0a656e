import Foundation
import HTTPTypes
import HubReportAPI
import HubWeb
import Hummingbird
import KioskCore
import Logging

/// The coordinators' and viewers' pages, on the same listener as the API: the hubs, charts across hubs and per
/// hub, exports (suppressed by default; exact only for coordinators, and logged) and enrolling a hub.
///
/// Built on HubWeb's ``WebSite``: every route here needs a session, every POST a CSRF token and this site's
/// Origin. Counts are suppressed by default everywhere (a viewer never sees an exact one); last syncs are shown to
/// the hour to viewers, to the minute to coordinators.
public final class ReportPages: Sendable {
    public let site: WebSite
    public let audit: AuditTrail
    let store: any ReportStore & ReportAccounts
    let partnership: Partnership
    let clock: @Sendable () -> Date
    let logger: Logger

    /// How many weeks the charts show.
    static let chartWeeks = 12

    /// - Parameter passwordCost: bcrypt cost of new passwords (12 in the product; lower only in tests).
    public init(
        store: any ReportStore & ReportAccounts, partnership: Partnership, secure: Bool, logger: Logger,
        passwordCost: UInt8 = Passwords.cost, throttle: LoginThrottle = LoginThrottle(),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.store = store
        self.partnership = partnership
        self.clock = clock
        self.logger = logger
        let audit = AuditTrail(store, logger: logger, clock: clock)
        self.audit = audit
        let coordinator: Set<String> = [ReportRole.coordinator.rawValue]
        site = try WebSite(
            settings: WebSite.Settings(
                name: "HubReport · \(partnership.name)", secure: secure,
                setupHint:
                    "Ask the partnership's administrator for a new code (`hubreport user add NAME --role ROLE`, with "
                    + "the role you have now, prints one).",
                navigation: [
                    NavigationLink("/", "Hubs"), NavigationLink("/charts", "Charts"),
                    NavigationLink("/export", "Export"), NavigationLink("/enrol", "Enrol a hub", roles: coordinator),
                ],
                passwordCost: passwordCost),
            users: ReportWebUsers(store, clock: clock), setupCodes: ReportSetupCodes(store, logger: logger),
            templates: ReportTemplates.all, throttle: throttle, logger: logger, clock: clock,
            audit: { audit.record($0) })
    }

    /// The router of every page: HubWeb's public routes (login, setup, static files), then this site's.
    public func makeRouter() -> Router<WebContext> {
        let router = site.makeRouter()
        router.get("/") { request, context in try await self.hubsPage(request, context) }
        router.get("/hubs/{id}") { request, context in try await self.hubPage(request, context) }
        router.get("/charts") { request, context in try await self.chartsPage(request, context) }
        router.get("/export") { request, context in try await self.exportPage(request, context) }
        router.post("/export") { request, context in try await self.export(request, context) }
        router.get("/enrol") { request, context in try await self.enrolPage(request, context) }
        router.post("/enrol") { request, context in try await self.enrol(request, context) }
        return router
    }

    // MARK: - Pieces every page uses

    /// The signed-in session (the guard set it) and its role.
    func session(_ context: WebContext) throws -> (WebSession, ReportRole) {
        guard let session = context.session, let role = ReportRole(rawValue: session.role) else {
            throw HTTPError(.forbidden, message: "Sign in first.")
        }
        return (session, role)
    }

    /// Whether a page shows exact counts: only to a coordinator who asked (`?exact=1`); suppressed otherwise.
    func showsExact(_ request: Request, role: ReportRole) -> Bool {
        role == .coordinator && request.uri.queryParameters["exact"] == "1"
    }

    /// The service's date (UTC): the hubs' dates are close enough for "this week".
    var today: LocalDate {
        LocalDate(daysSinceEpoch: Int((clock().timeIntervalSince1970 / 86_400).rounded(.down)))
    }

    /// A count as a page shows it: exact, or through KioskCore's ``Suppression`` (`[c]` for 1–7).
    static func shown(_ count: Int, exact: Bool) -> String {
        exact ? String(count) : Suppression.apply(max(count, 0)).description
    }

    /// A chart's value: the rounded count, or nil for a suppressed one (drawn as an outline, "[c], 1 to 7").
    static func drawn(_ count: Int, exact: Bool) -> Int? {
        if exact { return count }
        switch Suppression.apply(max(count, 0)) {
        case .count(let value): return value
        case .suppressed: return nil
        }
    }

    /// When a hub last synced: to the minute for coordinators, to the hour for viewers (never seconds).
    static func lastSync(_ seconds: Int64?, role: ReportRole) -> String {
        guard let seconds else { return "never" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = role == .coordinator ? "yyyy-MM-dd HH:mm 'UTC'" : "yyyy-MM-dd, 'hour' HH 'UTC'"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// The label of a need code: the partnership's, else the code.
    func label(_ need: NeedCode) -> String {
        partnership.needs.first { $0.code == need }?.label ?? need.rawValue
    }
}
