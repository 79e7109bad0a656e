import Foundation
import KioskCore

extension ServiceReader {
    static let weekdayNames = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    /// Reads one `schedules` (or ORUK v1 `regular_schedules`) entry; nil, with problems, when it cannot be used.
    mutating func readSchedule(_ node: JSONNode, field: String) -> ServiceSchedule? {
        guard case .object = node.value else {
            problem(.error, node, field, "should be an object (a schedule); found \(node.kindName)")
            return nil
        }
        checkSpelling(of: node, known: FieldSpelling.schedule, field: field)
        let errorsBefore = problems.filter { $0.severity == .error }.count
        let note =
            displayText(node, "description", field: "\(field).description")
            ?? displayText(node, "notes", field: "\(field).notes")

        var byDay: [ServiceSchedule.DayRule] = []
        for (part, at) in parts(node, "byday", field: "\(field).byday") {
            if let rule = ServiceSchedule.DayRule(text: part) {
                byDay.append(rule)
            } else {
                problem(
                    .error, at, "\(field).byday",
                    "\"\(part)\" is not a weekday rule: use MO TU WE TH FR SA SU, with an ordinal for monthly "
                        + "patterns (2MO = second Monday, -1FR = last Friday)")
            }
        }
        if let rule = readWeekday(node, field: field) { byDay.append(rule) }

        var byMonthDay: [Int] = []
        for (part, at) in parts(node, "bymonthday", field: "\(field).bymonthday") {
            let value = at.jsonNumber != nil ? at : JSONNode(.string(part), line: at.line, column: at.column)
            let expected = "a day of the month (1–31, or -1 for the last)"
            guard let day = integer(value, field: "\(field).bymonthday", range: -31...31, expected: expected) else {
                continue
            }
            if day == 0 {
                problem(.error, at, "\(field).bymonthday", "0 is not \(expected)")
            } else {
                byMonthDay.append(day)
            }
        }

        var frequency: ServiceSchedule.Frequency?
        if let raw = text(node, "freq", field: "\(field).freq") {
            frequency = Self.frequency(raw)
            if frequency == nil {
                problem(
                    .error, node["freq"] ?? node, "\(field).freq",
                    "\"\(raw)\" is not DAILY, WEEKLY or MONTHLY (fortnightly is WEEKLY with \"interval\": 2)")
            }
        } else if !byDay.isEmpty {
            frequency = byDay.contains { $0.ordinal != nil } ? .monthly : .weekly
        } else if !byMonthDay.isEmpty {
            frequency = .monthly
        }
        if let frequency, frequency != .monthly {
            for rule in byDay where rule.ordinal != nil {
                problem(
                    .error, node["byday"] ?? node, "\(field).byday",
                    "\"\(rule)\" counts a weekday within its month, which only a MONTHLY schedule can do: write "
                        + "\(rule.weekday.rawValue) for every \(Self.weekdayNames[rule.weekday.index].capitalized) of a \(frequency.rawValue) "
                        + "schedule, or set \"freq\" to MONTHLY")
            }
        }

        if frequency == .weekly && !byMonthDay.isEmpty {
            problem(
                .error, node["bymonthday"] ?? node, "\(field).bymonthday",
                "a WEEKLY schedule cannot have days of the month (RFC 5545): set \"freq\" to MONTHLY for "
                    + "\(byMonthDay.map(String.init).joined(separator: ",")) of each month, or remove bymonthday")
        }

        var interval = 1
        if let intervalNode = present(node, "interval") {
            interval =
                integer(
                    intervalNode, field: "\(field).interval", range: 1...52, expected: "a whole number from 1 to 52")
                ?? 1
        }

        var weekStart = Weekday.monday
        if let raw = text(node, "wkst", field: "\(field).wkst") {
            if let day = Weekday(rawValue: raw.uppercased()) {
                weekStart = day
            } else {
                problem(.error, node["wkst"] ?? node, "\(field).wkst", "\"\(raw)\" is not a weekday (MO … SU)")
            }
        }

        func time(_ key: String) -> ScheduleTime? {
            guard let raw = text(node, key, field: "\(field).\(key)") else { return nil }
            if let parsed = FeedTime.parse(raw, allowsEndOfDay: key == "closes_at") { return parsed.time }
            problem(
                .error, node[key] ?? node, "\(field).\(key)",
                "\"\(raw)\" is not a time of day (HH:MM, 24-hour; 9:00, 09:00:00, 09:00:00Z, 09:00+01:00, 4:00 PM "
                    + "and 3pm are read too)")
            return nil
        }
        func date(_ key: String) -> LocalDate? {
            guard let raw = text(node, key, field: "\(field).\(key)") else { return nil }
            if let date = LocalDate(iso: raw) { return date }
            problem(.error, node[key] ?? node, "\(field).\(key)", "\"\(raw)\" is not a date (YYYY-MM-DD)")
            return nil
        }
        let opensAt = time("opens_at")
        let closesAt = time("closes_at")
        let validFrom = date("valid_from")
        let validTo = date("valid_to")
        let start = date("dtstart")
        let until = date("until")

        if let opensAt, let closesAt, opensAt == closesAt {
            problem(
                .error, node["closes_at"] ?? node, "\(field).closes_at", "closes at the time it opens (\(opensAt))")
        } else if let opens = opensAt, let closes = closesAt, opens.utcOffset == closes.utcOffset,
            closes.time < opens.time, closes.time != LocalTime(hour: 0, minute: 0)
        {
            // An evening opening that runs past midnight (a night shelter, a listening line) is read as such, as
            // the core does; anything else is a slip of the pen (`09:00`–`05:00` for 17:00) not to guess at.
            let overnight = opens.time.hour >= 17 || (opens.time.hour >= 12 && closes.time.hour < 6)
            if !overnight {
                problem(
                    .error, node["closes_at"] ?? node, "\(field).closes_at",
                    "closes at \(closes.time), before it opens at \(opens.time); write the closing time on the "
                        + "24-hour clock (\(LocalTime(hour: (closes.time.hour + 12) % 24, minute: closes.time.minute)!) "
                        + "for an afternoon)")
            }
        }
        // Whether each time is written at all (one written but not readable has its own problem already).
        func written(_ key: String) -> Bool {
            guard let value = node[key], !value.isNull else { return false }
            return value.string.map { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? true
        }
        if written("opens_at") != written("closes_at") {
            let missing = written("opens_at") ? "closes_at" : "opens_at"
            problem(
                .error, node, "\(field).\(missing)",
                "has \(missing == "opens_at" ? "closes_at" : "opens_at") but no \(missing)")
        }
        if let validFrom, let validTo, validTo < validFrom {
            problem(
                .error, node["valid_to"] ?? node, "\(field).valid_to",
                "valid_to \(validTo) is before valid_from \(validFrom)")
        }
        for key in ["byweekno", "byyearday", "bymonth", "bysetpos", "count"] {
            if let value = node[key], !value.isNull {
                problem(.warning, value, "\(field).\(key)", "\(key) is not supported and is ignored")
            }
        }
        if problems.filter({ $0.severity == .error }).count > errorsBefore { return nil }

        guard let frequency else {
            if opensAt != nil {
                problem(.error, node, "\(field).freq", "has opening times but no freq or byday to say which days")
                return nil
            }
            if note == nil {
                problem(
                    .warning, node, field, "has no freq, byday, times or description; it says nothing and is ignored")
                return nil
            }
            return ServiceSchedule(frequency: .weekly, note: note)
        }
        let schedule = ServiceSchedule(
            frequency: frequency, interval: interval, byDay: byDay, byMonthDay: byMonthDay, opensAt: opensAt?.time,
            closesAt: closesAt?.time, start: start, until: until, validFrom: validFrom, validTo: validTo, note: note,
            weekStart: weekStart, opensAtUTCOffset: opensAt?.utcOffset, closesAtUTCOffset: closesAt?.utcOffset)
        if opensAt != nil && !schedule.isUsable {
            if interval > 1 && schedule.anchor == nil {
                problem(
                    .error, node["interval"] ?? node, "\(field).interval",
                    "an interval of \(interval) needs \"dtstart\" (or \"valid_from\") to count from")
            } else {
                problem(
                    .error, node, "\(field).byday", "\(frequency.rawValue) needs byday (or dtstart) to say which day")
            }
            return nil
        }
        if opensAt == nil && note == nil {
            problem(.warning, node, "\(field).opens_at", "no opening times: the slip cannot say when it is open")
        }
        let ends = [("valid_to", validTo), ("until", until)].compactMap { key, date in date.map { (key, $0) } }
        if let today, let ended = ends.min(by: { $0.1 < $1.1 }), ended.1 < today {
            problem(
                .warning, node[ended.0] ?? node, "\(field).\(ended.0)",
                "the schedule ended on \(ended.1) (\(ended.0)); its times are not printed (update the feed)")
        }
        return schedule
    }

    /// `WEEKLY`, `weekly`, `Weekly`, `WK`, `W`; `MONTHLY`, `MTH`, `M`; `DAILY`, `D`: the frequencies feeds write.
    static func frequency(_ raw: String) -> ServiceSchedule.Frequency? {
        let key = raw.trimmingCharacters(in: .whitespaces).uppercased().filter { $0.isLetter }
        switch key {
        case "DAILY", "DAY", "D", "EVERYDAY": return .daily
        case "WEEKLY", "WEEK", "WK", "WKLY", "W": return .weekly
        case "MONTHLY", "MONTH", "MTH", "MTHLY", "M": return .monthly
        default: return nil
        }
    }

    /// The entries of a list-valued schedule field, each with the node to point problems at: `"MO,WE"`, `15`,
    /// `["MO", "WE"]` or `[1, 15]`.
    mutating func parts(_ node: JSONNode, _ key: String, field: String) -> [(text: String, at: JSONNode)] {
        guard let value = node[key], !value.isNull else { return [] }
        var result: [(String, JSONNode)] = []
        for item in value.array ?? [value] {
            if let number = item.jsonNumber {
                result.append((number.text, item))
            } else if let text = item.string {
                for part in text.split(separator: ",") {
                    let trimmed = part.trimmingCharacters(in: .whitespaces)
                    if !trimmed.isEmpty { result.append((trimmed, item)) }
                }
            } else {
                problem(.error, item, field, "should be text such as \"MO,WE\" or \"1,15\"; found \(item.kindName)")
            }
        }
        return result
    }
}
