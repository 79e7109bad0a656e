import Foundation
import KioskCore
import Testing

@Suite("Schedules and \"next open\"")
struct ScheduleTests {
    let zone = HubTimeZone.london
    var finder: OpeningFinder { OpeningFinder(timeZone: zone) }

    func at(_ text: String) -> Date {
        let parts = text.split(separator: " ")
        return zone.instant(of: LocalDate(iso: parts[0])!, at: LocalTime(text: parts[1])!)
    }

    func weekly(
        _ days: String, _ opens: String, _ closes: String, interval: Int = 1, start: String? = nil
    )
        -> ServiceSchedule
    {
        ServiceSchedule(
            frequency: .weekly, interval: interval, byDay: days.split(separator: ",").map { .init(text: $0)! },
            opensAt: LocalTime(text: opens), closesAt: LocalTime(text: closes),
            start: start.flatMap { LocalDate(iso: $0) })
    }

    @Test("Weekly on several days")
    func weeklySeveralDays() {
        let schedule = weekly("MO,WE,FR", "10:00", "16:00")
        let days = (23...29).map { LocalDate(year: 2026, month: 11, day: $0)! }.filter { schedule.occurs(on: $0) }
        #expect(days.map(\.day) == [23, 25, 27])
        let next = finder.nextOpening(of: [schedule], after: at("2026-11-23 16:30"))
        #expect(next?.start == at("2026-11-25 10:00"))
    }

    @Test("Fortnightly counts weeks from dtstart")
    func fortnightly() {
        let schedule = weekly("TH", "13:00", "15:00", interval: 2, start: "2026-01-08")
        #expect(schedule.occurs(on: LocalDate(year: 2026, month: 1, day: 8)!))
        #expect(!schedule.occurs(on: LocalDate(year: 2026, month: 1, day: 15)!))
        #expect(schedule.occurs(on: LocalDate(year: 2026, month: 1, day: 22)!))
        #expect(!schedule.occurs(on: LocalDate(year: 2026, month: 1, day: 1)!), "before dtstart")
        // 2026-11-26 is 46 weeks after 2026-01-08: an even week.
        #expect(schedule.occurs(on: LocalDate(year: 2026, month: 11, day: 26)!))
        #expect(!schedule.occurs(on: LocalDate(year: 2026, month: 12, day: 3)!))
        #expect(!weekly("TH", "13:00", "15:00", interval: 2).isUsable, "an interval needs something to count from")
    }

    @Test("Monthly ordinals: second Monday, last Friday, last day of the month")
    func monthlyOrdinals() {
        let secondMonday = ServiceSchedule(
            frequency: .monthly, byDay: [.init(text: "2MO")!], opensAt: LocalTime(text: "10:00"),
            closesAt: LocalTime(text: "12:00"))
        let lastFriday = ServiceSchedule(
            frequency: .monthly, byDay: [.init(text: "-1FR")!], opensAt: LocalTime(text: "10:00"),
            closesAt: LocalTime(text: "12:00"))
        let lastDay = ServiceSchedule(
            frequency: .monthly, byMonthDay: [-1], opensAt: LocalTime(text: "10:00"), closesAt: LocalTime(text: "12:00")
        )
        func days(_ schedule: ServiceSchedule, year: Int, month: Int) -> [Int] {
            (1...LocalDate.daysIn(month: month, year: year)).filter {
                schedule.occurs(on: LocalDate(year: year, month: month, day: $0)!)
            }
        }
        #expect(days(secondMonday, year: 2026, month: 11) == [9])
        #expect(days(secondMonday, year: 2026, month: 6) == [8])
        #expect(days(lastFriday, year: 2026, month: 11) == [27])
        #expect(days(lastFriday, year: 2026, month: 7) == [31])
        #expect(days(lastDay, year: 2028, month: 2) == [29])
        #expect(days(lastDay, year: 2026, month: 4) == [30])
        // Every other month, counted from the anchor.
        var bimonthly = secondMonday
        bimonthly.interval = 2
        bimonthly.start = LocalDate(year: 2026, month: 1, day: 1)
        #expect(days(bimonthly, year: 2026, month: 3) == [9])
        #expect(days(bimonthly, year: 2026, month: 4) == [])
    }

