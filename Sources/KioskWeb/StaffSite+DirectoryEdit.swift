import Foundation
import HubWeb
import Hummingbird
import KioskControl
import KioskCore
import KioskDirectory
import KioskRuntime
import Logging

/// One service's page, and the form that edits or adds a service: what a person types is written into the directory
/// as ORUK v3 (``DirectoryWriter``), checked with the rules of `hubkiosk directory check`, and applied through the
/// daemon's ``DirectoryControl`` like any other copy.
extension StaffSite {
    /// Opening-time rows offered empty, to add times.
    static let emptyScheduleRows = 3
    /// At most this many opening-time rows, phones and addresses are read from a form.
    static let formListLimit = 60

    func addDirectoryEditRoutes(to router: Router<WebContext>) {
        router.get("/directory/service") { request, context in try await servicePage(request, context) }
        router.get("/directory/edit") { request, context in try await editPage(request, context) }
        router.get("/directory/new") { request, context in try await editPage(request, context) }
        router.post("/directory/save") { request, context in try await saveService(request, context) }
    }

    /// `GET /directory/service?id=…`: every field of one service, its opening times and holidays.
    func servicePage(_ request: Request, _ context: WebContext) async throws -> Response {
        let session = try site.require([Self.staffRole], context)
        let id = request.uri.queryParameters["id"].map(String.init) ?? ""
        guard let entry = service.composer.directory.services.first(where: { $0.id == id }) else {
            throw HTTPError(.notFound, message: "No service has that id in the directory in use.")
        }
        let parts = DirectoryWriter.parts(of: entry)
        let needs = layout.needs.filter { entry.isTagged(withAnyOf: $0.taxonomyTerms) }.map(\.label)
        let terms = entry.taxonomyTerms.map { term in
            [term.term, term.code ?? term.id].compactMap { $0 }.joined(separator: " · ")
        }
        let view: [String: Any] = [
            "id": entry.id, "idQuery": Self.query(entry.id), "name": entry.name,
            "organization": Self.text(entry.organization), "description": Self.text(entry.description),
            "status": entry.status.rawValue, "active": entry.status == .active, "url": Self.text(entry.url),
            "email": Self.text(entry.email), "phones": entry.phones.map { ["text": $0] },
            "addresses": entry.addresses.map { ["text": $0] },
            "times": parts.regular.map { ["text": Self.describeFully(entry.schedules[$0])] },
            "holidays": Self.holidayLines(entry, parts: parts).map { ["text": $0] },
            "hasHolidays": !parts.closures.isEmpty,
            "needs": Self.text(needs.joined(separator: ", ")), "terms": Self.text(terms.joined(separator: "; ")),
        ]
        return site.page(
            "directory", title: entry.name, session: session, values: ["servicePage": view],
            current: "/directory")
    }

