import KioskCore

/// The parts of a service as ORUK v3 / HSDS 3 writes them: `phones`, `schedules`, `service_at_locations` (a location's
/// name, `addresses` and `phones`, and the link's own `schedules`), `attributes[].taxonomy_term` and
/// `taxonomy_terms`.
extension ServiceReader {
    /// `phones[].number`.
    mutating func readPhones(into parts: inout ORUKParts) {
        for (i, phone) in list(node, "phones").enumerated() {
            checkSpelling(of: phone, known: FieldSpelling.phone, field: "phones[\(i)]")
            parts.addPhone(text(phone, "number", field: "phones[\(i)].number"))
        }
    }

    /// `schedules`.
    mutating func readSchedules(into parts: inout ORUKParts) {
        for (i, entry) in list(node, "schedules").enumerated() {
            if let schedule = readSchedule(entry, field: "schedules[\(i)]") { parts.schedules.append(schedule) }
        }
    }

    /// `service_at_locations`: each location's name and addresses as one line each (HSDS 3 `addresses`, else ORUK v1
    /// `physical_addresses`; the name alone when it has none), its phones, and the link's schedules.
    mutating func readServiceAtLocations(into parts: inout ORUKParts) {
        for (i, link) in list(node, "service_at_locations").enumerated() {
            let field = "service_at_locations[\(i)]"
            checkSpelling(of: link, known: FieldSpelling.serviceAtLocation, field: field)
            if let location = present(link, "location") {
                checkSpelling(of: location, known: FieldSpelling.location, field: "\(field).location")
                let locationName = displayText(location, "name", field: "\(field).location.name")
                let (addressKey, lines) =
                    present(location, "addresses") == nil
                    ? physicalAddresses(of: location, field: "\(field).location")
                    : ("addresses", list(location, "addresses", field: "\(field).location.addresses"))
                if lines.isEmpty, let locationName { parts.addresses.append(locationName) }
                for (j, address) in lines.enumerated() {
                    let f = "\(field).location.\(addressKey)[\(j)]"
                    checkSpelling(of: address, known: FieldSpelling.address, field: f)
                    var words: [String] = []
                    for key in ["address_1", "address_2", "city", "postal_code"] {
                        if let part = displayText(address, key, field: "\(f).\(key)"), !words.contains(part) {
                            words.append(part)
                        }
                    }
                    if let locationName, !words.contains(locationName) { words.insert(locationName, at: 0) }
                    if !words.isEmpty { parts.addresses.append(words.joined(separator: ", ")) }
                }
                for (j, phone) in list(location, "phones", field: "\(field).location.phones").enumerated() {
                    checkSpelling(of: phone, known: FieldSpelling.phone, field: "\(field).location.phones[\(j)]")
                    parts.addPhone(text(phone, "number", field: "\(field).location.phones[\(j)].number"))
                }
            }
            for (j, entry) in list(link, "schedules", field: "\(field).schedules").enumerated() {
                if let schedule = readSchedule(entry, field: "\(field).schedules[\(j)]") {
                    parts.schedules.append(schedule)
                }
            }
        }
    }

    /// `attributes[].taxonomy_term` (or just its `taxonomy_term_id`), then `taxonomy_terms`.
    mutating func readAttributes(into parts: inout ORUKParts) {
        for (i, attribute) in list(node, "attributes").enumerated() {
            let field = "attributes[\(i)]"
            checkSpelling(of: attribute, known: FieldSpelling.attribute, field: field)
            if let termNode = present(attribute, "taxonomy_term") {
                if let term = readTerm(termNode, field: "\(field).taxonomy_term") { parts.terms.append(term) }
            } else if let termID = text(attribute, "taxonomy_term_id", field: "\(field).taxonomy_term_id") {
                parts.terms.append(TaxonomyTerm(id: termID))
            }
        }
        for (i, entry) in list(node, "taxonomy_terms").enumerated() {
            if let term = readTerm(entry, field: "taxonomy_terms[\(i)]") { parts.terms.append(term) }
        }
    }
}