    @Test("valid_from and valid_to bound the pattern")
    func validity() {
        var schedule = weekly("MO,TU,WE,TH,FR,SA", "10:00", "16:00")
        schedule.validFrom = LocalDate(year: 2026, month: 11, day: 1)
        schedule.validTo = LocalDate(year: 2027, month: 3, day: 31)
        #expect(!schedule.occurs(on: LocalDate(year: 2026, month: 10, day: 31)!))
        #expect(schedule.occurs(on: LocalDate(year: 2026, month: 11, day: 2)!))
        #expect(!schedule.occurs(on: LocalDate(year: 2027, month: 4, day: 1)!))
        // After valid_to there is no next opening at all.
        #expect(finder.nextOpening(of: [schedule], after: at("2027-04-01 09:00")) == nil)
    }

    @Test("Several opening windows in one day")
    func splitDay() {
        let schedules = [weekly("MO,TU,WE,TH,FR", "10:00", "12:00"), weekly("MO,TU,WE,TH,FR", "14:00", "16:00")]
        let now = at("2026-11-23 12:30")
        let next = finder.nextOpening(of: schedules, after: now)!
        #expect(next.start == at("2026-11-23 14:00"))
        #expect(finder.describe(next, at: now) == "Today 14:00\u{2013}16:00")
        let during = at("2026-11-23 11:00")
        let open = finder.nextOpening(of: schedules, after: during)!
        #expect(finder.describe(open, at: during) == "Open now until 12:00")
    }

    @Test("Openings that run past midnight are open now after midnight")
    func overnight() {
        let schedule = ServiceSchedule(
            frequency: .daily, opensAt: LocalTime(text: "20:00"), closesAt: LocalTime(text: "08:00"))
        let now = at("2026-11-24 02:00")
        let opening = finder.nextOpening(of: [schedule], after: now)!
        #expect(opening.start == at("2026-11-23 20:00"))
        #expect(opening.end == at("2026-11-24 08:00"))
        #expect(finder.describe(opening, at: now) == "Open now until 08:00")
    }

    @Test("Slip wording for a later day")
    func laterDay() {
        let schedule = weekly("TH", "10:00", "12:00")
        let now = at("2025-12-01 09:00")
        let opening = finder.nextOpening(of: [schedule], after: now)!
        #expect(finder.describe(opening, at: now) == "Thu 4 Dec 10:00\u{2013}12:00")
    }

    @Test("A weekly opening keeps its local time across the week the clocks change")
    func dstWeeks() {
        let schedule = weekly("MO", "10:00", "12:00")
        // Spring: Monday 30 March 2026 is the first BST Monday.
        let spring = finder.nextOpening(of: [schedule], after: at("2026-03-27 12:00"))!
        #expect(spring.start == ISO8601DateFormatter().date(from: "2026-03-30T09:00:00Z"))
        #expect(finder.describe(spring, at: at("2026-03-27 12:00")) == "Mon 30 Mar 10:00\u{2013}12:00")
        // Autumn: Monday 26 October 2026 is the first GMT Monday.
        let autumn = finder.nextOpening(of: [schedule], after: at("2026-10-23 12:00"))!
        #expect(autumn.start == ISO8601DateFormatter().date(from: "2026-10-26T10:00:00Z"))
        // On the Sunday of the change itself the opening is still 10:00 local.
        let sunday = weekly("SU", "10:00", "12:00")
        let changeDay = finder.nextOpening(of: [sunday], after: at("2026-10-24 12:00"))!
        #expect(changeDay.start == ISO8601DateFormatter().date(from: "2026-10-25T10:00:00Z"))
        #expect(finder.describe(changeDay, at: at("2026-10-25 09:59")) == "Today 10:00\u{2013}12:00")
    }

    @Test("Day rules parse ordinals and reject nonsense")
    func dayRules() {
        #expect(ServiceSchedule.DayRule(text: "2MO") == .init(ordinal: 2, weekday: .monday))
        #expect(ServiceSchedule.DayRule(text: "-1FR") == .init(ordinal: -1, weekday: .friday))
        #expect(ServiceSchedule.DayRule(text: " tu") == .init(weekday: .tuesday))
        #expect(ServiceSchedule.DayRule(text: "6MO") == nil)
        #expect(ServiceSchedule.DayRule(text: "0MO") == nil)
        #expect(ServiceSchedule.DayRule(text: "XX") == nil)
    }
}
