import KioskCore

/// An Open Referral service, ORUK v3 / HSDS 3 or ORUK v1: the start every format shares (``readIdentity(known:)``),
/// the fields both versions write (`status`, `url`, `email`, `organization`, `description`), then each version's own
/// parts (`ServiceReader+ORUK3.swift`, `ServiceReader+ORUK1.swift`).
///
/// Both versions' parts are read whichever the file is: feeds moving from v1 to v3 carry fields of both. They are read
/// in a fixed order, which is the order of the phones, schedules and addresses a slip prints the first of.
extension ServiceReader {
    /// What the parts of an Open Referral service add up to, in the order they are read.
    struct ORUKParts {
        var phones: [String] = []
        var schedules: [ServiceSchedule] = []
        /// ORUK v1 holidays, applied to ``schedules`` once every schedule is read.
        var holidays: [HolidaySchedule] = []
        var addresses: [String] = []
        var terms: [TaxonomyTerm] = []

        /// Adds a phone number unless it is nil or already there.
        mutating func addPhone(_ number: String?) {
            if let number, !phones.contains(number) { phones.append(number) }
        }
    }

    mutating func readORUK() -> DirectoryService? {
        guard let (id, name) = readIdentity(known: FieldSpelling.service) else { return nil }
        let status = readStatus()
        let url = readURL()
        let email = text(node, "email")
        let organization = present(node, "organization").flatMap {
            displayText($0, "name", field: "organization.name")
        }

        var parts = ORUKParts()
        readPhones(into: &parts)
        readContactPhones(into: &parts)
        readSchedules(into: &parts)
        readRegularSchedules(into: &parts)
        readHolidaySchedules(into: &parts)
        readServiceAtLocations(into: &parts)
        apply(parts.holidays, to: &parts.schedules)
        readAttributes(into: &parts)
        readServiceTaxonomys(into: &parts)

        if parts.terms.isEmpty && status == .active {
            problem(.warning, node, "attributes", "no taxonomy terms: no need finds this service, so no slip lists it")
        }
        if status == .active && parts.phones.isEmpty && url == nil && parts.addresses.isEmpty {
            problem(.warning, node, "phones", "no phone, web address or location: the slip cannot say how to reach it")
        }
        return DirectoryService(
            id: id, name: name ?? id, organization: organization, description: displayText(node, "description"),
            status: status, url: url, email: email, phones: parts.phones, addresses: parts.addresses,
            schedules: parts.schedules, taxonomyTerms: parts.terms)
    }

    /// `status`: one of ``ServiceStatus``; a service without one is taken to be active, with a warning.
    mutating func readStatus() -> ServiceStatus {
        guard let statusNode = node["status"], let raw = text(node, "status") else {
            problem(.warning, node, "status", "no status; the service is taken to be \"active\"")
            return .active
        }
        if let parsed = ServiceStatus(rawValue: raw.lowercased()) { return parsed }
        problem(
            .error, statusNode, "status",
            "\"\(raw)\" is not a status; use one of "
                + ServiceStatus.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
        return .active
    }

    /// `url`, when it is a web address (the QR code); anything else is warned about and not printed.
    mutating func readURL() -> String? {
        guard let value = text(node, "url") else { return nil }
        if value.hasPrefix("https://") || value.hasPrefix("http://") { return value }
        problem(.warning, node["url"] ?? node, "url", "\"\(value)\" is not a web address (https://…); not printed")
        return nil
    }
}
