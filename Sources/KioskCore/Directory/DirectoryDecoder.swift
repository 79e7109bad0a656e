import Foundation

/// Reads an Open Referral UK v3 / HSDS 3 directory: a plain list of services, or the paginated envelope with
/// `contents`. Older ORUK v1 fields (`regular_schedules`, `service_taxonomys`) are read too.
///
/// Decoding never stops at the first problem: it reports every problem with its line, service id and field,
/// and keeps every service it could read.
public struct DirectoryDecoder {
    public struct Result: Sendable {
        public var directory: ServiceDirectory
        public var problems: [DirectoryProblem]

        public init(directory: ServiceDirectory, problems: [DirectoryProblem]) {
            self.directory = directory
            self.problems = problems
        }

        public var errors: [DirectoryProblem] { problems.filter { $0.severity == .error } }
        public var warnings: [DirectoryProblem] { problems.filter { $0.severity == .warning } }
    }

    public init() {}

    /// Decodes `bytes`; when `needs` is given, also warns about services no need finds and needs with no service.
    public func decode(_ bytes: [UInt8], needs: [Need]? = nil) -> Result {
        let root: JSONNode
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            let problem = DirectoryProblem(
                severity: .error, line: error.line, serviceID: nil, field: "",
                message: "not valid JSON at column \(error.column): \(error.message)")
            return Result(directory: ServiceDirectory(services: []), problems: [problem])
        }
        var problems: [DirectoryProblem] = []
        let items: [JSONNode]
        if let list = root.array {
            items = list
        } else if let contents = root["contents"]?.array {
            items = contents
            if let pages = root["total_pages"]?.number, pages > 1 {
                problems.append(
                    DirectoryProblem(
                        severity: .warning, line: root.line, serviceID: nil, field: "total_pages",
                        message:
                            "the file holds one page of \(Int(pages)); services on the other pages are missing"))
            }
        } else {
            problems.append(
                DirectoryProblem(
                    severity: .error, line: root.line, serviceID: nil, field: "",
                    message: "expected a list of services, or an object with \"contents\"; found \(root.kindName)"))
            return Result(directory: ServiceDirectory(services: []), problems: problems)
        }
        var services: [DirectoryService] = []
        var seen: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            var reader = ServiceReader(index: index, node: item)
            if let service = reader.read() {
                if let firstLine = seen[service.id] {
                    reader.problem(
                        .error, item["id"] ?? item, "id",
                        "the id is used twice (first on line \(firstLine)); every service needs its own id")
                } else {
                    seen[service.id] = item.line
                    services.append(service)
                }
            }
            problems += reader.problems
        }
        let directory = ServiceDirectory(services: services)
        if let needs {
            problems += coverage(of: directory, needs: needs, items: items)
        }
        return Result(directory: directory, problems: problems)
    }

    private func coverage(of directory: ServiceDirectory, needs: [Need], items: [JSONNode]) -> [DirectoryProblem] {
        var problems: [DirectoryProblem] = []
        let lines = Dictionary(
            items.compactMap { item in item["id"]?.string.map { ($0, item.line) } }, uniquingKeysWith: { a, _ in a })
        for service in directory.services where service.status == .active {
            if !needs.contains(where: { service.isTagged(withAnyOf: $0.taxonomyTerms) }) {
                problems.append(
                    DirectoryProblem(
                        severity: .warning, line: lines[service.id], serviceID: service.id, field: "attributes",
                        message:
                            "no kiosk need maps to its taxonomy terms, so it never appears on a slip "
                            + "(add a term to a need's `taxonomy` in the config, or tag the service)"))
            }
        }
        for need in needs where directory.activeServices(for: need).isEmpty {
            problems.append(
                DirectoryProblem(
                    severity: .warning, line: nil, serviceID: nil, field: "need \(need.code)",
                    message:
                        "no active service has any of the terms \(need.taxonomyTerms); its slip lists no service"))
        }
        return problems
    }
}

/// Reads one service, collecting problems.
struct ServiceReader {
    let index: Int
    let node: JSONNode
    var serviceID: String?
    var problems: [DirectoryProblem] = []

    init(index: Int, node: JSONNode) {
        self.index = index
        self.node = node
    }

