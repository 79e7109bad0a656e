import KioskCore

extension DirectoryService {
    /// The parts of a service (as a slip uses them) in which `other` differs: `name`, `schedules`, ….
    public func differences(from other: DirectoryService) -> [String] {
        var names: [String] = []
        if name != other.name { names.append("name") }
        if organization != other.organization { names.append("organization") }
        if description != other.description { names.append("description") }
        if status != other.status { names.append("status") }
        if url != other.url { names.append("url") }
        if email != other.email { names.append("email") }
        if phones != other.phones { names.append("phones") }
        if addresses != other.addresses { names.append("service_at_locations") }
        if schedules != other.schedules { names.append("schedules") }
        if taxonomyTerms != other.taxonomyTerms { names.append("attributes") }
        return names
    }
}