    /// `GET /directory/edit?id=…` (a service's fields) or `GET /directory/new` (an empty form).
    func editPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let session = try site.require([Self.staffRole], context)
        var fields = ServiceForm()
        if request.uri.path.hasSuffix("/edit") {
            let id = request.uri.queryParameters["id"].map(String.init) ?? ""
            guard let entry = service.composer.directory.services.first(where: { $0.id == id }) else {
                throw HTTPError(.notFound, message: "No service has that id in the directory in use.")
            }
            fields = ServiceForm(entry, needs: layout.needs)
        } else {
            fields.needs = []
        }
        return await editForm(fields, session: session, problems: [], error: nil)
    }

    /// The form, with what was typed and the problems found in it.
    func editForm(
        _ fields: ServiceForm, session: WebSession, problems: [String], error: String?, typed: [String] = [],
        status: HTTPResponse.Status? = nil
    ) async -> Response {
        let existing = fields.id.isEmpty ? nil : service.composer.directory.services.first { $0.id == fields.id }
        var rows: [[String: Any]] = []
        for (index, row) in fields.rows.enumerated() {
            var details: Any = false
            if let original = row.original, let existing, existing.schedules.indices.contains(original) {
                let schedule = existing.schedules[original]
                let extra = Self.describeExtras(schedule)
                if !extra.isEmpty { details = extra }
            }
            rows.append([
                "n": index, "number": index + 1, "original": row.original.map(String.init) ?? "", "days": row.days,
                "opens": row.opens, "closes": row.closes, "existing": row.original != nil, "remove": row.remove,
                "details": details,
            ])
        }
        for index in fields.rows.count..<(fields.rows.count + Self.emptyScheduleRows) {
            rows.append([
                "n": index, "number": index + 1, "original": "", "days": "", "opens": "", "closes": "",
                "existing": false, "remove": false, "details": false,
            ])
        }
        let statuses = ServiceStatus.allCases.map { status in
            ["value": status.rawValue, "selected": status.rawValue == fields.status] as [String: Any]
        }
        let needs = layout.needs.map { need in
            ["code": "\(need.code)", "label": need.label, "checked": fields.needs.contains("\(need.code)")]
                as [String: Any]
        }
        var holidays: [String] = []
        if let existing { holidays = Self.holidayLines(existing, parts: DirectoryWriter.parts(of: existing)) }
        var values: [String: Any] = [
            "id": fields.id, "idQuery": Self.query(fields.id), "isNew": fields.id.isEmpty, "name": fields.name,
            "organization": fields.organization, "description": fields.description, "phones": fields.phones,
            "addresses": fields.addresses, "url": fields.url, "email": fields.email, "statuses": statuses,
            "needs": needs, "rows": rows, "rowCount": rows.count, "holidays": holidays.map { ["text": $0] },
            "hasHolidays": !holidays.isEmpty,
            "problems": problems.map { ["text": $0] }, "hasProblems": !problems.isEmpty,
            "base": existing.map(Self.version) ?? "", "typed": typed.map { ["text": $0] }, "hasTyped": !typed.isEmpty,
        ]
        if let status = await directory?.status(), status.sourceKind == "feed" {
            values["feed"] = status.source
        }
        let title = fields.id.isEmpty ? "Add a service" : "Edit \(fields.name.isEmpty ? fields.id : fields.name)"
        return site.page(
            "directory", title: title, session: session, values: ["editPage": values],
            status: status ?? (problems.isEmpty && error == nil ? .ok : .unprocessableContent), error: error,
            current: "/directory")
    }

    /// `POST /directory/save`: the service as typed, in a copy of the directory in use, checked and applied. The
    /// form comes back with every problem (and what was typed) when the copy is refused.
    func saveService(_ request: Request, _ context: WebContext) async throws -> Response {
        let session = try site.require([Self.staffRole], context)
        let form = try await site.form(request, context, limit: 256 << 10)
        guard let directory else { throw HTTPError(.notFound, message: "This kiosk keeps no directory.") }
        let fields = ServiceForm(form)
        let current = service.composer.directory
        let original = fields.id.isEmpty ? nil : current.services.firstIndex { $0.id == fields.id }
        if !fields.id.isEmpty && original == nil {
            return await editForm(
                fields, session: session, problems: [],
                error: "This service is no longer in the directory in use (it may have been replaced by a pull); "
                    + "nothing was changed.")
        }
        // Changed since the form was opened (a colleague's save, an import, a pull): the form's rows point at
        // schedules as they were, and saving it would undo the other change. The form comes back as the service is
        // now, with what was typed listed to do again.
        if let original, fields.base != Self.version(of: current.services[original]) {
            return await changedMeanwhile(fields, session: session)
        }
        var formProblems = fields.problems
        if fields.name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            formProblems.append("Name: every service needs a name (it is what the slip prints).")
        }
        if !formProblems.isEmpty {
            return await editForm(
                fields, session: session, problems: formProblems, error: "Nothing was changed: fix the form first.")
        }
        let base = original.map { current.services[$0] }
        let id = fields.id.isEmpty ? Self.newServiceID(in: current) : fields.id
        let (edited, raw) = fields.service(id: id, base: base, needs: layout.needs)
        let node = DirectoryWriter.node(for: edited) { index, members in
            guard let typed = raw[index] else { return }
            members.removeAll {
                ["byday", "opens_at", "closes_at"].contains($0.key) || (typed.new && $0.key == "freq")
            }
            var added: [(key: String, value: JSONNode)] = []
            if !typed.days.isEmpty { added.append(("byday", DirectoryWriter.string(typed.days))) }
            if !typed.opens.isEmpty { added.append(("opens_at", DirectoryWriter.string(typed.opens))) }
            if !typed.closes.isEmpty { added.append(("closes_at", DirectoryWriter.string(typed.closes))) }
            members.insert(contentsOf: added, at: min(members.count, typed.new ? 0 : 1))
        }
        var nodes = current.services.map { DirectoryWriter.node(for: $0) }
        if let original { nodes[original] = node } else { nodes.append(node) }
        let document = DirectoryWriter.document(nodes)

        // The same rules the daemon applies: the problems of this service are shown on its form.
        let today = timeZone.localDate(of: service.clock.wall.date)
        let needs = layout.needs
        let result = try await Self.blocking {
            DirectoryDecoder().decode(document, format: .oruk3, needs: needs, today: today)
        }
        let errors = result.errors
        if !errors.isEmpty {
            let mine = errors.filter { $0.serviceID == id || $0.serviceID == nil }
            let others = errors.count - mine.count
            var lines = mine.prefix(30).map { Self.formMessage($0, raw: raw) }
            if others > 0 {
                lines.append(
                    "\(others) problem\(others == 1 ? "" : "s") in other services of the directory in use "
                        + "(`hubkiosk directory check` lists them).")
            }
            return await editForm(
                fields, session: session, problems: lines,
                error: "The service was not saved: \(errors.count) problem\(errors.count == 1 ? "" : "s") "
                    + "(the rules of `hubkiosk directory check`). Nothing was changed.")
        }
        // Every other service reads back as it is in use (a field the writer cannot say would be lost: said in the log).
        let written = Dictionary(result.directory.services.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for other in current.services where other.id != id {
            let differences = written[other.id].map { $0.differences(from: other) } ?? ["the whole service"]
            if !differences.isEmpty {
                logger.warning(
                    "directory edit: service \(other.id) does not read back alike (\(differences.joined(separator: ", ")))"
                )
            }
        }
        // Changed while it was checked (another save, a pull): this copy would undo that change.
        if service.composer.directory != current { return await changedMeanwhile(fields, session: session) }
        let status = await directory.apply(
            document: document, format: "oruk-v3", label: "edited on the staff pages by \(session.user)",
            allowLoss: false)
        let used = service.composer.directory == result.directory
        guard used else {
            return await editForm(
                fields, session: session, problems: [],
                error: "The service was not saved: \(status.result ?? status.lastError ?? "the directory refused it")"
            )
        }
        logger.notice(
            "directory service \(base == nil ? "added" : "edited") on the staff pages",
            metadata: ["user": "\(session.user)", "service": "\(id)"])
        let changes = DirectoryChanges(from: current, to: result.directory)
        var message = "Saved \"\(edited.name)\": \(changes.summary)."
        if status.sourceKind == "feed" {
            message += " The directory comes from a feed: the next pull replaces this edit unless the feed has it too."
        }
        site.flash(message, for: session)
        return WebSite.redirect("/directory/service?id=\(Self.query(id))")
    }

    /// A save refused because the service changed since its form was opened: the form as the service is now
    /// (a new service's form as typed), and what was typed listed to do again. Nothing is changed.
    func changedMeanwhile(_ fields: ServiceForm, session: WebSession) async -> Response {
        guard let entry = service.composer.directory.services.first(where: { $0.id == fields.id }) else {
            if fields.id.isEmpty {
                return await editForm(
                    fields, session: session, problems: [],
                    error: "Not saved: the directory changed while this service was checked. Save again.",
                    status: .conflict)
            }
            return await editForm(
                fields, session: session, problems: [],
                error: "This service is no longer in the directory in use (it may have been replaced by a pull); "
                    + "nothing was changed.", status: .conflict)
        }
        let now = ServiceForm(entry, needs: layout.needs)
        return await editForm(
            now, session: session, problems: [],
            error: "Not saved: this service was changed since you opened the form (by someone else, an import or a "
                + "pull of the feed). The form shows it as it is now; what you typed is listed below it, to make "
                + "your change again.",
            typed: fields.typedDifferences(from: now, needs: layout.needs), status: .conflict)
    }

    /// A service's version for its edit form: FNV-1a (64 bits) of the service as ORUK v3. The same service read
    /// again (a restart, a reload of the same file) has the same version.
    static func version(of service: DirectoryService) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in DirectoryWriter.document([DirectoryWriter.node(for: service)]) {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// `local-` and 8 random hex digits, unused in `directory`.
    static func newServiceID(in directory: ServiceDirectory) -> String {
        let used = Set(directory.services.map(\.id))
        while true {
            let hex = String(UInt32.random(in: .min ... .max), radix: 16)
            let id = "local-" + String(repeating: "0", count: 8 - hex.count) + hex
            if !used.contains(id) { return id }
        }
    }

    /// A problem as the form shows it: the row of the form it is about, then the field and message as
    /// `hubkiosk directory check` writes them.
    static func formMessage(_ problem: DirectoryProblem, raw: [Int: ServiceForm.TypedRow]) -> String {
        var located = problem
        located.line = nil
        var text = located.description
        if problem.field.hasPrefix("schedules["), let end = problem.field.firstIndex(of: "]"),
            let index = Int(problem.field.dropFirst("schedules[".count).prefix(upTo: end)),
            let row = raw.values.first(where: { $0.written == index })
        {
            text = "Opening times, row \(row.row + 1): " + text
        }
        return text
    }

    /// An id for a query string (`?id=`).
    static func query(_ id: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return id.addingPercentEncoding(withAllowedCharacters: allowed) ?? id
    }

    /// A schedule with everything it says: its days, times, repetition and dates.
    static func describeFully(_ schedule: ServiceSchedule) -> String {
        let extra = describeExtras(schedule)
        let main = describe(schedule)
        return [main, extra].filter { !$0.isEmpty }.joined(separator: "; ")
    }

    /// What the form's row does not show: days of the month, an interval, dates, a note.
    static func describeExtras(_ schedule: ServiceSchedule) -> String {
        var parts: [String] = []
        if !schedule.byMonthDay.isEmpty {
            parts.append("days of the month \(schedule.byMonthDay.map(String.init).joined(separator: ", "))")
        }
        if schedule.interval != 1 { parts.append("every \(schedule.interval) \(schedule.frequency.rawValue)") }
        if let start = schedule.start { parts.append("from \(start)") }
        if let until = schedule.until { parts.append("until \(until)") }
        if let from = schedule.validFrom { parts.append("valid from \(from)") }
        if let to = schedule.validTo { parts.append("valid to \(to)") }
        if let note = schedule.note { parts.append(note) }
        return parts.joined(separator: "; ")
    }

    static func holidayLines(_ entry: DirectoryService, parts: DirectoryWriter.ScheduleParts) -> [String] {
        parts.closures.map { closure in
            let opening = parts.holidayOpenings.map { entry.schedules[$0] }.first {
                $0.validFrom == closure.start && $0.validTo == closure.end
            }
            if let opening, let opens = opening.opensAt, let closes = opening.closesAt {
                return "\(closure): open \(opens)–\(closes) only"
            }
            return "\(closure): closed"
        }
    }

    static let serviceTemplate = """
        <p><a href="/directory">All services</a> · <a href="/directory/edit?id={{idQuery}}" id="edit-service">Edit this service</a></p>
        <dl class="card">
        <dt>Id</dt><dd>{{id}}</dd>
        <dt>Status</dt><dd id="service-status">{{status}}{{^active}} (not on slips){{/active}}</dd>
        {{#organization}}<dt>Organisation</dt><dd>{{organization}}</dd>{{/organization}}
        {{#description}}<dt>Description</dt><dd>{{description}}</dd>{{/description}}
        <dt>Phone</dt><dd>{{#phones}}{{text}}<br>{{/phones}}{{^phones}}none{{/phones}}</dd>
        <dt>Address</dt><dd>{{#addresses}}{{text}}<br>{{/addresses}}{{^addresses}}none{{/addresses}}</dd>
        {{#url}}<dt>Web address</dt><dd>{{url}}</dd>{{/url}}
        {{#email}}<dt>Email</dt><dd>{{email}}</dd>{{/email}}
        <dt>Opening times</dt><dd id="service-times">{{#times}}{{text}}<br>{{/times}}{{^times}}none{{/times}}</dd>
        {{#hasHolidays}}<dt>Holidays</dt><dd>{{#holidays}}{{text}}<br>{{/holidays}}</dd>{{/hasHolidays}}
        <dt>Needs</dt><dd>{{#needs}}{{needs}}{{/needs}}{{^needs}}none: no slip lists it{{/needs}}</dd>
        {{#terms}}<dt>Taxonomy terms</dt><dd>{{terms}}</dd>{{/terms}}
        </dl>
        """

    static let editTemplate = """
        {{#feed}}<p class="alert">This directory comes from a feed ({{feed}}): the next pull replaces edits made here unless the feed has them too.</p>{{/feed}}
        {{#hasProblems}}<h2>Problems</h2><ul id="edit-problems">{{#problems}}<li>{{text}}</li>{{/problems}}</ul>{{/hasProblems}}
        <form method="post" action="/directory/save" class="card">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <input type="hidden" name="id" value="{{id}}">
        <input type="hidden" name="rows" value="{{rowCount}}">
        <input type="hidden" name="base" value="{{base}}">
        <fieldset><legend>The service</legend>
        <p><label for="name">Name</label><input id="name" name="name" value="{{name}}" required maxlength="300"></p>
        <p><label for="organization">Organisation</label><input id="organization" name="organization" value="{{organization}}" maxlength="300"></p>
        <p><label for="description">Description</label><textarea id="description" name="description" rows="3" maxlength="4000">{{description}}</textarea></p>
        <p><label for="phones">Phone numbers (one a line)</label><textarea id="phones" name="phones" rows="2">{{phones}}</textarea></p>
        <p><label for="addresses">Addresses (one a line)</label><textarea id="addresses" name="addresses" rows="2">{{addresses}}</textarea></p>
        <p><label for="url">Web address</label><input id="url" name="url" type="url" value="{{url}}" maxlength="2000"></p>
        <p><label for="email">Email</label><input id="email" name="email" type="email" value="{{email}}" maxlength="300"></p>
        <p><label for="status">Status</label><select id="status" name="status">{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/statuses}}</select> <span class="help">Only active services are on slips.</span></p>
        </fieldset>
        <fieldset><legend>Needs it helps with</legend>
        <p class="checks">{{#needs}}<label><input type="checkbox" name="need" value="{{code}}"{{#checked}} checked{{/checked}}> {{label}}</label> {{/needs}}</p>
        </fieldset>
        <fieldset><legend>Opening times</legend>
        <p class="help">Days as MO TU WE TH FR SA SU (MO-FR for a range; 2MO is the second Monday of a month), times on the 24-hour clock (09:00, 17:30).</p>
        <div class="table-wrap"><table>
        <thead><tr><th scope="col">Row</th><th scope="col">Days</th><th scope="col">Opens</th><th scope="col">Closes</th><th scope="col">Remove</th></tr></thead>
        <tbody>{{#rows}}<tr><th scope="row">{{number}}<input type="hidden" name="s{{n}}_original" value="{{original}}"></th>
        <td><input name="s{{n}}_days" value="{{days}}" aria-label="Row {{number}} days" maxlength="100">{{#details}}<br><span class="help">{{details}}</span>{{/details}}</td>
        <td><input name="s{{n}}_opens" value="{{opens}}" aria-label="Row {{number}} opens" maxlength="20"></td>
        <td><input name="s{{n}}_closes" value="{{closes}}" aria-label="Row {{number}} closes" maxlength="20"></td>
        <td>{{#existing}}<label><input type="checkbox" name="s{{n}}_remove"{{#remove}} checked{{/remove}}> Remove</label>{{/existing}}</td></tr>{{/rows}}</tbody>
        </table></div>
        {{#hasHolidays}}<p>Holidays (kept as they are): {{#holidays}}{{text}}. {{/holidays}}</p>{{/hasHolidays}}
        </fieldset>
        {{#hasTyped}}<h2>What you typed (not saved)</h2><ul id="edit-typed">{{#typed}}<li>{{text}}</li>{{/typed}}</ul>{{/hasTyped}}
        <p><button type="submit" class="primary" id="save-service">Save</button> {{#isNew}}<a href="/directory">Cancel</a>{{/isNew}}{{^isNew}}<a href="/directory/service?id={{idQuery}}">Cancel</a>{{/isNew}} <span class="help">The whole directory is checked before it is used.</span></p>
        </form>
        """
}

