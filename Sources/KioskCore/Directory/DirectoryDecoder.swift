import Foundation

/// Reads an Open Referral UK v3 / HSDS 3 directory: a plain list of services, the paginated envelope with
/// `contents` (ORUK v1: `content`), an object with `services`, or one service (what `/services/{id}` returns). Older ORUK v1 fields
/// (`regular_schedules`, `service_taxonomys`) are read too. A file of other records (taxonomy terms, categories,
/// service-at-location records, locations, organizations) is refused with a message saying what it is.
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
        guard let items = serviceItems(in: root, problems: &problems) else {
            return Result(directory: ServiceDirectory(services: []), problems: problems)
        }
        var services: [DirectoryService] = []
        // The first line and position in `services` of each id.
        var seen: [String: (line: Int, position: Int)] = [:]
        for (index, item) in items.enumerated() {
            let (kind, evidence) = RecordKind.of(item)
            if !kind.isService {
                problems.append(
                    DirectoryProblem(
                        severity: .error, line: item.line, serviceID: nil, field: "services[\(index)]",
                        message:
                            "is a \(kind.singular) (it has \(Self.quoted(evidence))), not a service; remove it from "
                            + "the list of services"))
                continue
            }
            var reader = ServiceReader(index: index, node: item)
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
            problems += coverage(of: directory, needs: needs, items: items)
        }
        return Result(directory: directory, problems: problems)
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

    static func quoted(_ names: [String]) -> String {
        names.prefix(3).map { "\"\($0)\"" }.joined(separator: ", ")
    }

    private func coverage(of directory: ServiceDirectory, needs: [Need], items: [JSONNode]) -> [DirectoryProblem] {
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
