import KioskCore

/// Times of day as feeds write them beyond what ``ScheduleTime`` reads: the 12-hour clock (`4:00 PM`, `3pm`,
/// `9.30am`). Words (`noon`) are not read: a feed that writes them is told so.
enum FeedTime {
    /// The time in `raw`, and whether it was written on the 12-hour clock; nil when it is not a time.
    static func parse(_ raw: String, allowsEndOfDay: Bool) -> (time: ScheduleTime, twelveHour: Bool)? {
        if let time = ScheduleTime(text: raw, allowsEndOfDay: allowsEndOfDay) { return (time, false) }
        var text = raw.lowercased().filter { !$0.isWhitespace && $0 != "." }
        let afternoon: Bool
        if text.hasSuffix("pm") {
            afternoon = true
        } else if text.hasSuffix("am") {
            afternoon = false
        } else {
            return nil
        }
        text.removeLast(2)
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let hourText: Substring
        var minute = 0
        if parts.count == 1 {
            // "3" or "930" / "0930" (a dot between hours and minutes was removed above).
            if parts[0].count <= 2 {
                hourText = parts[0]
            } else if parts[0].count <= 4 {
                hourText = parts[0].dropLast(2)
                guard let m = digits(parts[0].suffix(2)) else { return nil }
                minute = m
            } else {
                return nil
            }
        } else if parts.count == 2, parts[1].count == 2, let m = digits(parts[1]) {
            hourText = parts[0]
            minute = m
        } else {
            return nil
        }
        guard let hour = digits(hourText), (1...12).contains(hour), minute <= 59 else { return nil }
        let hour24 = hour % 12 + (afternoon ? 12 : 0)
        guard let time = LocalTime(hour: hour24, minute: minute) else { return nil }
        return (ScheduleTime(time: time), true)
    }

    static func digits(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 2, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}
