import Foundation
import KioskCore
import Testing

@Suite("Local dates, ISO weeks and the hub's time zone")
struct TimeTests {
    @Test("Days since epoch round-trip over four centuries, with the right weekday")
    func daysRoundTrip() {
        var expectedWeekday = LocalDate(year: 1900, month: 1, day: 1)!.weekday.index  // a Monday
        #expect(expectedWeekday == 0)
        let first = LocalDate(year: 1900, month: 1, day: 1)!.daysSinceEpoch
        for days in stride(from: first, to: first + 146_097 * 2, by: 1) {
            let date = LocalDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
            #expect(date.weekday.index == expectedWeekday)
            expectedWeekday = (expectedWeekday + 1) % 7
            if days % 40_000 == 0 { #expect(LocalDate(iso: date.description) == date) }
        }
        #expect(LocalDate(daysSinceEpoch: 0).description == "1970-01-01")
        #expect(LocalDate(year: 2026, month: 11, day: 23)!.weekday == .monday)
    }

    @Test("Invalid dates are rejected")
    func invalidDates() {
        #expect(LocalDate(year: 2026, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 2028, month: 2, day: 29) != nil)
        #expect(LocalDate(year: 2026, month: 4, day: 31) == nil)
        #expect(LocalDate(iso: "2026-13-01") == nil)
        #expect(LocalDate(iso: "26-01-01") == nil)
        #expect(LocalTime(text: "24:00") == nil)
        #expect(LocalTime(text: "9:00") == nil)
        #expect(LocalTime(text: "09:00:30")?.description == "09:00")
    }

    @Test(
        "ISO week numbers at year ends",
        arguments: [
            ("2026-01-01", 2026, 1), ("2027-01-01", 2026, 53), ("2021-01-03", 2020, 53), ("2021-01-04", 2021, 1),
            ("2024-12-30", 2025, 1), ("2026-11-23", 2026, 48), ("2026-11-29", 2026, 48),
        ])
    func isoWeeks(date: String, year: Int, week: Int) {
        let iso = LocalDate(iso: date)!.isoWeek
        #expect(iso.year == year)
        #expect(iso.week == week)
    }

    @Test("Local times convert to instants across the spring and autumn changes in London")
    func londonDaylightSaving() {
        let zone = HubTimeZone.london
        func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
        // Winter: GMT.
        #expect(
            zone.instant(of: LocalDate(year: 2026, month: 3, day: 28)!, at: LocalTime(hour: 10, minute: 0)!)
                == utc("2026-03-28T10:00:00Z"))
        // The day the clocks go forward (29 March 2026): 10:00 BST is 09:00 UTC.
        #expect(
            zone.instant(of: LocalDate(year: 2026, month: 3, day: 29)!, at: LocalTime(hour: 10, minute: 0)!)
                == utc("2026-03-29T09:00:00Z"))
        // 01:30 does not exist that night: it is taken as 02:30 BST.
        #expect(
            zone.instant(of: LocalDate(year: 2026, month: 3, day: 29)!, at: LocalTime(hour: 1, minute: 30)!)
                == utc("2026-03-29T01:30:00Z"))
        // The day the clocks go back (25 October 2026): 01:30 happens twice; the first is 00:30 UTC.
        #expect(
            zone.instant(of: LocalDate(year: 2026, month: 10, day: 25)!, at: LocalTime(hour: 1, minute: 30)!)
                == utc("2026-10-25T00:30:00Z"))
        #expect(
            zone.instant(of: LocalDate(year: 2026, month: 10, day: 25)!, at: LocalTime(hour: 10, minute: 0)!)
                == utc("2026-10-25T10:00:00Z"))
        let local = zone.local(of: utc("2026-07-01T23:30:00Z"))
        #expect(local.date == LocalDate(year: 2026, month: 7, day: 2)!)
        #expect(local.time == LocalTime(hour: 0, minute: 30)!)
    }
}

@Suite("The transition table agrees with the system's time zones")
struct TransitionTableTests {
    @Test(
        "Every hour from 1971 to 2060 has the system's offset",
        arguments: ["Europe/London", "Europe/Dublin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"])
    func agrees(identifier: String) {
        let system = TimeZone(identifier: identifier)!
        let zone = HubTimeZone(system)
        var seconds = 31_536_000  // 1971
        var mismatches = 0
        while seconds < 2_840_140_800 {  // 2060
            if zone.offset(atUnixSeconds: seconds)
                != system.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))
            {
                mismatches += 1
            }
            seconds += 3600 * 7 + 1
        }
        #expect(mismatches == 0)
    }
}
