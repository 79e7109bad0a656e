import Foundation
import HubReportAPI
import HubWeb
import Hummingbird
import KioskCore
import Logging

extension ReportPages {
    /// `GET /export`: the export form (suppressed by default).
    func exportPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let (session, role) = try session(context)
        let hubs = try await store.hubs()
        let form = ExportForm(
            from: today.adding(days: -27).description, to: today.description, grouping: .week, format: "csv",
            hubs: Set(hubs.map(\.id)), exact: false)
        return site.page(
            "export", title: "Export", session: session, values: exportValues(form, hubs: hubs, role: role),
            current: "/export")
    }

    /// `POST /export`: the download. Exact counts only for a coordinator who confirmed it, written to the audit log
    /// before the file is handed out.
    func export(_ request: Request, _ context: WebContext) async throws -> Response {
        let (session, role) = try session(context)
        let fields = try await site.form(request, context)
        let hubs = try await store.hubs()
        let form = ExportForm(fields)
        func refuse(_ message: String, status: HTTPResponse.Status = .badRequest) -> Response {
            site.page(
                "export", title: "Export", session: session, values: exportValues(form, hubs: hubs, role: role),
                status: status, error: message, current: "/export")
        }
        guard let from = LocalDate(iso: form.from) else {
            return refuse("From: \"\(form.from)\" is not a date; use YYYY-MM-DD, like \(today).")
        }
        guard let to = LocalDate(iso: form.to) else {
            return refuse("To: \"\(form.to)\" is not a date; use YYYY-MM-DD, like \(today).")
        }
        guard from <= to else { return refuse("To: \(to) is before From (\(from)); swap them.") }
        guard to.daysSinceEpoch - from.daysSinceEpoch <= 3 * 366 else {
            return refuse("From and To: at most 3 years in one export; export the years one at a time.")
        }
        guard let grouping = form.grouping else {
            return refuse("Group by: choose hour, day, week or month.")
        }
        guard form.format == "csv" || form.format == "json" else { return refuse("Format: choose CSV or JSON.") }
        let known = Set(hubs.map(\.id))
        if let unknown = form.hubs.subtracting(known).sorted().first {
            return refuse("Hubs: there is no hub \"\(unknown)\"; reload the page.")
        }
        guard !form.hubs.isEmpty else { return refuse("Hubs: choose at least one hub.") }
        if form.exact {
            guard role == .coordinator else {
                return refuse(
                    "Exact counts: your role (\(role.rawValue)) may export suppressed counts only.",
                    status: .forbidden)
            }
            guard form.confirmed else {
                return refuse(
                    "Exact counts: tick the box that says the file stays inside the partnership, or untick exact counts."
                )
            }
        }
        let chosen = form.hubs
        let single = chosen.count == 1 ? chosen.first : nil
        let builder = try await store.buckets(
            BucketQuery(from: from, to: to, hubID: single, resolution: grouping == .hour ? .asSent : .day),
            into: ReportExport.Builder(
                hubs: hubs.filter { chosen.contains($0.id) }, partnership: partnership, grouping: grouping, from: from,
                to: to)
        ) { builder, bucket in
            if chosen.contains(bucket.hubID) { builder.add(bucket) }
        }
        let export: ReportExport
        do {
            export = try builder.finish()
        } catch {
            logger.error("export failed: \(error)")
            return refuse(
                "The export cannot be made: the service's data could not be read. Tell the partnership's "
                    + "administrator (the details are in the service's log).", status: .internalServerError)
        }
        let name = "hubreport-\(grouping.rawValue)-\(from)-\(to)\(form.exact ? "-exact" : "")"
        if form.exact {
            try await audit.write(
                AuditEntry(
                    time: Int64(clock().timeIntervalSince1970), user: session.user,
                    action:
                        "exported exact counts (\(form.format), by \(grouping.rawValue), \(from) to \(to), hubs "
                        + chosen.sorted().joined(separator: ",") + ")"))
        }
        if form.format == "json" {
            return WebSite.download(
                Array(try export.json(exact: form.exact)), type: "application/json", filename: name + ".json")
        }
        return WebSite.download(
            Array(export.csv(exact: form.exact).utf8), type: "text/csv; charset=utf-8", filename: name + ".csv")
    }

    func exportValues(_ form: ExportForm, hubs: [HubRecord], role: ReportRole) -> [String: Any] {
        [
            "from": form.from, "to": form.to,
            "groupings": ExportGrouping.allCases.map {
                ["value": $0.rawValue, "selected": $0 == form.grouping] as [String: Any]
            },
            "csv": form.format != "json", "json": form.format == "json",
            "hubs": hubs.map { ["id": $0.id, "name": $0.name, "checked": form.hubs.contains($0.id)] as [String: Any] },
            "noHubs": hubs.isEmpty, "coordinator": role == .coordinator, "exact": form.exact,
        ]
    }
}

/// The fields of the export form, as typed (checked by ``ReportPages/export(_:_:)``).
struct ExportForm {
    var from: String
    var to: String
    var grouping: ExportGrouping?
    var format: String
    var hubs: Set<String>
    var exact: Bool
    var confirmed = false

    init(from: String, to: String, grouping: ExportGrouping, format: String, hubs: Set<String>, exact: Bool) {
        self.from = from
        self.to = to
        self.grouping = grouping
        self.format = format
        self.hubs = hubs
        self.exact = exact
    }

    init(_ form: WebForm) {
        from = form["from"] ?? ""
        to = form["to"] ?? ""
        grouping = form["by"].flatMap(ExportGrouping.init(rawValue:))
        format = form["format"] ?? ""
        hubs = Set(form.all("hub"))
        exact = form["exact"] == "yes"
        confirmed = form["confirm"] == "yes"
    }
}
