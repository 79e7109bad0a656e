import KioskCore

/// The field names of ORUK v3 / HSDS 3 (and ORUK v1) records, to tell a misspelt field (`shedules`) from the extra
/// fields feeds carry.
package enum FieldSpelling {
    /// Fields of a service: HSDS 3.0, ORUK v3 and ORUK v1.
    static let service: Set<String> = [
        "id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email", "status",
        "interpretation_services", "application_process", "fees_description", "wait_time", "fees", "accreditations",
        "eligibility_description", "minimum_age", "maximum_age", "assured_date", "assurer_email", "licenses", "alert",
        "last_modified", "phones", "schedules", "service_areas", "service_at_locations", "languages", "organization",
        "funding", "cost_options", "program", "required_documents", "contacts", "attributes", "metadata",
        "capacities", "taxonomy_terms", "regular_schedules", "holiday_schedules", "service_taxonomys",
        "eligibilitys", "fundings", "reviews", "links", "attending_access", "attending_type", "deliverable_type",
    ]

    /// Fields of a schedule: HSDS 3.0 (RFC 5545 names) and ORUK v1 `regular_schedules`.
    static let schedule: Set<String> = [
        "id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to", "dtstart", "timezone",
        "until", "count", "wkst", "freq", "interval", "byday", "byweekno", "bymonthday", "byyearday", "bymonth",
        "bysetpos", "description", "opens_at", "closes_at", "schedule_link", "attending_type", "notes", "attributes",
        "metadata", "weekday",
    ]

    /// Fields of an ORUK v1 holiday schedule.
    static let holidaySchedule: Set<String> = [
        "id", "service_id", "location_id", "service_at_location_id", "service_at_location", "closed", "opens_at",
        "closes_at", "start_date", "end_date", "description", "metadata",
    ]

    /// Fields of a service-at-location link.
    static let serviceAtLocation: Set<String> = [
        "id", "service_id", "location_id", "description", "service_areas", "contacts", "phones", "schedules",
        "location", "attributes", "metadata", "regular_schedules", "holiday_schedules",
    ]

    /// Fields of a location: HSDS 3.0 and ORUK v1.
    static let location: Set<String> = [
        "id", "location_type", "url", "organization_id", "name", "alternate_name", "description", "transportation",
        "latitude", "longitude", "external_identifier", "external_identifier_type", "languages", "addresses",
        "contacts", "accessibility", "phones", "schedules", "attributes", "metadata", "physical_addresses",
        "postal_addresses", "accessibility_for_disabilities", "regular_schedules", "holiday_schedules",
    ]

    /// Fields of an address (`address_3` and `address_4` are common extras, known so as not to be "address_1").
    static let address: Set<String> = [
        "id", "location_id", "attention", "address_1", "address_2", "address_3", "address_4", "city", "region",
        "state_province", "postal_code", "country", "address_type", "metadata",
    ]

    /// Fields of a phone.
    static let phone: Set<String> = [
        "id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id", "number",
        "extension", "type", "description", "languages", "attributes", "metadata",
    ]

    /// Fields of a contact.
    static let contact: Set<String> = [
        "id", "organization_id", "service_id", "service_at_location_id", "location_id", "name", "title", "department",
        "email", "phones", "attributes", "metadata",
    ]

    /// Fields of an attribute (the link to a taxonomy term).
    static let attribute: Set<String> = [
        "id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value", "taxonomy_term", "label", "metadata",
    ]

    /// Fields of a taxonomy term: HSDS 3.0 and ORUK v1.
    static let taxonomyTerm: Set<String> = [
        "id", "code", "name", "description", "parent_id", "taxonomy", "taxonomy_detail", "language", "taxonomy_id",
        "term_uri", "metadata", "term", "vocabulary",
    ]

    /// The known field `name` is most likely a misspelling of: one edit away from a known name of up to four
    /// letters, two from a longer one (a letter missing, added, changed or two swapped; a change of case counts
    /// as none). Nil for a known name and for a name far from every known one.
    static func suggestion(for name: String, among known: Set<String>) -> String? {
        guard !known.contains(name) else { return nil }
        let lowered = Array(name.lowercased().utf8)
        // Names far longer or shorter than any known one are extra fields, not typing slips.
        guard lowered.count <= 64 else { return nil }
        var best: (name: String, distance: Int)?
        for candidate in known.sorted() {
            let limit = candidate.utf8.count <= 4 ? 1 : 2
            guard abs(candidate.utf8.count - lowered.count) <= limit else { continue }
            let distance = editDistance(lowered, Array(candidate.utf8), limit: limit)
            guard distance <= limit else { continue }
            if best.map({ distance < $0.distance }) ?? true { best = (candidate, distance) }
        }
        return best?.name
    }

    /// Optimal string alignment distance (insertions, deletions, substitutions and swaps of neighbours), or a value
    /// above `limit` once it is sure to exceed it.
    package static func editDistance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = current[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    value = min(value, previousPrevious[j - 2] + 1)
                }
                current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            if rowMinimum > limit { return limit + 1 }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