/// What the service form holds, as typed: nothing in it is trusted, and every value is kept to show it again.
struct ServiceForm {
    struct Row {
        /// The index of the schedule the row shows, in the service as it was; nil for a new row.
        var original: Int?
        var days = ""
        var opens = ""
        var closes = ""
        var remove = false
    }

    /// A row as written for the check: its row on the form and its index in the written `schedules`.
    struct TypedRow {
        var row: Int
        var written: Int
        var new: Bool
        var days: String
        var opens: String
        var closes: String
    }

    var id = ""
    /// The version of the service the form was opened on (``StaffSite/version(of:)``); empty for a new one.
    var base = ""
    var name = ""
    var organization = ""
    var description = ""
    var phones = ""
    var addresses = ""
    var url = ""
    var email = ""
    var status = ServiceStatus.active.rawValue
    var needs: Set<String> = []
    var rows: [Row] = []
    /// What the form itself gets wrong (an unknown status, too many rows).
    var problems: [String] = []

    init() {}

    /// The service's fields, for its edit form.
    init(_ service: DirectoryService, needs: [Need]) {
        id = service.id
        name = service.name
        organization = service.organization ?? ""
        description = service.description ?? ""
        phones = service.phones.joined(separator: "\n")
        addresses = service.addresses.joined(separator: "\n")
        url = service.url ?? ""
        email = service.email ?? ""
        status = service.status.rawValue
        self.needs = Set(needs.filter { service.isTagged(withAnyOf: $0.taxonomyTerms) }.map { "\($0.code)" })
        for index in DirectoryWriter.parts(of: service).regular {
            let schedule = service.schedules[index]
            rows.append(
                Row(
                    original: index, days: schedule.byDay.map(\.description).joined(separator: " "),
                    opens: schedule.opensAt.map { DirectoryWriter.time($0, offset: schedule.opensAtUTCOffset) } ?? "",
                    closes: schedule.closesAt.map { DirectoryWriter.time($0, offset: schedule.closesAtUTCOffset) }
                        ?? ""))
        }
    }

