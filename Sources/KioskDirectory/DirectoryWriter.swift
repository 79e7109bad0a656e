import KioskCore

/// Writes a directory back as ORUK v3 JSON that the ORUK v3 reader reads as the same services: what the staff pages
/// apply after an edit (the same checks as any other copy, then kept as the copy in use).
///
/// A service's holiday closures (ORUK v1 `holiday_schedules`, which every regular schedule of the service shares)
/// are written as `holiday_schedules` again, and a holiday's own hours as an open holiday entry.
public enum DirectoryWriter {
    /// The whole directory as one ORUK v3 page.
    public static func oruk3(_ directory: ServiceDirectory) -> [UInt8] {
        document(directory.services.map { node(for: $0) })
    }

    /// Services already written as nodes (``node(for:schedule:)``), as one ORUK v3 page.
    public static func document(_ services: [JSONNode]) -> [UInt8] {
        FeedPage.document(of: services, format: .oruk3)
    }

    /// A service's schedules: the regular ones (each with the service's closures), the holidays' own hours (a
    /// `daily` schedule from one closure's first to last day, with no closures), and the closures.
    public struct ScheduleParts: Sendable {
        public var regular: [Int]
        public var holidayOpenings: [Int]
        public var closures: [ScheduleClosure]
    }

    public static func parts(of service: DirectoryService) -> ScheduleParts {
        var closures: [ScheduleClosure] = []
        for schedule in service.schedules {
            for closure in schedule.closures where !closures.contains(closure) { closures.append(closure) }
        }
        var parts = ScheduleParts(regular: [], holidayOpenings: [], closures: closures)
        for (index, schedule) in service.schedules.enumerated() {
            if isHolidayOpening(schedule, closures: closures) {
                parts.holidayOpenings.append(index)
            } else {
                parts.regular.append(index)
            }
        }
        return parts
    }

    static func isHolidayOpening(_ schedule: ServiceSchedule, closures: [ScheduleClosure]) -> Bool {
        guard schedule.closures.isEmpty, schedule.frequency == .daily, schedule.byDay.isEmpty,
            schedule.byMonthDay.isEmpty, schedule.interval == 1, let from = schedule.validFrom,
            let to = schedule.validTo, schedule.opensAt != nil, schedule.closesAt != nil
        else { return false }
        return closures.contains(ScheduleClosure(start: from, end: to))
    }

    /// One service as ORUK v3. `schedule` may change each regular schedule's members (by its index in
    /// `service.schedules`), as the staff pages do to check what a person typed with the reader's own rules.
    public static func node(
        for service: DirectoryService,
        schedule edit: ((Int, inout [(key: String, value: JSONNode)]) -> Void)? = nil
    ) -> JSONNode {
        var members: [(key: String, value: JSONNode)] = [
            ("id", string(service.id)), ("name", string(service.name)),
        ]
        if let description = service.description { members.append(("description", string(description))) }
        if let organization = service.organization {
            members.append(("organization", object([("name", string(organization))])))
        }
        members.append(("status", string(service.status.rawValue)))
        if let url = service.url { members.append(("url", string(url))) }
        if let email = service.email { members.append(("email", string(email))) }
        if !service.phones.isEmpty {
            members.append(("phones", array(service.phones.map { object([("number", string($0))]) })))
        }
        let parts = parts(of: service)
        var schedules: [JSONNode] = []
        for index in parts.regular {
            var entry = scheduleMembers(service.schedules[index])
            edit?(index, &entry)
            schedules.append(object(entry))
        }
        if !schedules.isEmpty { members.append(("schedules", array(schedules))) }
        var holidays: [JSONNode] = []
        for closure in parts.closures {
            let opening = parts.holidayOpenings.map { service.schedules[$0] }.first {
                $0.validFrom == closure.start && $0.validTo == closure.end
            }
            var entry: [(key: String, value: JSONNode)] = [
                ("start_date", string("\(closure.start)")), ("end_date", string("\(closure.end)")),
            ]
            if let opening, let opens = opening.opensAt, let closes = opening.closesAt {
                entry.append(("closed", JSONNode(.bool(false), line: 0, column: 0)))
                entry.append(("opens_at", string(time(opens, offset: opening.opensAtUTCOffset))))
                entry.append(("closes_at", string(time(closes, offset: opening.closesAtUTCOffset))))
            } else {
                entry.append(("closed", JSONNode(.bool(true), line: 0, column: 0)))
            }
            holidays.append(object(entry))
        }
        if !holidays.isEmpty { members.append(("holiday_schedules", array(holidays))) }
        if !service.addresses.isEmpty {
            let links = service.addresses.map { line in
                object([("location", object([("addresses", array([object([("address_1", string(line))])]))]))])
            }
            members.append(("service_at_locations", array(links)))
        }
        if !service.taxonomyTerms.isEmpty {
            let terms = service.taxonomyTerms.map { term in
                var entry: [(key: String, value: JSONNode)] = []
                if let id = term.id { entry.append(("id", string(id))) }
                if let code = term.code { entry.append(("code", string(code))) }
                if let name = term.term { entry.append(("term", string(name))) }
                if let vocabulary = term.vocabulary { entry.append(("vocabulary", string(vocabulary))) }
                return object(entry)
            }
            members.append(("taxonomy_terms", array(terms)))
        }
        return object(members)
    }

