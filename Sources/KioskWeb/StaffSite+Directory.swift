import Foundation
import HubWeb
import Hummingbird
import KioskControl
import KioskCore
import KioskDirectory
import KioskRuntime
import Logging
import Synchronization

extension StaffSite {
    func addDirectoryRoutes(to router: Router<WebContext>) {
        router.get("/directory") { request, context in try await directoryPage(request, context) }
        router.post("/directory/import") { request, context in try await importPreview(request, context) }
        router.post("/directory/import/apply") { request, context in try await importApply(request, context) }
        addDirectoryEditRoutes(to: router)
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
                "id": entry.id, "idQuery": Self.query(entry.id), "name": entry.name,
                "organization": Self.text(entry.organization),
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
                    "stale": status.stale, "heldBack": Self.text(status.heldBack), "feed": status.sourceKind == "feed",
                ] as [String: Any]
        }
        return site.page(
            "directory", title: "Directory", session: session, values: ["listPage": values], current: "/directory")
    }

    /// `POST /directory/import` (multipart: `file`, `format`): the file read with the same rules as `hubkiosk
    /// directory check`; its problems, or what would change and a form to use it. Nothing is used yet.
    func importPreview(_ request: Request, _ context: WebContext) async throws -> Response {
        let session = try site.require([Self.staffRole], context)
        let form = try await site.form(request, context, limit: 16 << 20)
        guard let file = form.files["file"], !file.bytes.isEmpty else {
            site.flash("Choose a directory file to import.", for: session)
            return WebSite.redirect("/directory")
        }
        let formatName = form["format"] ?? "auto"
        guard let format = DirectoryFormat(name: formatName) else {
            throw HTTPError(
                .badRequest, message: "\"\(formatName)\" is not a directory format (auto, oruk3, oruk1, aliss).")
        }
        let today = timeZone.localDate(of: service.clock.wall.date)
        let bytes = file.bytes
        let needs = layout.needs
        let result = try await Self.blocking {
            DirectoryDecoder().decode(bytes, format: format, needs: needs, today: today)
        }
        let name = file.filename.isEmpty ? "the file" : file.filename
        var values: [String: Any] = ["file": name, "format": "\(result.format)"]
        if !result.errors.isEmpty {
            values["problems"] = result.errors.prefix(50).map { ["text": $0.description] }
            values["problemCount"] = result.errors.count
            return site.page(
                "directory-import", title: "Import a directory", session: session, values: values,
                error:
                    "\(name) has \(result.errors.count) problem\(result.errors.count == 1 ? "" : "s") and cannot be used; "
                    + "nothing was changed.", current: "/directory")
        }
        let changes = DirectoryChanges(from: service.composer.directory, to: result.directory)
        let loses = changes.losesMost(percent: maximumLossPercent)
        let token = pendingImports.add(
            PendingImport(
                user: session.id, bytes: bytes, format: result.format.rawValue, label: name, created: Date(),
                loses: loses))
        values["token"] = token
        values["changes"] = changes.lines(limit: 200).map { ["text": $0] }
        values["summary"] = changes.summary
        values["none"] = changes.isEmpty
        values["services"] = result.directory.services.count
        values["active"] = changes.activeAfter
        values["activeBefore"] = changes.activeBefore
        values["loses"] = loses
        values["percent"] = maximumLossPercent
        values["warnings"] = result.warnings.prefix(20).map { ["text": $0.description] }
        values["hasWarnings"] = !result.warnings.isEmpty
        return site.page(
            "directory-import", title: "Import a directory", session: session, values: values, current: "/directory")
    }

    /// `POST /directory/import/apply`: uses the file previewed (by its token, for this session only).
    func importApply(_ request: Request, _ context: WebContext) async throws -> Response {
        let session = try site.require([Self.staffRole], context)
        let form = try await site.form(request, context)
        guard let directory else { throw HTTPError(.notFound, message: "This kiosk keeps no directory.") }
        guard let token = form["token"], let pending = pendingImports.take(token, user: session.id) else {
            site.flash("That import has expired (15 minutes) or was used: choose the file again.", for: session)
            return WebSite.redirect("/directory")
        }
        // The loss guard is staff's to confirm here; left to the daemon, it would hold the file back with a command
        // line to run.
        if pending.loses && form["allow_loss"] == nil {
            site.flash(
                "Not used: this file takes more than \(maximumLossPercent) % of the services in use off the slips. "
                    + "Import it again and tick \"Yes, use it even so\" if that is right.", for: session)
            return WebSite.redirect("/directory")
        }
        let status = await directory.apply(
            document: pending.bytes, format: pending.format,
            label: "\(pending.label) (imported on the staff pages by \(session.user))",
            allowLoss: form["allow_loss"] != nil)
        logger.notice(
            "directory import from the staff pages", metadata: ["user": "\(session.user)", "file": "\(pending.label)"])
        site.flash(status.result ?? status.lastError ?? "The directory was imported.", for: session)
        return WebSite.redirect("/directory")
    }

    /// "Mo Tu 09:00–17:00", for a list of opening times.
    static func describe(_ schedule: ServiceSchedule) -> String {
        let days = schedule.byDay.map(\.description).joined(separator: " ")
        let hours = [schedule.opensAt, schedule.closesAt].compactMap { $0.map { "\($0)" } }.joined(separator: "–")
        let frequency = schedule.frequency == .weekly && schedule.interval == 1 ? "" : "\(schedule.frequency.rawValue) "
        return [frequency + days, hours].filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The directory's pages share one template (the site's templates are named when it starts): the list, one
    /// service, and the form that edits or adds one.
    static let directoryTemplate =
        "{{#listPage}}" + listTemplate + "{{/listPage}}{{#servicePage}}" + serviceTemplate
        + "{{/servicePage}}{{#editPage}}" + editTemplate + "{{/editPage}}"

    static let listTemplate = """
        {{#status}}<p>From {{source}}, checked {{checked}}{{#stale}} <strong>(out of date)</strong>{{/stale}}.{{#error}} Last problem: {{error}}{{/error}}{{#heldBack}} Held back: {{heldBack}}{{/heldBack}}{{#feed}} Edits made here last until the next pull.{{/feed}}</p>{{/status}}
        <p><a href="/directory/new" id="add-service">Add a service</a></p>
        <form method="get" action="/directory" class="card" role="search">
        <p><label for="q">Find a service</label><input id="q" name="q" type="search" value="{{q}}"> <button type="submit">Find</button></p>
        </form>
        <form method="post" action="/directory/import" enctype="multipart/form-data" class="card">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <fieldset><legend>Import a directory file</legend>
        <p><label for="file">File (Open Referral UK JSON or ALISS)</label><input id="file" name="file" type="file" accept=".json,application/json" required></p>
        <p><label for="format">Format</label><select id="format" name="format"><option value="auto" selected>Find out from the file</option><option value="oruk3">Open Referral UK v3</option><option value="oruk1">Open Referral UK v1</option><option value="aliss">ALISS</option></select></p>
        </fieldset>
        <p><button type="submit" id="import-preview">See what changes</button> <span class="help">Nothing is used until you confirm.</span></p>
        </form>
        <p>{{count}} of {{total}} services{{#more}} (the first 500 are shown){{/more}}.</p>
        <div class="table-wrap"><table>
        <thead><tr><th scope="col">Service</th><th scope="col">Status</th><th scope="col">Opening times</th><th scope="col">Contact</th></tr></thead>
        <tbody>{{#services}}<tr><th scope="row"><a href="/directory/service?id={{idQuery}}">{{name}}</a>{{#organization}}<br><span class="help">{{organization}}</span>{{/organization}}</th>
        <td>{{status}}</td><td>{{times}}</td><td>{{phones}}{{#addresses}}<br>{{addresses}}{{/addresses}}</td></tr>{{/services}}</tbody>
        </table></div>
        """

    static let importTemplate = """
        <p>{{file}}, read as {{format}}.</p>
        {{#problemCount}}<h2>Problems</h2><ul>{{#problems}}<li>{{text}}</li>{{/problems}}</ul>
        <p><a href="/directory">Back to the directory</a>: fix the file and import it again.</p>{{/problemCount}}
        {{#token}}
        <h2>What changes</h2>
        <p id="import-summary">{{services}} services, {{active}} active ({{activeBefore}} active in use now). {{summary}}</p>
        {{#none}}<p>Nothing changes.</p>{{/none}}
        <ul id="import-changes">{{#changes}}<li>{{text}}</li>{{/changes}}</ul>
        {{#hasWarnings}}<h2>Warnings</h2><ul>{{#warnings}}<li>{{text}}</li>{{/warnings}}</ul>{{/hasWarnings}}
        <form method="post" action="/directory/import/apply" class="card"><input type="hidden" name="_csrf" value="{{csrf}}">
        <input type="hidden" name="token" value="{{token}}">
        {{#loses}}<p class="alert">More than {{percent}} % of the services in use are gone from this file.</p>
        <p class="checks"><label><input type="checkbox" name="allow_loss" id="allow-loss" required> Yes, use it even so</label></p>{{/loses}}
        <p><button type="submit" class="primary" id="import-apply">Use this directory</button> <a href="/directory">Cancel</a></p>
        </form>
        {{/token}}
        """
}

/// A file previewed on the import page, waiting for its confirmation (15 minutes, this session only).
struct PendingImport: Sendable {
    var user: String
    var bytes: [UInt8]
    var format: String
    var label: String
    var created: Date
    /// Whether it takes more than the loss guard's share of the active services off the slips (staff confirm).
    var loses: Bool
}

/// The previews waiting to be confirmed: a few at most (each holds a file).
final class PendingImports: Sendable {
    private let entries = Mutex<[String: PendingImport]>([:])

    func add(_ entry: PendingImport) -> String {
        let token = SessionStore.randomToken(bytes: 16)
        entries.withLock { all in
            all = all.filter { Date().timeIntervalSince($0.value.created) < 900 }
            while all.count >= 4, let oldest = all.min(by: { $0.value.created < $1.value.created }) {
                all[oldest.key] = nil
            }
            all[token] = entry
        }
        return token
    }

    func take(_ token: String, user: String) -> PendingImport? {
        entries.withLock { all in
            guard let entry = all[token], entry.user == user, Date().timeIntervalSince(entry.created) < 900 else {
                return nil
            }
            all[token] = nil
            return entry
        }
    }
}
