import Foundation
import KioskCore

/// The parts of a service only ORUK v1 writes: `contacts[].phones`, `regular_schedules` (a `weekday` 1–7 or a day
/// name), `holiday_schedules`, `physical_addresses` and `service_taxonomys[].taxonomy`.
///
/// ``readORUK()`` reads them beside the HSDS 3 parts, in ORUK v3 files too (feeds moving from one to the other carry
/// both).
extension ServiceReader {
    /// `contacts[].phones[].number`.
    mutating func readContactPhones(into parts: inout ORUKParts) {
        for (i, contact) in list(node, "contacts").enumerated() {
            checkSpelling(of: contact, known: FieldSpelling.contact, field: "contacts[\(i)]")
            for (j, phone) in list(contact, "phones", field: "contacts[\(i)].phones").enumerated() {
                checkSpelling(of: phone, known: FieldSpelling.phone, field: "contacts[\(i)].phones[\(j)]")
                parts.addPhone(text(phone, "number", field: "contacts[\(i)].phones[\(j)].number"))
            }
        }
    }

    /// `regular_schedules`: read as `schedules` are, with a `weekday` for `byday`.
    mutating func readRegularSchedules(into parts: inout ORUKParts) {
        for (i, entry) in list(node, "regular_schedules").enumerated() {
            if let schedule = readSchedule(entry, field: "regular_schedules[\(i)]") { parts.schedules.append(schedule) }
        }
    }

    /// A schedule's `weekday` ("Monday", "Tues", 1–7 from Monday); nil when it has none or it cannot be read.
    mutating func readWeekday(_ node: JSONNode, field: String) -> ServiceSchedule.DayRule? {
        guard let weekdayNode = present(node, "weekday") else { return nil }
        if let name = weekdayNode.string, let i = Self.weekdayIndex(name) {
            return .init(weekday: Weekday.allCases[i])
        }
        guard
            let number = integer(
                weekdayNode, field: "\(field).weekday", range: 1...7, expected: "a weekday (Monday … Sunday, or 1–7)")
        else { return nil }
        return .init(weekday: Weekday.allCases[number - 1])
    }

    /// The index (Monday 0) of a day name as ORUK v1 feeds write it: `Monday`, `monday`, `Mon`, `Tues`, `Thurs`.
    static func weekdayIndex(_ name: String) -> Int? {
        let key = name.trimmingCharacters(in: .whitespaces).lowercased().filter { $0 != "." }
        guard key.count >= 3 else { return nil }
        return weekdayNames.firstIndex { $0 == key || $0.hasPrefix(key) }
    }

    /// `holiday_schedules`: kept aside until every regular schedule is read, then applied to them
    /// (``apply(_:to:)``).
    mutating func readHolidaySchedules(into parts: inout ORUKParts) {
        for (i, entry) in list(node, "holiday_schedules").enumerated() {
            if let holiday = readHolidaySchedule(entry, field: "holiday_schedules[\(i)]") {
                parts.holidays.append(holiday)
            }
        }
    }

