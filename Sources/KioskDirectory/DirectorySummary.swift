import KioskCore

/// What a directory gives the kiosk's needs: `hubkiosk directory check`'s summary.
public struct DirectorySummary: Sendable {
    /// Services read from the file.
    public var services: Int
    /// Of those, the active ones (only these are printed).
    public var active: Int
    /// For each need, in the configuration's order, how many active services it finds.
    public var perNeed: [(code: String, services: Int)]
    /// Ids of active services no need finds.
    public var unreached: [String]
    /// Terms of active services (by code, id or name, as the feed writes them) that no need's `taxonomy` names,
    /// each with how many services carry it, most used first.
    public var unmappedTerms: [(term: String, services: Int)]

    public init(directory: ServiceDirectory, needs: [Need]) {
        services = directory.services.count
        let activeServices = directory.services.filter { $0.status == .active }
        active = activeServices.count
        perNeed = needs.map { ($0.code.rawValue, directory.activeServices(for: $0).count) }
        let allTerms = needs.flatMap(\.taxonomyTerms)
        unreached = activeServices.filter { !$0.isTagged(withAnyOf: allTerms) }.map(\.id)
        var counts: [String: Int] = [:]
        var order: [String] = []
        for service in activeServices {
            var seen: Set<String> = []
            for term in service.taxonomyTerms where !allTerms.contains(where: { term.matches($0) }) {
                guard let name = term.code ?? term.id ?? term.term, seen.insert(name).inserted else { continue }
                if counts[name] == nil { order.append(name) }
                counts[name, default: 0] += 1
            }
        }
        unmappedTerms = order.map { ($0, counts[$0] ?? 0) }.enumerated().sorted { a, b in
            a.element.1 == b.element.1 ? a.offset < b.offset : a.element.1 > b.element.1
        }.map(\.element)
    }
}
