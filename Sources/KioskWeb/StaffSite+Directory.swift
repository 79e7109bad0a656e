import Foundation
import HubWeb
import Hummingbird
import KioskControl
import KioskCore
import KioskRuntime

extension StaffSite {
    func addDirectoryRoutes(to router: Router<WebContext>) {
        router.get("/directory") { request, context in try await directoryPage(request, context) }
    }

    /// The services in use, as the kiosk reads them (every text came from a file: the template escapes it).
    func directoryPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let session = try site.require([Self.staffRole], context)
        let search = request.uri.queryParameters["q"].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        let services = service.composer.directory.services.filter { entry in
            search.isEmpty || entry.name.localizedCaseInsensitiveContains(search)
                || (entry.organization?.localizedCaseInsensitiveContains(search) ?? false)
        }
        let rows: [[String: Any]] = services.prefix(500).map { entry in
            [
                "id": entry.id, "name": entry.name, "organization": Self.text(entry.organization),
                "status": entry.status.rawValue, "active": entry.status == .active,
                "phones": entry.phones.joined(separator: ", "),
                "addresses": Self.text(entry.addresses.joined(separator: "; ")),
                "times": entry.schedules.map(Self.describe).joined(separator: "; "),
            ]
        }
        var values: [String: Any] = [
            "services": rows, "count": services.count, "total": service.composer.directory.services.count,
            "q": search, "more": services.count > 500,
        ]
        if let status = await directory?.status() {
            values["status"] =
                [
                    "source": status.source, "checked": status.checkedAt ?? "unknown",
                    "error": Self.text(status.lastError),
                    "stale": status.stale, "heldBack": Self.text(status.heldBack),
                ] as [String: Any]
        }
        return site.page("directory", title: "Directory", session: session, values: values, current: "/directory")
    }

    /// "Mo Tu 09:00–17:00", for a list of opening times.
    static func describe(_ schedule: ServiceSchedule) -> String {
        let days = schedule.byDay.map(\.description).joined(separator: " ")
        let hours = [schedule.opensAt, schedule.closesAt].compactMap { $0.map { "\($0)" } }.joined(separator: "–")
        let frequency = schedule.frequency == .weekly && schedule.interval == 1 ? "" : "\(schedule.frequency.rawValue) "
        return [frequency + days, hours].filter { !$0.isEmpty }.joined(separator: " ")
    }

    static let directoryTemplate = """
        {{#status}}<p>From {{source}}, checked {{checked}}{{#stale}} <strong>(out of date)</strong>{{/stale}}.{{#error}} Last problem: {{error}}{{/error}}{{#heldBack}} Held back: {{heldBack}}{{/heldBack}}</p>{{/status}}
        <form method="get" action="/directory" class="card" role="search">
        <p><label for="q">Find a service</label><input id="q" name="q" type="search" value="{{q}}"> <button type="submit">Find</button></p>
        </form>
        <p>{{count}} of {{total}} services{{#more}} (the first 500 are shown){{/more}}.</p>
        <div class="table-wrap"><table>
        <thead><tr><th scope="col">Service</th><th scope="col">Status</th><th scope="col">Opening times</th><th scope="col">Contact</th></tr></thead>
        <tbody>{{#services}}<tr><th scope="row">{{name}}{{#organization}}<br><span class="help">{{organization}}</span>{{/organization}}</th>
        <td>{{status}}</td><td>{{times}}</td><td>{{phones}}{{#addresses}}<br>{{addresses}}{{/addresses}}</td></tr>{{/services}}</tbody>
        </table></div>
        """
}