    /// An ORUK v1 `holiday_schedules` entry: the days from `start_date` to `end_date` (both included), and, unless it
    /// is `closed`, the hours (`opens_at`, `closes_at`) the service keeps on each of them instead of its regular ones.
    ///
    /// ORUK v1 says `start_date` is "the first day that a service or location is closed during a public or private
    /// holiday" and `end_date` the last, for open holidays too: on those days the regular schedules do not hold, and
    /// an open holiday's hours are the only ones. Nil, with problems, when the entry cannot be used or ended before
    /// `today`.
    mutating func readHolidaySchedule(_ node: JSONNode, field: String) -> HolidaySchedule? {
        guard case .object = node.value else {
            problem(.error, node, field, "should be an object (a holiday schedule); found \(node.kindName)")
            return nil
        }
        checkSpelling(of: node, known: FieldSpelling.holidaySchedule, field: field)
        func date(_ key: String) -> LocalDate? {
            guard let raw = text(node, key, field: "\(field).\(key)") else { return nil }
            if let date = LocalDate(iso: String(raw.prefix(10))) { return date }
            problem(.error, node[key] ?? node, "\(field).\(key)", "\"\(raw)\" is not a date (YYYY-MM-DD)")
            return nil
        }
        let errorsBefore = problems.filter { $0.severity == .error }.count
        let start = date("start_date")
        let end = date("end_date") ?? start
        var closed = false
        if let value = present(node, "closed") {
            if case .bool(let flag) = value.value {
                closed = flag
            } else if let text = value.string?.lowercased(), ["true", "false", "yes", "no"].contains(text) {
                closed = text == "true" || text == "yes"
            } else {
                problem(.error, value, "\(field).closed", "should be true or false; found \(value.kindName)")
                return nil
            }
        }
        if problems.filter({ $0.severity == .error }).count > errorsBefore { return nil }
        guard let start, let end else {
            problem(.error, node, "\(field).start_date", "a holiday schedule needs start_date (YYYY-MM-DD)")
            return nil
        }
        if end < start {
            problem(
                .error, node["end_date"] ?? node, "\(field).end_date", "end_date \(end) is before start_date \(start)")
            return nil
        }
        if let today, end < today { return nil }
        let closure = ScheduleClosure(start: start, end: end)
        if closed { return HolidaySchedule(closure: closure, opening: nil, node: node, field: field) }
        guard let opens = text(node, "opens_at", field: "\(field).opens_at"),
            let closes = text(node, "closes_at", field: "\(field).closes_at")
        else {
            problem(
                .error, node, "\(field).opens_at",
                "an open holiday schedule needs opens_at and closes_at (or \"closed\": true for a closure)")
            return nil
        }
        guard let opensAt = FeedTime.parse(opens, allowsEndOfDay: false)?.time,
            let closesAt = FeedTime.parse(closes, allowsEndOfDay: true)?.time
        else {
            problem(.error, node, "\(field).opens_at", "\"\(opens)\"–\"\(closes)\" is not a pair of times of day")
            return nil
        }
        let opening = ServiceSchedule(
            frequency: .daily, opensAt: opensAt.time, closesAt: closesAt.time, validFrom: start, validTo: end,
            opensAtUTCOffset: opensAt.utcOffset, closesAtUTCOffset: closesAt.utcOffset)
        return HolidaySchedule(closure: closure, opening: opening, node: node, field: field)
    }

    /// What a `holiday_schedules` entry gives: the days the regular schedules skip, and the holiday's own hours on
    /// them (nil for a closure).
    struct HolidaySchedule {
        var closure: ScheduleClosure
        var opening: ServiceSchedule?
        /// Where the entry is, to point problems at.
        var node: JSONNode
        var field: String
    }

    /// Adds `holidays` to `schedules`: each regular schedule skips the holidays' days, and the open holidays' hours
    /// are added after them. A holiday tied to one location (`service_at_location`) is taken to close the whole
    /// service: a slip had better miss an opening than send someone to a shut door. A closure with no regular opening
    /// to skip is reported, since the slip cannot say it.
    mutating func apply(_ holidays: [HolidaySchedule], to schedules: inout [ServiceSchedule]) {
        guard !holidays.isEmpty else { return }
        var closures: [ScheduleClosure] = []
        for holiday in holidays where !closures.contains(holiday.closure) { closures.append(holiday.closure) }
        if !schedules.contains(where: \.isUsable) {
            for holiday in holidays where holiday.opening == nil {
                problem(
                    .warning, holiday.node, "\(holiday.field).closed",
                    "closed \(holiday.closure), but the service has no regular opening times for the slip to leave "
                        + "out: the slip does not say it is closed")
            }
        }
        for i in schedules.indices { schedules[i].closures += closures }
        schedules += holidays.compactMap(\.opening)
    }

    /// A location's ORUK v1 `physical_addresses`, with the key they are under.
    mutating func physicalAddresses(of location: JSONNode, field: String) -> (key: String, lines: [JSONNode]) {
        ("physical_addresses", list(location, "physical_addresses", field: "\(field).physical_addresses"))
    }

    /// `service_taxonomys[].taxonomy`.
    mutating func readServiceTaxonomys(into parts: inout ORUKParts) {
        for (i, entry) in list(node, "service_taxonomys").enumerated() {
            if let termNode = present(entry, "taxonomy") {
                if let term = readTerm(termNode, field: "service_taxonomys[\(i)].taxonomy") { parts.terms.append(term) }
            }
        }
    }
}
