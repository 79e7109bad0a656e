import Dispatch
import ESCPOS
import Foundation
import HTTPTypes
import HubWeb
import Hummingbird
import KioskControl
import KioskCore
import KioskRuntime
import KioskStore
import Logging
import ServiceLifecycle

/// The pages on the hub's network: for staff (counts, alerts, slips at the desk, reports, exports, the
/// directory) and, when the daemon runs on the simulator, the simulator's controls.
public struct StaffSite: Sendable {
    public let site: WebSite
    let service: KioskService
    let database: KioskDatabase
    let layout: KioskLayout
    let hubName: String
    let timeZone: HubTimeZone
    let sync: (any SyncControl)?
    let directory: (any DirectoryControl)?
    let simulator: (any SimulatorControl)?
    let receipts: ReceiptHTML
    let logger: Logger
    /// `[directory] max_loss_percent`: an import losing more of the active services asks to confirm.
    let maximumLossPercent: Int
    let pendingImports = PendingImports()

    public static let staffRole = "staff"

    public init(
        service: KioskService, database: KioskDatabase, layout: KioskLayout, hubName: String, timeZone: HubTimeZone,
        sync: (any SyncControl)?, directory: (any DirectoryControl)?, simulator: (any SimulatorControl)?,
        users: any WebUserStore, setupCodes: any SetupCodeSource, secure: Bool, sessionIdle: TimeInterval,
        receipts: ReceiptHTML, passwordCost: UInt8 = Passwords.cost, maximumLossPercent: Int = 50, logger: Logger
    ) throws {
        self.maximumLossPercent = maximumLossPercent
        var navigation = [
            NavigationLink("/", "Today"), NavigationLink("/slip", "Print a slip"),
            NavigationLink("/reports", "Reports"),
            NavigationLink("/directory", "Directory"),
        ]
        if simulator != nil { navigation.append(NavigationLink("/sim", "Simulator")) }
        var templates = StaffTemplates.all
        if let simulator { templates["sim"] = simulator.pageTemplate }
        templates["directory-import"] = Self.importTemplate
        site = try WebSite(
            settings: .init(
                name: "\(hubName) · HubKiosk", secure: secure,
                setupHint: "On the kiosk, `hubkiosk web setup-code` prints a new code on its printer.",
                navigation: navigation, passwordCost: passwordCost),
            users: users, setupCodes: setupCodes, templates: templates,
            sessions: SessionStore(idleTimeout: sessionIdle), logger: logger)
        self.service = service
        self.database = database
        self.layout = layout
        self.hubName = hubName
        self.timeZone = timeZone
        self.sync = sync
        self.directory = directory
        self.simulator = simulator
        self.receipts = receipts
        self.logger = logger
    }

    /// Every route of the site (the guard of ``WebSite`` covers all but login, setup and static files).
    public func router() -> Router<WebContext> {
        let router = site.makeRouter()
        router.get("/") { _, context in try await today(context) }
        router.get("/events") { _, _ in WebSite.eventStream { await fingerprint() } }
        router.post("/alerts/acknowledge") { request, context in
            let session = try site.require([Self.staffRole], context)
            _ = try await site.form(request, context)
            await service.acknowledgeAlerts()
            site.flash("Alerts acknowledged. A fault that is still there comes back.", for: session)
            return WebSite.redirect("/")
        }
        router.get("/slip") { request, context in try await slipPage(request, context) }
        router.post("/slip/print") { request, context in try await printSlip(request, context) }
        router.get("/reports") { request, context in try await reports(request, context) }
        router.get("/export") { request, context in try await export(request, context) }
        if simulator != nil {
            router.get("/sim") { _, context in try await simulatorPage(context) }
            router.post("/sim/press") { request, context in try await simulatorPress(request, context) }
            router.post("/sim/printer") { request, context in try await simulatorPrinter(request, context) }
            router.post("/sim/clock") { request, context in try await simulatorClock(request, context) }
        }
        addDirectoryRoutes(to: router)
        return router
    }

    // MARK: - Today

