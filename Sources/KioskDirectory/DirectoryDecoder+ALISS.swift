import KioskCore

extension DirectoryDecoder {
    /// The services of an ALISS file, as API v4 (`github.com/aliss/ALISS`, `aliss/api/v4_views.py`) answers:
    ///
    /// - `/api/v4/services/`: `{"meta", "count", "next", "previous", "data": […]}` (one page; a `next` says others
    ///   are missing);
    /// - `/api/v4/services/{id}/`: `{"meta", "data": {…}}`, one service;
    /// - or the list of services itself.
    ///
    /// Its other answers (`/api/v4/organisations/{id}/`, `/api/v4/categories/`, `/api/v4/service-areas/`) are
    /// refused with a message saying what they are; nil, with the problem, for those and anything else.
    func alissItems(in root: JSONNode, problems: inout [DirectoryProblem]) -> [JSONNode]? {
        func refuse(_ message: String, at node: JSONNode, field: String = "") -> [JSONNode]? {
            problems.append(
                DirectoryProblem(severity: .error, line: node.line, serviceID: nil, field: field, message: message))
            return nil
        }
        let wanted =
            "The kiosk needs ALISS services: save a page of /api/v4/services/ (or one /api/v4/services/{id}/)."
        if let list = root.array { return list }
        guard let data = root["data"] ?? root["results"] else {
            let names = (root.members ?? []).prefix(6).map { "\"\($0.key)\"" }.joined(separator: ", ")
            return refuse(
                "expected an ALISS page (an object with \"data\", \"count\" and \"next\") or a list of "
                    + "services; found \(root.kindName)\(names.isEmpty ? "" : " with \(names)")", at: root)
        }
        if data.members != nil {
            if data["services"] != nil {
                return refuse(
                    "this file is one ALISS organisation (/api/v4/organisations/{id}/: it has \"services\"), not "
                        + "services. \(wanted)", at: data, field: "data")
            }
            // One service, as `/api/v4/services/{id}/` returns it.
            return [data]
        }
        guard let list = data.array else {
            return refuse(
                "\"data\" should be the list of services; found \(data.kindName)", at: data, field: "data")
        }
        let keys = Set(list.prefix(20).flatMap { $0.members?.map(\.key) ?? [] })
        if !keys.contains("id") {
            if keys.contains("sub_categories") {
                return refuse(
                    "this file is ALISS's list of categories (/api/v4/categories/: they have \"sub_categories\"), "
                        + "not services. \(wanted) The category slugs that find a need's services go in `taxonomy` "
                        + "under that need's [[needs]] in kiosk.toml.", at: data, field: "data")
            }
            if keys.contains("code") && keys.contains("type") {
                return refuse(
                    "this file is ALISS's list of service areas (/api/v4/service-areas/: they have \"code\" and "
                        + "\"type\"), not services. \(wanted)", at: data, field: "data")
            }
        }
        if let next = root["next"], let link = next.string, !link.isEmpty {
            problems.append(
                DirectoryProblem(
                    severity: .warning, line: next.line, serviceID: nil, field: "next",
                    message: "the file holds one page; services on the next pages (\(link)) are missing"))
        }
        if let count = root["count"]?.jsonNumber?.integer, count != list.count, root["next"]?.string == nil {
            problems.append(
                DirectoryProblem(
                    severity: .warning, line: root["count"]?.line, serviceID: nil, field: "count",
                    message: "says \(count) services, but the file holds \(list.count); every service in it is read"))
        }
        return list
    }
}
