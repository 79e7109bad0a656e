import Foundation

/// A time of day as a schedule writes it: `09:00`, `9:00`, `09:00:00`, `09:00:00.000`, and with a UTC offset as
/// HSDS 3.0's own examples do, `09:00:00Z`, `09:00+01:00`, `09:00:00-0500`.
///
/// Without an offset the time is the hub's wall-clock time; with one it is a fixed instant on each day, shown in the
/// hub's time zone.
public struct ScheduleTime: Hashable, Sendable, CustomStringConvertible {
    public var time: LocalTime
    /// Seconds east of UTC the text was written in (`Z` is 0); nil for the hub's local time.
    public var utcOffset: Int?

    public init(time: LocalTime, utcOffset: Int? = nil) {
        self.time = time
        self.utcOffset = utcOffset
    }

    /// Parses a time; `allowsEndOfDay` also reads `24:00` (a closing time of midnight) as 00:00.
    public init?(text raw: some StringProtocol, allowsEndOfDay: Bool = false) {
        var text = Substring(raw.trimmingCharacters(in: .whitespaces))
        var offset: Int?
        if text.hasSuffix("Z") || text.hasSuffix("z") {
            offset = 0
            text = text.dropLast()
            guard !text.contains(where: { $0 == "+" || $0 == "-" }) else { return nil }
        } else if let signIndex = text.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            guard let parsed = ScheduleTime.offset(text[signIndex...]) else { return nil }
            offset = parsed
            text = text[..<signIndex]
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, (1...2).contains(parts[0].count), parts[1].count == 2,
            let hour = ScheduleTime.digits(parts[0]), let minute = ScheduleTime.digits(parts[1])
        else { return nil }
        if parts.count == 3 {
            // Seconds, with an optional fraction, are read and dropped: openings are to the minute.
            let secondsAndFraction = parts[2].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard secondsAndFraction[0].count == 2, let seconds = ScheduleTime.digits(secondsAndFraction[0]),
                seconds <= 59
            else { return nil }
            if secondsAndFraction.count == 2 {
                guard ScheduleTime.digits(secondsAndFraction[1]) != nil else { return nil }
            }
            if hour == 24 && seconds != 0 { return nil }
        }
        // 24:00 closes at midnight, the start of the next day.
        let endOfDay = hour == 24 && minute == 0 && allowsEndOfDay
        guard let time = endOfDay ? LocalTime(hour: 0, minute: 0) : LocalTime(hour: hour, minute: minute) else {
            return nil
        }
        self.init(time: time, utcOffset: offset)
    }

    /// `+01:00`, `-0500`, `+01` → seconds east of UTC; nil for anything else (offsets beyond ±18 hours included).
    static func offset(_ text: Substring) -> Int? {
        guard let sign = text.first else { return nil }
        let body = text.dropFirst()
        let hours: Substring
        let minutes: Substring
        if body.count == 5, body.dropFirst(2).first == ":" {
            hours = body.prefix(2)
            minutes = body.suffix(2)
        } else if body.count == 4 {
            hours = body.prefix(2)
            minutes = body.suffix(2)
        } else if body.count == 2 {
            hours = body
            minutes = "00"
        } else {
            return nil
        }
        guard let h = digits(hours), let m = digits(minutes), h <= 18, m <= 59 else { return nil }
        let seconds = h * 3600 + m * 60
        return sign == "-" ? -seconds : seconds
    }

    /// A short run of ASCII digits as a number (no sign, no spaces); nil otherwise.
    static func digits(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    /// `09:00`, or `09:00+01:00` with its offset.
    public var description: String {
        guard let utcOffset else { return time.description }
        if utcOffset == 0 { return "\(time)Z" }
        let minutes = abs(utcOffset) / 60
        return "\(time)\(utcOffset < 0 ? "-" : "+")\(LocalDate.pad(minutes / 60, 2)):\(LocalDate.pad(minutes % 60, 2))"
    }
}