    func today(_ context: WebContext) async throws -> Response {
        let session = try site.require([Self.staffRole], context)
        let status = try await service.status()
        let today = status.today.day
        let week = try await Self.blocking { [database, layout] in
            try database.tallyReport(
                hubID: "", needs: layout.needs.map(\.code), grouping: .week, from: today.startOfWeek, to: today)
        }
        let weekTotal = week.total
        let needs: [[String: Any]] = layout.needs.map { need in
            [
                "label": need.label, "today": status.today.needs[need.code] ?? 0,
                "week": weekTotal.needs[need.code] ?? 0,
            ]
        }
        let alerts: [[String: Any]] = status.alerts.map { alert in
            [
                "text": alert.description.prefix(1).uppercased() + alert.description.dropFirst(),
                "todo": Self.whatToDo(alert),
            ]
        }
        var values: [String: Any] = [
            "day": "\(today)", "visits": status.today.visits, "weekVisits": weekTotal.visits, "needs": needs,
            "alerts": alerts, "hasAlerts": !alerts.isEmpty, "printer": Self.printerText(status.printer),
            "slipsPrinted": status.today.slipsPrinted,
            "slipsNotPrinted": status.today.slipsNotPrinted > 0 ? status.today.slipsNotPrinted as Any : false,
            "talk": status.alerts.contains(.talk),
        ]
        if let sync = await sync?.status() {
            values["sync"] =
                [
                    "state": sync.state, "backlog": sync.backlog ?? 0, "lastSuccess": sync.lastSuccess ?? "never",
                    "error": Self.text(sync.lastError), "todo": Self.text(sync.whatToDo),
                ] as [String: Any]
        }
        if let directory = await directory?.status() {
            values["directory"] =
                [
                    "services": directory.activeServices, "checked": directory.checkedAt ?? "unknown",
                    "stale": directory.stale, "error": Self.text(directory.lastError),
                ] as [String: Any]
        }
        return site.page(
            "today", title: "Today at \(hubName)", session: session, values: values, current: "/", events: "/events")
    }

    /// What changes on the live pages: when it does, open pages refresh their live parts.
    func fingerprint() async -> String {
        guard let status = try? await service.status() else { return "unavailable" }
        let lights = status.lights.map { "\($0.key)=\($0.value.rawValue)" }.sorted().joined(separator: ",")
        let slips = simulator?.recentSlips.last?.number ?? 0
        return "\(status.today.visits)|\(status.today.presses)|\(status.today.slipsPrinted)|"
            + "\(status.today.slipsNotPrinted)|\(status.printer.key)|\(status.alerts.map(\.description))|\(lights)|\(slips)"
    }

    static func whatToDo(_ alert: StaffAlert) -> String {
        switch alert {
        case .talk: return "Someone at the kiosk would like to talk. Go over, then acknowledge the alert here."
        case .printer:
            return "Check the printer: paper roll, cover, cable and power. The alert clears once it is ready."
        case .paperLow: return "Put in a new paper roll soon (slips are printed short until then)."
        case .stuckButton: return "A button is held down or jammed: check it. Its presses are not counted meanwhile."
        case .storage:
            return
                "Presses cannot be stored: the kiosk's storage needs attention (run `hubkiosk doctor`); call the coordinator."
        case .database: return "The database was found damaged and repaired. Tell the coordinator, then acknowledge."
        case .sync: return "Counts are kept safely on the kiosk and sent later; see the sync line below for what to do."
        case .directory: return "See the Directory page for what is wrong with the list of services."
        }
    }

    static func printerText(_ status: PrinterStatus) -> String {
        if let problem = status.problem { return "Printer: \(problem)" }
        return status.paperNearEnd ? "Printer: ready, paper running low" : "Printer: ready"
    }

    // MARK: - Slips at the desk

