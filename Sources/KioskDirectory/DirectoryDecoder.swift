import Foundation
import KioskCore

/// Reads a directory file in one of the ``DirectoryFormat``s:
///
/// - ORUK v3 / HSDS 3: a plain list of services, the paginated envelope (`total_items`, `total_pages`,
///   `page_number`, `contents`), an object with `services`, or one service (what `/services/{id}` returns);
/// - ORUK v1: the envelope `totalElements`/`totalPages`/`number`/`content`, services with `regular_schedules`,
///   `holiday_schedules` and `service_taxonomys` (an ORUK v3 file may carry these too, and they are read there);
/// - ALISS (API v4): a page of `/api/v4/services/` (`{"meta", "count", "next", "previous", "data": […]}`) or one
///   service as `/api/v4/services/{id}/` returns it (`{"meta", "data": {…}}`), services with `categories`,
///   `locations` and `organisation`.
///
/// A file of other records (taxonomy terms, categories, service-at-location records, locations, organizations) is
/// refused with a message saying what it is.
///
/// Decoding never stops at the first problem: it reports every problem with its line, service id and field,
/// and keeps every service it could read.
public struct DirectoryDecoder {
    public struct Result: Sendable {
        public var directory: ServiceDirectory
        public var problems: [DirectoryProblem]
        /// The format the file was read as (what ``DirectoryFormat/auto`` found).
        public var format: DirectoryFormat

        public init(directory: ServiceDirectory, problems: [DirectoryProblem], format: DirectoryFormat = .oruk3) {
            self.directory = directory
            self.problems = problems
            self.format = format
        }

        public var errors: [DirectoryProblem] { problems.filter { $0.severity == .error } }
        public var warnings: [DirectoryProblem] { problems.filter { $0.severity == .warning } }
    }

    public init() {}

