import Foundation
import HubReportAPI
import HubWeb
import Hummingbird

extension ReportPages {
    /// `GET /enrol` (coordinators): the form that makes a hub's one-time enrolment code.
    func enrolPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let session = try site.require([ReportRole.coordinator.rawValue], context)
        return site.page("enrol", title: "Enrol a hub", session: session, values: [:], current: "/enrol")
    }

    /// `POST /enrol` (coordinators): creates the hub (or gives it a new code) and shows the code once, with the
    /// command to type on the kiosk. Logged.
    func enrol(_ request: Request, _ context: WebContext) async throws -> Response {
        let session = try site.require([ReportRole.coordinator.rawValue], context)
        let form = try await site.form(request, context)
        let id = form["id"] ?? ""
        let name = form["name"] ?? ""
        let values: [String: Any] = ["id": id, "name": name]
        func refuse(_ message: String) -> Response {
            site.page(
                "enrol", title: "Enrol a hub", session: session, values: values, status: .badRequest,
                error: message, current: "/enrol")
        }
        guard WireSyntax.isHubID(id) else {
            return refuse(
                "Hub id: \"\(id)\" is not a hub id; use 1–64 characters of a-z, 0-9, - and _, starting with a "
                    + "letter or digit (the kiosk's [hub] id).")
        }
        guard HubName.isValid(name) else {
            return refuse("Hub name: use 1–\(HubName.maxLength) characters, without control characters.")
        }
        let code = EnrolmentCode.make()
        let now = Int64(clock().timeIntervalSince1970)
        let hub = try await store.addHub(
            id: id, name: name, codeHash: EnrolmentCode.hash(code), now: now, expiresAt: now + EnrolmentCode.lifetime)
        try await audit.write(
            AuditEntry(time: now, user: session.user, action: "issued an enrolment code for hub \(hub.id)"))
        let scheme = site.settings.secure ? "https" : "http"
        let url = "\(scheme)://\(request.head.authority ?? "HOST:PORT")"
        let expires = Date(timeIntervalSince1970: TimeInterval(now + EnrolmentCode.lifetime))
        let formatter = ISO8601DateFormatter()
        return site.page(
            "enrolled", title: "Enrol a hub", session: session,
            values: [
                "id": hub.id, "name": hub.name, "code": code, "expires": formatter.string(from: expires),
                "command": "hubkiosk sync enrol \(url) \(code)",
            ], current: "/enrol")
    }
}