    mutating func problem(_ severity: DirectoryProblem.Severity, _ at: JSONNode, _ field: String, _ message: String) {
        let location = serviceID == nil ? "services[\(index)]" + (field.isEmpty ? "" : ".\(field)") : field
        problems.append(
            DirectoryProblem(severity: severity, line: at.line, serviceID: serviceID, field: location, message: message)
        )
    }

    /// Optional text: nil when absent or null; a problem when it is not text.
    mutating func text(_ parent: JSONNode, _ key: String, field: String? = nil) -> String? {
        guard let value = parent[key], !value.isNull else { return nil }
        if let number = value.number {
            return number == number.rounded() ? String(Int(number)) : String(number)
        }
        guard let text = value.string else {
            problem(.error, value, field ?? key, "should be text; found \(value.kindName)")
            return nil
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    mutating func list(_ parent: JSONNode, _ key: String, field: String? = nil) -> [JSONNode] {
        guard let value = parent[key], !value.isNull else { return [] }
        guard let items = value.array else {
            problem(.error, value, field ?? key, "should be a list; found \(value.kindName)")
            return []
        }
        return items
    }

    mutating func read() -> DirectoryService? {
        guard case .object = node.value else {
            problem(.error, node, "", "should be an object (a service); found \(node.kindName)")
            return nil
        }
        let id = text(node, "id")
        serviceID = id
        guard let id else {
            problem(.error, node, "id", "every service needs an \"id\"")
            return nil
        }
        let name = text(node, "name")
        if name == nil { problem(.error, node, "name", "every service needs a \"name\": it is what the slip prints") }

        var status = ServiceStatus.active
        if let statusNode = node["status"], let raw = text(node, "status") {
            if let parsed = ServiceStatus(rawValue: raw.lowercased()) {
                status = parsed
            } else {
                problem(
                    .error, statusNode, "status",
                    "\"\(raw)\" is not a status; use one of "
                        + ServiceStatus.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
            }
        } else {
            problem(.warning, node, "status", "no status; the service is taken to be \"active\"")
        }

        var url = text(node, "url")
        if let value = url, !(value.hasPrefix("https://") || value.hasPrefix("http://")) {
            problem(.warning, node["url"] ?? node, "url", "\"\(value)\" is not a web address (https://…); not printed")
            url = nil
        }
        let email = text(node, "email")
        let organization = node["organization"].flatMap { text($0, "name", field: "organization.name") }

        var phones: [String] = []
        func addPhone(_ number: String?) {
            if let number, !phones.contains(number) { phones.append(number) }
        }
        for (i, phone) in list(node, "phones").enumerated() {
            addPhone(text(phone, "number", field: "phones[\(i)].number"))
        }
        for (i, contact) in list(node, "contacts").enumerated() {
            for (j, phone) in list(contact, "phones", field: "contacts[\(i)].phones").enumerated() {
                addPhone(text(phone, "number", field: "contacts[\(i)].phones[\(j)].number"))
            }
        }

        var schedules: [ServiceSchedule] = []
        for (i, entry) in list(node, "schedules").enumerated() {
            if let schedule = readSchedule(entry, field: "schedules[\(i)]") { schedules.append(schedule) }
        }
        for (i, entry) in list(node, "regular_schedules").enumerated() {
            if let schedule = readSchedule(entry, field: "regular_schedules[\(i)]") { schedules.append(schedule) }
        }

        var addresses: [String] = []
        for (i, link) in list(node, "service_at_locations").enumerated() {
            let field = "service_at_locations[\(i)]"
            if let location = link["location"], !location.isNull {
                let locationName = text(location, "name", field: "\(field).location.name")
                let lines = list(location, "addresses", field: "\(field).location.addresses")
                if lines.isEmpty, let locationName { addresses.append(locationName) }
                for (j, address) in lines.enumerated() {
                    let f = "\(field).location.addresses[\(j)]"
                    var parts: [String] = []
                    for key in ["address_1", "address_2", "city", "postal_code"] {
                        if let part = text(address, key, field: "\(f).\(key)"), !parts.contains(part) {
                            parts.append(part)
                        }
                    }
                    if let locationName, !parts.contains(locationName) { parts.insert(locationName, at: 0) }
                    if !parts.isEmpty { addresses.append(parts.joined(separator: ", ")) }
                }
                for (j, phone) in list(location, "phones", field: "\(field).location.phones").enumerated() {
                    addPhone(text(phone, "number", field: "\(field).location.phones[\(j)].number"))
                }
            }
            for (j, entry) in list(link, "schedules", field: "\(field).schedules").enumerated() {
                if let schedule = readSchedule(entry, field: "\(field).schedules[\(j)]") { schedules.append(schedule) }
            }
        }

        var terms: [TaxonomyTerm] = []
        for (i, attribute) in list(node, "attributes").enumerated() {
            let field = "attributes[\(i)]"
            if let termNode = attribute["taxonomy_term"], !termNode.isNull {
                terms.append(readTerm(termNode, field: "\(field).taxonomy_term"))
            } else if let termID = text(attribute, "taxonomy_term_id", field: "\(field).taxonomy_term_id") {
                terms.append(TaxonomyTerm(id: termID))
            }
        }
        for (i, entry) in list(node, "taxonomy_terms").enumerated() {
            terms.append(readTerm(entry, field: "taxonomy_terms[\(i)]"))
        }
        for (i, entry) in list(node, "service_taxonomys").enumerated() {
            if let termNode = entry["taxonomy"], !termNode.isNull {
                terms.append(readTerm(termNode, field: "service_taxonomys[\(i)].taxonomy"))
            }
        }
        if terms.isEmpty && status == .active {
            problem(.warning, node, "attributes", "no taxonomy terms: no need finds this service, so no slip lists it")
        }
        if status == .active && phones.isEmpty && url == nil && addresses.isEmpty {
            problem(.warning, node, "phones", "no phone, web address or location: the slip cannot say how to reach it")
        }

        return DirectoryService(
            id: id, name: name ?? id, organization: organization, description: text(node, "description"),
            status: status, url: url, email: email, phones: phones, addresses: addresses, schedules: schedules,
            taxonomyTerms: terms)
    }

    mutating func readTerm(_ node: JSONNode, field: String) -> TaxonomyTerm {
        TaxonomyTerm(
            id: text(node, "id", field: "\(field).id"),
            code: text(node, "code", field: "\(field).code"),
            term: text(node, "term", field: "\(field).term") ?? text(node, "name", field: "\(field).name"),
            vocabulary: text(node, "vocabulary", field: "\(field).vocabulary"))
    }

    mutating func readSchedule(_ node: JSONNode, field: String) -> ServiceSchedule? {
        guard case .object = node.value else {
            problem(.error, node, field, "should be an object (a schedule); found \(node.kindName)")
            return nil
        }
        let errorsBefore = problems.filter { $0.severity == .error }.count
        let note =
            text(node, "description", field: "\(field).description") ?? text(node, "notes", field: "\(field).notes")

        var byDay: [ServiceSchedule.DayRule] = []
        if let raw = text(node, "byday", field: "\(field).byday") {
            for part in raw.split(separator: ",") {
                if let rule = ServiceSchedule.DayRule(text: part) {
                    byDay.append(rule)
                } else {
                    problem(
                        .error, node["byday"]!, "\(field).byday",
                        "\"\(part)\" is not a weekday rule: use MO TU WE TH FR SA SU, with an ordinal for monthly "
                            + "patterns (2MO = second Monday, -1FR = last Friday)")
                }
            }
        }
        // ORUK v1 `weekday` ("Monday" or 1–7).
        if let weekdayNode = node["weekday"], !weekdayNode.isNull {
            let raw = text(node, "weekday", field: "\(field).weekday") ?? ""
            let names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
            if let number = Int(raw), (1...7).contains(number) {
                byDay.append(.init(weekday: Weekday.allCases[number - 1]))
            } else if let i = names.firstIndex(of: raw.lowercased()) {
                byDay.append(.init(weekday: Weekday.allCases[i]))
            } else {
                problem(
                    .error, weekdayNode, "\(field).weekday", "\"\(raw)\" is not a weekday (Monday … Sunday, or 1–7)")
            }
        }

        var byMonthDay: [Int] = []
        if let raw = text(node, "bymonthday", field: "\(field).bymonthday") {
            for part in raw.split(separator: ",") {
                let trimmed = part.trimmingCharacters(in: .whitespaces)
                if let day = Int(trimmed), day != 0, (-31...31).contains(day) {
                    byMonthDay.append(day)
                } else {
                    problem(
                        .error, node["bymonthday"]!, "\(field).bymonthday",
                        "\"\(trimmed)\" is not a day of the month (1–31, or -1 for the last)")
                }
            }
        }

        var frequency: ServiceSchedule.Frequency?
        if let raw = text(node, "freq", field: "\(field).freq") {
            frequency = ServiceSchedule.Frequency(rawValue: raw.uppercased())
            if frequency == nil {
                problem(
                    .error, node["freq"]!, "\(field).freq",
                    "\"\(raw)\" is not DAILY, WEEKLY or MONTHLY (fortnightly is WEEKLY with \"interval\": 2)")
            }
        } else if !byDay.isEmpty {
            frequency = byDay.contains { $0.ordinal != nil } ? .monthly : .weekly
        } else if !byMonthDay.isEmpty {
            frequency = .monthly
        }

        var interval = 1
        if let intervalNode = node["interval"], !intervalNode.isNull {
            let raw = text(node, "interval", field: "\(field).interval") ?? ""
            if let value = Int(raw), value >= 1, value <= 52 {
                interval = value
            } else {
                problem(.error, intervalNode, "\(field).interval", "\"\(raw)\" is not a whole number from 1 to 52")
            }
        }

        func time(_ key: String) -> LocalTime? {
            guard let raw = text(node, key, field: "\(field).\(key)") else { return nil }
            if let time = LocalTime(text: raw) { return time }
            problem(.error, node[key]!, "\(field).\(key)", "\"\(raw)\" is not a time of day (HH:MM, 24-hour)")
            return nil
        }
        func date(_ key: String) -> LocalDate? {
            guard let raw = text(node, key, field: "\(field).\(key)") else { return nil }
            if let date = LocalDate(iso: raw) { return date }
            problem(.error, node[key]!, "\(field).\(key)", "\"\(raw)\" is not a date (YYYY-MM-DD)")
            return nil
        }
        let opensAt = time("opens_at")
        let closesAt = time("closes_at")
        let validFrom = date("valid_from")
        let validTo = date("valid_to")
        let start = date("dtstart")
        let until = date("until")

        if let opensAt, let closesAt, opensAt == closesAt {
            problem(.error, node["closes_at"]!, "\(field).closes_at", "closes at the time it opens (\(opensAt))")
        }
        if (opensAt == nil) != (closesAt == nil) {
            let missing = opensAt == nil ? "opens_at" : "closes_at"
            problem(
                .error, node, "\(field).\(missing)",
                "has \(missing == "opens_at" ? "closes_at" : "opens_at") but no \(missing)")
        }
        if let validFrom, let validTo, validTo < validFrom {
            problem(
                .error, node["valid_to"]!, "\(field).valid_to", "valid_to \(validTo) is before valid_from \(validFrom)")
        }
        for key in ["byweekno", "byyearday", "count"] {
            if let value = node[key], !value.isNull {
                problem(.warning, value, "\(field).\(key)", "\(key) is not supported and is ignored")
            }
        }
        if problems.filter({ $0.severity == .error }).count > errorsBefore { return nil }

        guard let frequency else {
            if opensAt != nil {
                problem(.error, node, "\(field).freq", "has opening times but no freq or byday to say which days")
                return nil
            }
            if note == nil {
                problem(
                    .warning, node, field, "has no freq, byday, times or description; it says nothing and is ignored")
                return nil
            }
            return ServiceSchedule(frequency: .weekly, note: note)
        }
        let schedule = ServiceSchedule(
            frequency: frequency, interval: interval, byDay: byDay, byMonthDay: byMonthDay, opensAt: opensAt,
            closesAt: closesAt, start: start, until: until, validFrom: validFrom, validTo: validTo, note: note)
        if opensAt != nil && !schedule.isUsable {
            if interval > 1 && schedule.anchor == nil {
                problem(
                    .error, node["interval"] ?? node, "\(field).interval",
                    "an interval of \(interval) needs \"dtstart\" (or \"valid_from\") to count from")
            } else {
                problem(
                    .error, node, "\(field).byday", "\(frequency.rawValue) needs byday (or dtstart) to say which day")
            }
            return nil
        }
        if opensAt == nil && note == nil {
            problem(.warning, node, "\(field).opens_at", "no opening times: the slip cannot say when it is open")
        }
        return schedule
    }
}
