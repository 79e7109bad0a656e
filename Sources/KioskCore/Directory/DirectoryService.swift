/// Whether a service is running (ORUK v3 `status`).
public enum ServiceStatus: String, Hashable, Sendable, CaseIterable {
    case active
    case inactive
    case defunct
    case temporarilyClosed = "temporarily closed"
}

/// A taxonomy term a service is tagged with.
public struct TaxonomyTerm: Hashable, Sendable {
    public var id: String?
    public var code: String?
    public var term: String?
    public var vocabulary: String?

    public init(id: String? = nil, code: String? = nil, term: String? = nil, vocabulary: String? = nil) {
        self.id = id
        self.code = code
        self.term = term
        self.vocabulary = vocabulary
    }

    /// Whether the term is `name` by id, code or term (case-insensitive).
    public func matches(_ name: String) -> Bool {
        let wanted = name.lowercased()
        return [id, code, term].contains { $0?.lowercased() == wanted }
    }
}

/// A local service a slip can point to: the parts of an ORUK v3 service a slip needs.
public struct DirectoryService: Hashable, Sendable {
    public var id: String
    public var name: String
    public var organization: String?
    public var description: String?
    public var status: ServiceStatus
    public var url: String?
    public var email: String?
    public var phones: [String]
    /// One-line addresses of its locations, in file order.
    public var addresses: [String]
    public var schedules: [ServiceSchedule]
    public var taxonomyTerms: [TaxonomyTerm]

    public init(
        id: String,
        name: String,
        organization: String? = nil,
        description: String? = nil,
        status: ServiceStatus = .active,
        url: String? = nil,
        email: String? = nil,
        phones: [String] = [],
        addresses: [String] = [],
        schedules: [ServiceSchedule] = [],
        taxonomyTerms: [TaxonomyTerm] = []
    ) {
        self.id = id
        self.name = name
        self.organization = organization
        self.description = description
        self.status = status
        self.url = url
        self.email = email
        self.phones = phones
        self.addresses = addresses
        self.schedules = schedules
        self.taxonomyTerms = taxonomyTerms
    }

    /// Whether the service is tagged with any of `terms`.
    public func isTagged(withAnyOf terms: [String]) -> Bool {
        taxonomyTerms.contains { term in terms.contains { term.matches($0) } }
    }
}

/// The local directory of services slips are built from.
public struct ServiceDirectory: Hashable, Sendable {
    public var services: [DirectoryService]

    public init(services: [DirectoryService]) {
        self.services = services
    }

    /// Active services for `need`, in file order.
    public func activeServices(for need: Need) -> [DirectoryService] {
        services.filter { $0.status == .active && $0.isTagged(withAnyOf: need.taxonomyTerms) }
    }
}
