import KioskCore

/// What an ORUK / HSDS record is, told from the fields only that kind of record has, so that a file of taxonomy
/// terms or of locations is refused with a message that says what it is, rather than read as services.
enum RecordKind: Equatable, Sendable {
    case service
    case serviceAtLocation
    case location
    case organization
    case category
    case taxonomyTerm
    case taxonomy
    /// Nothing tells: read as a service (a service needs only `id` and `name`).
    case unknown

    static let serviceMarkers: Set<String> = [
        "status", "service_at_locations", "service_taxonomys", "eligibility_description", "application_process",
        "fees", "fees_description", "cost_options", "service_areas", "program_id", "interpretation_services",
        "wait_time", "minimum_age", "maximum_age", "required_documents", "fundings", "eligibilitys",
        "accreditations", "licenses", "assured_date", "assurer_email", "organization", "taxonomy_terms",
    ]
    static let locationMarkers: Set<String> = [
        "latitude", "longitude", "location_type", "addresses", "physical_addresses", "postal_addresses",
        "transportation", "accessibility", "accessibility_for_disabilities", "external_identifier",
    ]
    static let organizationMarkers: Set<String> = [
        "legal_status", "year_incorporated", "tax_id", "tax_status", "services", "website", "logo",
        "organization_identifiers", "parent_organization_id",
    ]
    static let contactMarkers: Set<String> = [
        "schedules", "regular_schedules", "phones", "url", "email", "contacts", "attributes",
    ]
    static let categoryMarkers: Set<String> = [
        "slug", "sub_categories", "subcategories", "children", "parent_category",
    ]
    static let termMarkers: Set<String> = [
        "parent_id", "parent", "taxonomy_id", "taxonomy_detail", "term_uri", "vocabulary", "code", "term", "level",
        "taxonomy",
    ]
    static let taxonomyMarkers: Set<String> = ["version", "uri"]

    /// The kind of `node`, and the fields that told it.
    static func of(_ node: JSONNode) -> (kind: RecordKind, evidence: [String]) {
        guard let members = node.members else { return (.unknown, []) }
        let keys = members.map(\.key)
        func present(_ markers: Set<String>) -> [String] { keys.filter { markers.contains($0) } }
        let keySet = Set(keys)
        if !present(serviceMarkers).isEmpty { return (.service, present(serviceMarkers)) }
        let links =
            keys.filter { ["service_id", "service"].contains($0) }
            + keys.filter { ["location_id", "location"].contains($0) }
        if !keySet.isDisjoint(with: ["service_id", "service"]) && !keySet.isDisjoint(with: ["location_id", "location"])
            && !keySet.contains("name")
        {
            return (.serviceAtLocation, links)
        }
        for (kind, markers) in [
            (RecordKind.location, locationMarkers), (.organization, organizationMarkers),
            // Fields services share with locations and organizations, but terms and categories never have.
            (.service, contactMarkers),
            (.category, categoryMarkers), (.taxonomyTerm, termMarkers), (.taxonomy, taxonomyMarkers),
        ] {
            let found = present(markers)
            if !found.isEmpty { return (kind, found) }
        }
        return (.unknown, [])
    }

    var isService: Bool { self == .service || self == .unknown }

    var singular: String {
        switch self {
        case .service, .unknown: return "service"
        case .serviceAtLocation: return "service-at-location record"
        case .location: return "location"
        case .organization: return "organization"
        case .category: return "category"
        case .taxonomyTerm: return "taxonomy term"
        case .taxonomy: return "taxonomy (a vocabulary of terms)"
        }
    }

    var plural: String {
        switch self {
        case .service, .unknown: return "services"
        case .serviceAtLocation: return "service-at-location records"
        case .location: return "locations"
        case .organization: return "organizations"
        case .category: return "categories"
        case .taxonomyTerm: return "taxonomy terms"
        case .taxonomy: return "taxonomies (vocabularies of terms)"
        }
    }

    /// What the volunteer should use instead.
    var advice: String {
        let wanted =
            "The kiosk needs the file of services: the feed's ORUK v3 `/services` (a list of services, or a page "
            + "with \"contents\"), each service with its id, name, status, schedules and attributes."
        switch self {
        case .service, .unknown:
            return wanted
        case .serviceAtLocation:
            return "Service-at-location records only link a service to a place; they carry no name, phone or "
                + "opening times. " + wanted + " Its services carry their own \"service_at_locations\"."
        case .location:
            return wanted + " A service's places come inside it, in \"service_at_locations\"."
        case .organization:
            return wanted + " (The organizations that run them are `/organizations`.)"
        case .category, .taxonomyTerm, .taxonomy:
            return wanted
                + " The terms that find a need's services go in `taxonomy` under that need's [[needs]] in kiosk.toml."
        }
    }
}