    /// Decodes `bytes` as `format`; when `needs` is given, also warns about services no need finds and needs with no
    /// service; when `today` is given, also about schedules whose validity ended before it.
    public func decode(
        _ bytes: [UInt8], format requested: DirectoryFormat = .auto, needs: [Need]? = nil, today: LocalDate? = nil
    ) -> Result {
        let root: JSONNode
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            let problem = DirectoryProblem(
                severity: .error, line: error.line, serviceID: nil, field: "",
                message: "not valid JSON at column \(error.column): \(error.message)")
            return Result(directory: ServiceDirectory(services: []), problems: [problem], format: requested)
        }
        let format = requested == .auto ? Self.detect(root) : requested
        var problems: [DirectoryProblem] = []
        let found =
            format == .aliss ? alissItems(in: root, problems: &problems) : serviceItems(in: root, problems: &problems)
        guard let items = found else {
            return Result(directory: ServiceDirectory(services: []), problems: problems, format: format)
        }
        // A format named by hand that does not fit the records: said once, rather than a warning per service.
        let keys = Set(items.prefix(20).flatMap { $0.members?.map(\.key) ?? [] })
        if format == .aliss && !keys.isDisjoint(with: Self.orukOnly)
            && keys.isDisjoint(with: ["categories", "organisation", "locations"])
        {
            let evidence = Self.quoted(keys.intersection(Self.orukOnly).sorted())
            problems.append(
                DirectoryProblem(
                    severity: .error, line: root.line, serviceID: nil, field: "",
                    message:
                        "read as ALISS, but these are Open Referral services (they have \(evidence)); use the format "
                        + "oruk3 (or auto)"))
            return Result(directory: ServiceDirectory(services: []), problems: problems, format: format)
        }
        if requested != .auto && format != .aliss && Self.detect(root) == .aliss {
            problems.append(
                DirectoryProblem(
                    severity: .warning, line: root.line, serviceID: nil, field: "",
                    message:
                        "read as \(format), but these look like ALISS services (\"organisation\", \"categories\"); "
                        + "their categories are not read: use the format aliss (or auto)"))
        }
        var services: [DirectoryService] = []
        // The first line and position in `services` of each id.
        var seen: [String: (line: Int, position: Int)] = [:]
        for (index, item) in items.enumerated() {
            let (kind, evidence) = RecordKind.of(item)
            if format != .aliss && !kind.isService {
                problems.append(
                    DirectoryProblem(
                        severity: .error, line: item.line, serviceID: nil, field: "services[\(index)]",
                        message:
                            "is a \(kind.singular) (it has \(Self.quoted(evidence))), not a service; remove it from "
                            + "the list of services"))
                continue
            }
            var reader = ServiceReader(index: index, node: item, format: format, today: today)
            guard let service = reader.read() else {
                problems += reader.problems
                continue
            }
            let idNode = item["id"] ?? item
            guard let first = seen[service.id] else {
                seen[service.id] = (idNode.line, services.count)
                services.append(service)
                problems += reader.problems
                continue
            }
            let differences = services[first.position].differences(from: service)
            if differences.isEmpty {
                // The repeat's own problems are the first copy's again.
                problems.append(
                    DirectoryProblem(
                        severity: .warning, line: idNode.line, serviceID: service.id, field: "id",
                        message:
                            "the service appears again (first on line \(first.line)) with the same content, as when a "
                            + "feed repeats a service on two pages; the copies are merged"))
            } else {
                problems.append(
                    DirectoryProblem(
                        severity: .error, line: idNode.line, serviceID: service.id, field: "id",
                        message:
                            "the id is used twice (first on line \(first.line)) with different "
                            + "\(differences.joined(separator: ", ")); every service needs its own id (if the feed "
                            + "changed while its pages were fetched, fetch it again)"))
                problems += reader.problems
            }
        }
        let directory = ServiceDirectory(services: services)
        if let needs {
            problems += coverage(of: directory, needs: needs, items: items, format: format)
        }
        return Result(directory: directory, problems: problems, format: format)
    }

    /// Fields of Open Referral services that ALISS services never have.
    static let orukOnly: Set<String> = [
        "status", "schedules", "attributes", "service_at_locations", "regular_schedules", "service_taxonomys",
        "taxonomy_terms", "organization", "phones", "contacts",
    ]

    /// The format of a parsed file: ALISS's envelope (`data` with `count` or `next`) or its services (`categories`
    /// with `organisation`); ORUK v1's envelope (`content`, `totalElements`) or v1-only service fields; else ORUK v3.
    static func detect(_ root: JSONNode) -> DirectoryFormat {
        let items: [JSONNode]
        if let list = root.array {
            items = list
        } else if root.members != nil {
            // ALISS API v4 wraps every answer in `data`, beside `meta` (its licence): a page of services (with
            // `count`, `next`, `previous`), one service (`/services/{id}/`), or another list.
            if let data = root["data"] {
                if data.array != nil && (root["count"] != nil || root["next"] != nil || root["meta"] != nil) {
                    return .aliss
                }
                if data.members != nil && (root["meta"] != nil || data["organisation"] != nil) { return .aliss }
            }
            if root["content"] != nil || root["totalElements"] != nil { return .oruk1 }
            if root["contents"] != nil || root["total_items"] != nil { return .oruk3 }
            items = root["services"]?.array ?? root["data"]?.array ?? [root]
        } else {
            return .oruk3
        }
        let keys = Set(items.prefix(20).flatMap { $0.members?.map(\.key) ?? [] })
        if keys.isDisjoint(with: orukOnly) && keys.contains("id")
            && (keys.contains("organisation") || (keys.contains("categories") && keys.contains("locations")))
        {
            return .aliss
        }
        if !keys.isDisjoint(with: ["regular_schedules", "holiday_schedules", "service_taxonomys"])
            && !keys.contains("schedules")
        {
            return .oruk1
        }
        return .oruk3
    }

    /// The records of `root` to read as services; nil, with the problem, when the file is not a directory of
    /// services.
    private func serviceItems(in root: JSONNode, problems: inout [DirectoryProblem]) -> [JSONNode]? {
        func refuse(_ message: String, line: Int? = nil, field: String = "") -> [JSONNode]? {
            problems.append(
                DirectoryProblem(
                    severity: .error, line: line ?? root.line, serviceID: nil, field: field, message: message))
            return nil
        }
        let items: [JSONNode]
        if let list = root.array {
            items = list
        } else if let members = root.members {
            // ORUK v3 pages hold "contents"; ORUK v1 (Spring-style) pages hold "content" and "totalPages".
            let pageKey = root["contents"] != nil ? "contents" : "content"
            if let contents = root[pageKey] {
                guard let list = contents.array else {
                    return refuse(
                        "\"\(pageKey)\" should be the list of services; found \(contents.kindName)",
                        line: contents.line,
                        field: pageKey)
                }
                items = list
                envelopeChecks(root, count: list.count, problems: &problems)
                let pagesKey = root["total_pages"] != nil ? "total_pages" : "totalPages"
                if let pages = root[pagesKey], !pages.isNull {
                    if let count = pages.jsonNumber?.integer, count >= 0 {
                        if count > 1 {
                            problems.append(
                                DirectoryProblem(
                                    severity: .warning, line: pages.line, serviceID: nil, field: pagesKey,
                                    message:
                                        "the file holds one page of \(count); services on the other pages are missing"))
                        }
                    } else {
                        let written = pages.jsonNumber?.text ?? pages.string.map { "\"\($0)\"" } ?? pages.kindName
                        problems.append(
                            DirectoryProblem(
                                severity: .warning, line: pages.line, serviceID: nil, field: pagesKey,
                                message: "\(written) is not a number of pages; ignored"))
                    }
                }
            } else if let services = root["services"], let list = services.array {
                items = list
            } else {
                let (kind, evidence) = RecordKind.of(root)
                if kind.isService && root["id"] != nil {
                    // One service, as `/services/{id}` returns it.
                    items = [root]
                } else if root["id"] != nil {
                    return refuse(
                        "this file is one \(kind.singular) (it has \(Self.quoted(evidence))), not services. \(kind.advice)"
                    )
                } else if let member = members.first(where: { $0.value.array?.first?.members != nil }),
                    let list = member.value.array
                {
                    let key = member.key
                    let kinds = list.map { RecordKind.of($0) }
                    if let other = kinds.first(where: { !$0.kind.isService }) {
                        return refuse(
                            "this file holds \(other.kind.plural) in \"\(key)\" (they have "
                                + "\(Self.quoted(other.evidence))), not services. \(other.kind.advice)")
                    }
                    return refuse(
                        "expected a list of services, an object with \"contents\" or \"services\", or one service; "
                            + "found an object whose list is \"\(key)\". If \"\(key)\" holds the services, rename it "
                            + "\"services\" (or save just the list).")
                } else {
                    let names = members.prefix(6).map { "\"\($0.key)\"" }.joined(separator: ", ")
                    return refuse(
                        "expected a list of services, an object with \"contents\" or \"services\", or one service "
                            + "(with \"id\" and \"name\"); found an object with \(members.isEmpty ? "no members" : names)"
                    )
                }
            }
        } else {
            return refuse(
                "expected a list of services, an object with \"contents\" or \"services\", or one service; found "
                    + root.kindName)
        }
        // A list whose records are all of another kind is not a directory of services at all.
        let kinds = items.map { RecordKind.of($0) }
        if let first = kinds.first, !kinds.contains(where: { $0.kind.isService }),
            kinds.allSatisfy({ $0.kind == first.kind })
        {
            return refuse(
                "this file is a list of \(first.kind.plural) (they have \(Self.quoted(first.evidence))), not services. "
                    + first.kind.advice)
        }
        return items
    }

    /// Warnings for a page envelope that is not the whole directory: a later page (`page_number` above 1 in ORUK
    /// v3, `number` above 0 in ORUK v1, which counts from 0), or a `total_items`/`totalElements` other than the
    /// count in the file (counts in envelopes are often wrong: every item in the file is read regardless).
    private func envelopeChecks(_ root: JSONNode, count: Int, problems: inout [DirectoryProblem]) {
        for (key, first) in [("page_number", 1), ("number", 0)] {
            guard let node = root[key], let page = node.jsonNumber?.integer else { continue }
            if page > first {
                problems.append(
                    DirectoryProblem(
                        severity: .warning, line: node.line, serviceID: nil, field: key,
                        message: "the file is page \(page) (the first is \(first)); services on other pages are missing"
                    ))
            }
        }
        for key in ["total_items", "totalElements"] {
            guard let node = root[key], let total = node.jsonNumber?.integer, total != count else { continue }
            let pages = (root["total_pages"] ?? root["totalPages"])?.jsonNumber?.integer ?? 1
            guard pages <= 1 else { continue }
            problems.append(
                DirectoryProblem(
                    severity: .warning, line: node.line, serviceID: nil, field: key,
                    message: "says \(total) services, but the file holds \(count); every service in it is read"))
        }
    }

    static func quoted(_ names: [String]) -> String {
        names.prefix(3).map { "\"\($0)\"" }.joined(separator: ", ")
    }

    private func coverage(
        of directory: ServiceDirectory, needs: [Need], items: [JSONNode], format: DirectoryFormat
    ) -> [DirectoryProblem] {
        var problems: [DirectoryProblem] = []
        let lines = Dictionary(
            items.compactMap { item in
                let id = item["id"].flatMap { $0.string ?? $0.jsonNumber?.integer.map(String.init) }
                return id.map { ($0.trimmingCharacters(in: .whitespacesAndNewlines), item.line) }
            }, uniquingKeysWith: { a, _ in a })
        for service in directory.services where service.status == .active {
            if !needs.contains(where: { service.isTagged(withAnyOf: $0.taxonomyTerms) }) {
                problems.append(
                    DirectoryProblem(
                        severity: .warning, line: lines[service.id], serviceID: service.id,
                        field: format == .aliss ? "categories" : "attributes",
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
