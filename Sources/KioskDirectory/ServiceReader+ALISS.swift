import KioskCore

extension ServiceReader {
    /// Fields of an ALISS API v4 service (`v4ServiceSerializer` and `v4SearchSerializer` in `aliss/api/serializers.py`
    /// of `github.com/aliss/ALISS`).
    static let alissService: Set<String> = [
        "id", "name", "description", "url", "phone", "email", "categories", "organisation", "locations",
        "service_areas", "aliss_url", "permalink", "slug", "last_updated",
    ]

    /// Reads one ALISS service: `categories` (objects with a `slug` and `name`, or slugs) become taxonomy terms,
    /// `locations` addresses, `organisation` the organization. ALISS has no structured opening hours: the service
    /// has no schedule, and the slip says to phone or check the website rather than invent a time.
    mutating func readALISS() -> DirectoryService? {
        guard let (id, name) = readIdentity(known: Self.alissService) else { return nil }
        // API v4 gives no status (nor a flag for a deleted service): every service it lists is taken to run.
        let status = ServiceStatus.active

        var url = text(node, "url")
        if let value = url, !(value.hasPrefix("https://") || value.hasPrefix("http://")) {
            if value.hasPrefix("www.") {
                url = "https://" + value
            } else {
                problem(
                    .warning, node["url"] ?? node, "url", "\"\(value)\" is not a web address (https://…); not printed")
                url = nil
            }
        }
        var phones: [String] = []
        if let phone = text(node, "phone") { phones.append(phone) }
        let organization = present(node, "organisation").flatMap { organisation in
            organisation.string.map { FeedText.clean($0).text }
                ?? displayText(organisation, "name", field: "organisation.name")
        }

        var addresses: [String] = []
        for (i, location) in list(node, "locations").enumerated() {
            let field = "locations[\(i)]"
            if let formatted = displayText(location, "formatted_address", field: "\(field).formatted_address") {
                addresses.append(formatted)
                continue
            }
            var parts: [String] = []
            for key in ["name", "street_address", "locality", "postal_code"] {
                if let part = displayText(location, key, field: "\(field).\(key)"), !parts.contains(part) {
                    parts.append(part)
                }
            }
            if !parts.isEmpty { addresses.append(parts.joined(separator: ", ")) }
        }

        var terms: [TaxonomyTerm] = []
        for (i, category) in list(node, "categories").enumerated() {
            let field = "categories[\(i)]"
            if category.members != nil {
                let slug = text(category, "slug", field: "\(field).slug")
                let categoryName = text(category, "name", field: "\(field).name")
                if slug == nil && categoryName == nil {
                    problem(.warning, category, field, "has no slug or name: no need can find the service by it")
                    continue
                }
                terms.append(TaxonomyTerm(id: slug, code: slug, term: categoryName, vocabulary: "aliss"))
            } else if let slug = readTerm(category, field: field) {
                terms.append(TaxonomyTerm(id: slug.id, code: slug.code, vocabulary: "aliss"))
            }
        }
        if terms.isEmpty {
            problem(.warning, node, "categories", "no categories: no need finds this service, so no slip lists it")
        }
        if phones.isEmpty && url == nil && addresses.isEmpty {
            problem(.warning, node, "phone", "no phone, web address or location: the slip cannot say how to reach it")
        }
        return DirectoryService(
            id: id, name: name ?? id, organization: organization, description: displayText(node, "description"),
            status: status, url: url, email: text(node, "email"), phones: phones, addresses: addresses,
            schedules: [], taxonomyTerms: terms)
    }
}