    /// The form as posted.
    init(_ form: WebForm) {
        func field(_ name: String, limit: Int) -> String {
            let value = (form[name] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
            if value.count > limit {
                problems.append("\(name): at most \(limit) characters.")
                return String(value.prefix(limit))
            }
            return value
        }
        id = field("id", limit: 300).trimmingCharacters(in: .whitespacesAndNewlines)
        base = field("base", limit: 40).trimmingCharacters(in: .whitespaces)
        name = field("name", limit: 300)
        organization = field("organization", limit: 300)
        description = field("description", limit: 4000)
        phones = field("phones", limit: 2000)
        addresses = field("addresses", limit: 4000)
        url = field("url", limit: 2000)
        email = field("email", limit: 300)
        status = field("status", limit: 40)
        if ServiceStatus(rawValue: status) == nil {
            problems.append(
                "Status: \"\(status)\" is not one of " + ServiceStatus.allCases.map(\.rawValue).joined(separator: ", ")
                    + ".")
            status = ServiceStatus.active.rawValue
        }
        needs = Set(form.all("need").prefix(50))
        let count = Int(form["rows"] ?? "") ?? 0
        if count < 0 || count > StaffSite.formListLimit {
            problems.append("At most \(StaffSite.formListLimit) rows of opening times.")
        }
        for index in 0..<min(max(count, 0), StaffSite.formListLimit) {
            var row = Row()
            row.original = Int(form["s\(index)_original"] ?? "")
            row.days = field("s\(index)_days", limit: 100).trimmingCharacters(in: .whitespaces)
            row.opens = field("s\(index)_opens", limit: 20).trimmingCharacters(in: .whitespaces)
            row.closes = field("s\(index)_closes", limit: 20).trimmingCharacters(in: .whitespaces)
            row.remove = form["s\(index)_remove"] != nil
            if row.original == nil && row.days.isEmpty && row.opens.isEmpty && row.closes.isEmpty { continue }
            rows.append(row)
        }
        for (label, text) in [("Phone numbers", phones), ("Addresses", addresses)] {
            if Self.lines(text).count > StaffSite.formListLimit {
                problems.append("\(label): at most \(StaffSite.formListLimit).")
            }
        }
    }

    /// What this form says that `other` does not, a line per field, as typed: shown when a save was refused
    /// because the service changed meanwhile.
    func typedDifferences(from other: ServiceForm, needs: [Need]) -> [String] {
        var lines: [String] = []
        for (label, mine, theirs) in [
            ("Name", name, other.name), ("Organisation", organization, other.organization),
            ("Description", description, other.description), ("Web address", url, other.url),
            ("Email", email, other.email), ("Status", status, other.status),
        ] where mine.trimmingCharacters(in: .whitespacesAndNewlines) != theirs {
            lines.append("\(label): \(mine.isEmpty ? "(empty)" : mine)")
        }
        for (label, mine, theirs) in [
            ("Phone numbers", phones, other.phones), ("Addresses", addresses, other.addresses),
        ] where Self.lines(mine) != Self.lines(theirs) {
            lines.append("\(label): \(Self.lines(mine).joined(separator: "; "))")
        }
        if self.needs != other.needs {
            let labels = needs.filter { self.needs.contains("\($0.code)") }.map(\.label)
            lines.append("Needs: \(labels.isEmpty ? "none" : labels.joined(separator: ", "))")
        }
        let typedRows = self.rows.map { [$0.days, $0.opens, $0.closes, $0.remove ? "remove" : ""] }
        if typedRows != other.rows.map({ [$0.days, $0.opens, $0.closes, ""] }) {
            for (number, row) in self.rows.enumerated() {
                let times = [row.opens, row.closes].filter { !$0.isEmpty }.joined(separator: "–")
                let text = [row.days, times].filter { !$0.isEmpty }.joined(separator: " ")
                lines.append(
                    "Opening times, row \(number + 1): \(text.isEmpty ? "(empty)" : text)\(row.remove ? " (remove)" : "")"
                )
            }
        }
        return lines
    }

    static func lines(_ text: String) -> [String] {
        var seen: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty && !seen.contains(trimmed) { seen.append(trimmed) }
        }
        return seen
    }