    func slipPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let session = try site.require([Self.staffRole], context)
        let query = request.uri.queryParameters
        let chosen = Set(query.getAll("need").map { String($0) })
        let valid = chosen.filter { code in layout.needs.contains { $0.code.rawValue == code } }
        let directory = service.composer.directory
        let pickedIDs = query.getAll("service").map { String($0) }.filter { id in
            directory.services.contains { $0.id == id && $0.status == .active }
        }
        let search = query["q"].map { String($0) }?.trimmingCharacters(in: .whitespaces) ?? ""
        let matching = directory.services.filter { entry in
            entry.status == .active
                && (search.isEmpty || entry.name.localizedCaseInsensitiveContains(search)
                    || (entry.organization?.localizedCaseInsensitiveContains(search) ?? false))
        }
        let shown = Array(matching.prefix(25))
        var values: [String: Any] = [
            "needs": layout.needs.map { need in
                ["code": need.code.rawValue, "label": need.label, "checked": valid.contains(need.code.rawValue)]
                    as [String: Any]
            },
            "services": shown.map { entry in
                [
                    "id": entry.id, "name": entry.name, "organization": Self.text(entry.organization),
                    "checked": pickedIDs.contains(entry.id),
                ] as [String: Any]
            },
            "q": search, "moreServices": matching.count > shown.count ? matching.count - shown.count as Any : false,
        ]
        let ordered = layout.needs.map(\.code).filter { valid.contains($0.rawValue) }
        if !ordered.isEmpty {
            let bytes = service.previewBytes(needs: ordered)
            values["preview"] = receipts.render(bytes, label: "Preview of the slip")
            values["chosen"] = ordered.map { ["name": "need", "value": $0.rawValue] }
        } else if !pickedIDs.isEmpty {
            values["preview"] = receipts.render(
                service.previewBytes(serviceIDs: pickedIDs), label: "Preview of the slip")
            values["chosen"] = pickedIDs.map { ["name": "service", "value": $0] }
        }
        let error = chosen.count > valid.count ? "Some of the needs asked for are not needs of this kiosk." : nil
        return site.page(
            "slip", title: "Print a slip", session: session, values: values, error: error, current: "/slip")
    }

    func printSlip(_ request: Request, _ context: WebContext) async throws -> Response {
        let session = try site.require([Self.staffRole], context)
        let form = try await site.form(request, context)
        let chosen = Set(form.all("need"))
        let needs = layout.needs.map(\.code).filter { chosen.contains($0.rawValue) }
        let directory = service.composer.directory
        // Active services only, as the page lists them (an inactive one is on no slip).
        let picked = form.all("service").filter { id in
            directory.services.contains { $0.id == id && $0.status == .active }
        }
        if needs.isEmpty && !picked.isEmpty {
            let result = await service.printServicesSlip(serviceIDs: picked)
            logger.info(
                "staff slip of services from the pages",
                metadata: [
                    "services": "\(picked.count)", "user": "\(session.user)", "printed": "\(result == .printed)",
                ])
            switch result {
            case .printed:
                site.flash(
                    "The slip is printing (\(picked.count == 1 ? "1 service" : "\(picked.count) services")).",
                    for: session)
            case .notPrinted(let reason):
                site.flash("The slip could not be printed: \(reason)", for: session)
            }
            return WebSite.redirect("/slip?" + picked.map { "service=\(Self.query($0))" }.joined(separator: "&"))
        }
        guard !needs.isEmpty else {
            site.flash("Choose at least one need or service for the slip.", for: session)
            return WebSite.redirect("/slip")
        }
        do {
            let id = try await service.printStaffSlip(needs: needs)
            logger.info("staff slip from the pages", metadata: ["slip": "\(id)", "user": "\(session.user)"])
            site.flash("The slip is printing (\(needs.count == 1 ? "1 need" : "\(needs.count) needs")).", for: session)
        } catch {
            site.flash("The slip could not be printed: \(error.description)", for: session)
        }
        return WebSite.redirect("/slip?" + needs.map { "need=\($0.rawValue)" }.joined(separator: "&"))
    }

    // MARK: - Helpers

    /// A text for a template section: `false` when there is none (Mustache shows a section for any string, even
    /// an empty one).
    static func text(_ value: String?) -> Any {
        guard let value, !value.isEmpty else { return false }
        return value
    }

    /// Runs blocking work (a database read) on a thread of its own, never on the tasks' shared threads.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}

extension StaffSite {
    /// A listener for the pages on `host`:`port`, over HTTPS with `certificate`, else HTTP.
    public func listener(
        host: String, port: Int, certificate: DeviceCertificate?, logger: Logger,
        onRunning: @escaping @Sendable () async -> Void
    ) throws -> any Service {
        let responder = router().buildResponder()
        var limits = ControlServer.Limits.standard
        limits.maximumConnections = 64
        return try KioskHTTP.server(
            address: .hostname(host, port: port), tls: try certificate?.serverConfiguration(), limits: limits,
            logger: logger, responder: responder,
            makeContext: { channel in
                WebContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
            },
            onRunning: { _ in await onRunning() })
    }
}