    /// A regular schedule's members (its closures are the service's `holiday_schedules`).
    public static func scheduleMembers(_ schedule: ServiceSchedule) -> [(key: String, value: JSONNode)] {
        var members: [(key: String, value: JSONNode)] = []
        let says = schedule.opensAt != nil || !schedule.byDay.isEmpty || !schedule.byMonthDay.isEmpty
        if says || schedule.note == nil { members.append(("freq", string(schedule.frequency.rawValue))) }
        if schedule.interval != 1 { members.append(("interval", number(schedule.interval))) }
        if !schedule.byDay.isEmpty {
            members.append(("byday", string(schedule.byDay.map(\.description).joined(separator: ","))))
        }
        if !schedule.byMonthDay.isEmpty { members.append(("bymonthday", array(schedule.byMonthDay.map(number)))) }
        if let opens = schedule.opensAt {
            members.append(("opens_at", string(time(opens, offset: schedule.opensAtUTCOffset))))
        }
        if let closes = schedule.closesAt {
            members.append(("closes_at", string(time(closes, offset: schedule.closesAtUTCOffset))))
        }
        if schedule.weekStart != .monday { members.append(("wkst", string(schedule.weekStart.rawValue))) }
        for (key, date) in [
            ("dtstart", schedule.start), ("until", schedule.until), ("valid_from", schedule.validFrom),
            ("valid_to", schedule.validTo),
        ] {
            if let date { members.append((key, string("\(date)"))) }
        }
        if let note = schedule.note { members.append(("description", string(note))) }
        return members
    }

    /// `09:00`, `09:00Z`, `09:00+01:00`.
    public static func time(_ time: LocalTime, offset: Int?) -> String {
        guard let offset else { return "\(time)" }
        if offset == 0 { return "\(time)Z" }
        let minutes = abs(offset) / 60
        let hours = minutes / 60
        let rest = minutes % 60
        return "\(time)\(offset < 0 ? "-" : "+")\(hours < 10 ? "0" : "")\(hours):\(rest < 10 ? "0" : "")\(rest)"
    }

    public static func string(_ text: String) -> JSONNode { JSONNode(.string(text), line: 0, column: 0) }
    static func number(_ value: Int) -> JSONNode { JSONNode(.number(JSONNumber(value)), line: 0, column: 0) }
    static func array(_ items: [JSONNode]) -> JSONNode { JSONNode(.array(items), line: 0, column: 0) }
    static func object(_ members: [(key: String, value: JSONNode)]) -> JSONNode {
        JSONNode(.object(members), line: 0, column: 0)
    }
}