    static func optional(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The service the form describes, from `base` (the service as it is; nil for a new one): its schedules, with
    /// each row's text as typed by the index it is written at (the check reads them as a file's).
    func service(id: String, base: DirectoryService?, needs: [Need]) -> (DirectoryService, [Int: TypedRow]) {
        var service = base ?? DirectoryService(id: id, name: "")
        service.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        service.organization = Self.optional(organization)
        service.description = Self.optional(description)
        service.phones = Self.lines(phones)
        service.addresses = Self.lines(addresses)
        service.url = Self.optional(url)
        service.email = Self.optional(email)
        service.status = ServiceStatus(rawValue: status) ?? .active
        // Needs: terms of needs ticked are kept (or the need's first term added), of needs not ticked removed.
        var terms = service.taxonomyTerms
        for need in needs {
            let matching = { (term: TaxonomyTerm) in need.taxonomyTerms.contains { term.matches($0) } }
            if self.needs.contains("\(need.code)") {
                if !terms.contains(where: matching), let first = need.taxonomyTerms.first {
                    terms.append(TaxonomyTerm(id: first, code: first))
                }
            } else {
                terms.removeAll(where: matching)
            }
        }
        service.taxonomyTerms = terms

        let parts = base.map { DirectoryWriter.parts(of: $0) }
        let old = base?.schedules ?? []
        var schedules: [ServiceSchedule] = []
        var typed: [Int: TypedRow] = [:]
        for (number, row) in rows.enumerated() where !row.remove {
            var schedule: ServiceSchedule
            let new: Bool
            if let original = row.original, parts?.regular.contains(original) ?? false {
                schedule = old[original]
                new = false
            } else {
                schedule = ServiceSchedule(frequency: .weekly, closures: parts?.closures ?? [])
                new = true
            }
            schedules.append(schedule)
            typed[schedules.count - 1] = TypedRow(
                row: number, written: schedules.count - 1, new: new, days: Self.days(row.days), opens: row.opens,
                closes: row.closes)
        }
        // Every regular schedule (with the holidays' closures) first, then the holidays' own hours, as read.
        if let parts { schedules += parts.holidayOpenings.map { old[$0] } }
        // A new service's first regular schedule carries no closures: nothing to keep.
        service.schedules = schedules
        return (service, typed)
    }

    /// Days as people type them (`Mon, Tue`, `mo-fr`, `Monday`) in the reader's form (`MO,TU`); anything else is
    /// left for the reader to name.
    static func days(_ text: String) -> String {
        let codes = Weekday.allCases.map(\.rawValue)
        func code(_ word: Substring) -> String {
            let key = word.lowercased()
            if key.count >= 2, let day = Weekday.allCases.first(where: { $0.rawValue.lowercased() == key }) {
                return day.rawValue
            }
            let names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
            if key.count >= 3, let index = names.firstIndex(where: { $0.hasPrefix(key) }) { return codes[index] }
            return String(word).uppercased()
        }
        var out: [String] = []
        for word in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }) {
            let ends = word.split(separator: "-", maxSplits: 1)
            if ends.count == 2, let first = codes.firstIndex(of: code(ends[0])),
                let last = codes.firstIndex(of: code(ends[1])), first <= last
            {
                out += codes[first...last]
            } else {
                out.append(code(word))
            }
        }
        return out.joined(separator: ",")
    }
}
