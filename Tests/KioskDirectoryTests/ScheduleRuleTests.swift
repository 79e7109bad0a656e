import Foundation
import KioskCore
import KioskDirectory
import Testing

/// RFC 5545 / HSDS 3 semantics of the schedule rules, read through the directory decoder as a feed writes them.
@Suite("Schedule rules (RFC 5545 / HSDS 3)")
struct ScheduleRuleTests {
    let zone = HubTimeZone.london
    var finder: OpeningFinder { OpeningFinder(timeZone: zone) }

    func at(_ text: String) -> Date {
        let parts = text.split(separator: " ")
        return zone.instant(of: LocalDate(iso: parts[0])!, at: LocalTime(text: parts[1])!)
    }

    func utc(_ text: String) -> Date? { ISO8601DateFormatter().date(from: text) }

    /// The decoder's result for one service with `schedule` (a JSON object's members).
    func decode(_ schedule: String) -> DirectoryDecoder.Result {
        let json = """
            [{"id": "svc-rule", "name": "Rule", "status": "active", "phones": [{"number": "1"}],
              "attributes": [{"taxonomy_term": {"id": "t"}}], "schedules": [{\(schedule)}]}]
            """
        return DirectoryDecoder().decode(Array(json.utf8))
    }

    func schedule(_ members: String, sourceLocation: SourceLocation = #_sourceLocation) -> ServiceSchedule? {
        let result = decode(members + #", "opens_at": "10:00", "closes_at": "12:00""#)
        #expect(result.errors.isEmpty, "\(result.errors)", sourceLocation: sourceLocation)
        return result.directory.services.first?.schedules.first
    }

    func days(_ schedule: ServiceSchedule?, from: String, to: String) -> [String] {
        guard let schedule, let first = LocalDate(iso: from), let last = LocalDate(iso: to) else { return [] }
        return (0...(last.daysSinceEpoch - first.daysSinceEpoch)).map { first.adding(days: $0) }
            .filter { schedule.occurs(on: $0) }.map(\.description)
    }

    @Test(
        "A time that cannot be read is one problem, not also 'has closes_at but no opens_at'",
        arguments: [
            (#""opens_at": "quarter past", "closes_at": "12:00""#, "opens_at"),
            (#""opens_at": "10:00", "closes_at": "25:99""#, "closes_at"),
        ])
    func unreadableTimeIsOneProblem(members: String, field: String) {
        let result = decode(#""freq": "WEEKLY", "byday": "MO", "# + members)
        let schedule = result.problems.filter { $0.field.hasPrefix("schedules[0]") }
        #expect(schedule.count == 1, "\(schedule)")
        #expect(schedule.first?.field == "schedules[0].\(field)")
        let missing = decode(#""freq": "WEEKLY", "byday": "MO", "closes_at": "12:00""#).problems
        #expect(missing.contains { $0.description.contains("has closes_at but no opens_at") }, "\(missing)")
    }

    @Test("MONTHLY with byday and bymonthday: days that satisfy both")
    func bothByDayAndByMonthDay() {
        let fridayThe13th = schedule(#""freq": "MONTHLY", "byday": "FR", "bymonthday": "13""#)
        #expect(
            days(fridayThe13th, from: "2026-01-01", to: "2028-12-31") == [
                "2026-02-13", "2026-03-13", "2026-11-13", "2027-08-13", "2028-10-13",
            ])
        let secondMonday = schedule(#""freq": "MONTHLY", "byday": "MO", "bymonthday": [8, 9, 10, 11, 12, 13, 14]"#)
        let mondays = days(secondMonday, from: "2026-01-01", to: "2026-12-31")
        #expect(mondays.count == 12)
        #expect(mondays == days(schedule(#""freq": "MONTHLY", "byday": "2MO""#), from: "2026-01-01", to: "2026-12-31"))
        // An ordinal and a day of the month together: the last Friday, if it falls on the 25th or later.
        let lateLastFriday = schedule(#""freq": "MONTHLY", "byday": "-1FR", "bymonthday": "25,26,27""#)
        #expect(
            days(lateLastFriday, from: "2026-01-01", to: "2026-06-30") == ["2026-02-27", "2026-03-27", "2026-06-26"])
    }

    @Test("Friday the 13th fourteen months ahead is still found: the horizon covers it")
    func longGap() throws {
        let fridayThe13th = try #require(schedule(#""freq": "MONTHLY", "byday": "FR", "bymonthday": "13""#))
        let opening = finder.nextOpening(of: [fridayThe13th], after: at("2027-08-13 13:00"))
        #expect(opening?.start == at("2028-10-13 10:00"))
        #expect(opening.map { finder.describe($0, at: at("2027-08-13 13:00")) } == "Fri 13 Oct 2028 10:00\u{2013}12:00")
        // Within the year, the slip gives no year.
        let soon = finder.nextOpening(of: [fridayThe13th], after: at("2026-03-14 09:00"))
        #expect(soon.map { finder.describe($0, at: at("2026-03-14 09:00")) } == "Fri 13 Nov 10:00\u{2013}12:00")
        #expect(OpeningFinder.defaultHorizonDays >= 427)
        // Past the horizon there is no next opening.
        #expect(
            OpeningFinder(timeZone: zone, horizonDays: 400).nextOpening(
                of: [fridayThe13th], after: at("2027-08-13 13:00")) == nil)
    }

    @Test("DAILY with an interval still honours byday (and bymonthday) as a filter")
    func dailyIntervalFilters() {
        let everyOtherWeekday = schedule(
            #""freq": "DAILY", "interval": 2, "byday": "MO,WE,FR", "dtstart": "2026-11-02""#)
        // Every other day from Monday 2 November, only on Monday, Wednesday and Friday.
        #expect(
            days(everyOtherWeekday, from: "2026-11-01", to: "2026-11-22") == [
                "2026-11-02", "2026-11-04", "2026-11-06", "2026-11-16", "2026-11-18", "2026-11-20",
            ])
        let everyThirdFirst = schedule(#""freq": "DAILY", "interval": 3, "bymonthday": 1, "dtstart": "2026-01-01""#)
        // 1 Jan + 3k days that are the 1st of a month.
        #expect(
            days(everyThirdFirst, from: "2026-01-01", to: "2026-12-31") == [
                "2026-01-01", "2026-04-01", "2026-05-01", "2026-09-01", "2026-10-01",
            ])
    }

    @Test("MONTHLY from dtstart on the 29th–31st skips months without that day", arguments: [29, 30, 31])
    func monthlyAnchorSkips(day: Int) {
        let anchored = schedule(#""freq": "MONTHLY", "dtstart": "2027-01-\#(day)""#)
        let found = days(anchored, from: "2027-01-01", to: "2028-12-31")
        let expected = (2027...2028).flatMap { year in
            (1...12).compactMap { month in LocalDate(year: year, month: month, day: day)?.description }
        }
        #expect(found == expected)
        #expect(!found.contains { $0.hasPrefix("2027-02") }, "February 2027 has no 29th–31st")
        #expect(found.allSatisfy { $0.hasSuffix("-\(day)") }, "never the month's last day instead")
    }

    @Test(
        "An ordinal byday under WEEKLY or DAILY is a problem naming the service and field",
        arguments: ["WEEKLY", "DAILY"])
    func ordinalOutsideMonthly(freq: String) {
        for byday in ["2MO", "MO,-1FR", "+1TU"] {
            let result = decode(#""freq": "\#(freq)", "byday": "\#(byday)", "opens_at": "10:00", "closes_at": "12:00""#)
            #expect(result.directory.services.first?.schedules.isEmpty == true, "\(byday): never every Monday")
            #expect(
                result.errors.contains {
                    $0.serviceID == "svc-rule" && $0.field == "schedules[0].byday" && $0.message.contains("MONTHLY")
                }, "\(byday): \(result.errors)")
        }
        // Built in code, the schedule is not usable either.
        let built = ServiceSchedule(
            frequency: freq == "WEEKLY" ? .weekly : .daily, byDay: [.init(text: "2MO")!],
            opensAt: LocalTime(hour: 10, minute: 0), closesAt: LocalTime(hour: 12, minute: 0))
        #expect(!built.isUsable)
        // Without freq an ordinal means MONTHLY, as before.
        #expect(decode(#""byday": "2MO", "opens_at": "10:00", "closes_at": "12:00""#).errors.isEmpty)
    }

    @Test("wkst sets the week a WEEKLY interval counts in")
    func weekStart() {
        // Fortnightly on Sunday and Monday from Sunday 1 November 2026: weeks from Monday split the pair,
        // weeks from Sunday keep it together.
        let fromMonday = schedule(#""freq": "WEEKLY", "interval": 2, "byday": "SU,MO", "dtstart": "2026-11-01""#)
        let fromSunday = schedule(
            #""freq": "WEEKLY", "interval": 2, "byday": "SU,MO", "dtstart": "2026-11-01", "wkst": "SU""#)
        #expect(days(fromMonday, from: "2026-11-01", to: "2026-11-16") == ["2026-11-01", "2026-11-09", "2026-11-15"])
        #expect(
            days(fromSunday, from: "2026-11-01", to: "2026-11-16") == [
                "2026-11-01", "2026-11-02", "2026-11-15", "2026-11-16",
            ])
        #expect(
            decode(#""freq": "WEEKLY", "byday": "MO", "wkst": "XX""#).errors.contains {
                $0.field == "schedules[0].wkst"
            })
    }

    @Test(
        "Times as HSDS 3.0 writes them are read",
        arguments: [
            ("09:00", 540, nil), ("9:00", 540, nil), ("09:00:00", 540, nil), ("09:00:59.250", 540, nil),
            ("09:00:00Z", 540, 0), ("09:00Z", 540, 0), ("09:00+01:00", 540, 3600), ("09:00:00-05:00", 540, -18_000),
            ("17:30+0530", 1050, 19_800), ("23:59:59+14", 1439, 50_400),
        ] as [(String, Int, Int?)])
    func timeForms(text: String, minutes: Int, offset: Int?) {
        let time = ScheduleTime(text: text)
        #expect(time?.time.minutes == minutes, "\(text)")
        #expect(time?.utcOffset == offset, "\(text)")
    }

    @Test(
        "Text that is not a time is refused",
        arguments: [
            "", "9", "0900", "24:00", "09:60", "09:00:60", "09:00+25:00", "09:00+1", "09:00 Z", "-09:00",
            "09:00:00.", "twelve", "09::00", "+09:00", "09:00+01:00Z", "１０:００",
        ])
    func notTimes(text: String) {
        #expect(ScheduleTime(text: text) == nil, "\(text)")
    }

    @Test("A closing time of 24:00 is midnight")
    func endOfDay() throws {
        #expect(ScheduleTime(text: "24:00", allowsEndOfDay: true)?.time.minutes == 0)
        #expect(ScheduleTime(text: "24:00:00", allowsEndOfDay: true)?.time.minutes == 0)
        #expect(ScheduleTime(text: "24:01", allowsEndOfDay: true) == nil)
        let result = decode(#""freq": "WEEKLY", "byday": "FR", "opens_at": "18:00", "closes_at": "24:00""#)
        #expect(result.errors.isEmpty, "\(result.errors)")
        let friday = try #require(result.directory.services.first?.schedules.first)
        let opening = finder.nextOpening(of: [friday], after: at("2026-11-27 12:00"))
        #expect(opening?.start == at("2026-11-27 18:00"))
        #expect(opening?.end == at("2026-11-28 00:00"))
    }

    @Test("A UTC offset is honoured against the hub's time zone, in winter and in summer")
    func offsets() throws {
        let result = decode(#""freq": "WEEKLY", "byday": "MO", "opens_at": "09:00:00Z", "closes_at": "11:00:00Z""#)
        #expect(result.errors.isEmpty, "\(result.errors)")
        let utcMonday = try #require(result.directory.services.first?.schedules.first)
        // GMT in winter: the same wall-clock time; BST in summer: an hour later on the hub's clocks.
        let winter = try #require(finder.nextOpening(of: [utcMonday], after: at("2026-11-22 12:00")))
        #expect(winter.start == utc("2026-11-23T09:00:00Z"))
        #expect(finder.describe(winter, at: at("2026-11-22 12:00")) == "Mon 23 Nov 09:00\u{2013}11:00")
        let summer = try #require(finder.nextOpening(of: [utcMonday], after: at("2026-06-14 12:00")))
        #expect(summer.start == utc("2026-06-15T09:00:00Z"))
        #expect(finder.describe(summer, at: at("2026-06-14 12:00")) == "Mon 15 Jun 10:00\u{2013}12:00")

        let plusOne = decode(#""freq": "WEEKLY", "byday": "MO", "opens_at": "09:00+01:00", "closes_at": "11:00+01:00""#)
        let cet = try #require(plusOne.directory.services.first?.schedules.first)
        let cetWinter = try #require(finder.nextOpening(of: [cet], after: at("2026-11-22 12:00")))
        #expect(finder.describe(cetWinter, at: at("2026-11-22 12:00")) == "Mon 23 Nov 08:00\u{2013}10:00")
        let cetSummer = try #require(finder.nextOpening(of: [cet], after: at("2026-06-14 12:00")))
        #expect(finder.describe(cetSummer, at: at("2026-06-14 12:00")) == "Mon 15 Jun 09:00\u{2013}11:00")

        // Local times stay on the hub's clocks across the change.
        let local = decode(#""freq": "WEEKLY", "byday": "MO", "opens_at": "09:00:00", "closes_at": "11:00""#)
        let wall = try #require(local.directory.services.first?.schedules.first)
        #expect(wall.opensAtUTCOffset == nil)
        let wallSummer = try #require(finder.nextOpening(of: [wall], after: at("2026-06-14 12:00")))
        #expect(wallSummer.start == utc("2026-06-15T08:00:00Z"))

        // An offset that moves the opening past local midnight still gives its real instants.
        let late = decode(#""freq": "DAILY", "opens_at": "23:30Z", "closes_at": "01:00Z""#)
        let overnight = try #require(late.directory.services.first?.schedules.first)
        let next = try #require(finder.nextOpening(of: [overnight], after: at("2026-06-15 12:00")))
        #expect(next.start == utc("2026-06-15T23:30:00Z"))
        #expect(next.end == utc("2026-06-16T01:00:00Z"))
    }

    @Test("A bad time names the service and field")
    func badTimes() {
        for bad in ["25:00", "09:00+99:00", "noon", "09.00"] {
            let result = decode(#""freq": "WEEKLY", "byday": "MO", "opens_at": "\#(bad)", "closes_at": "12:00""#)
            #expect(
                result.errors.contains {
                    $0.serviceID == "svc-rule" && $0.field == "schedules[0].opens_at" && $0.message.contains(bad)
                }, "\(bad)")
        }
    }

    @Test("bymonthday under WEEKLY is a problem (RFC 5545 forbids it)")
    func weeklyByMonthDay() {
        let result = decode(
            #""freq": "WEEKLY", "byday": "MO", "bymonthday": 13, "opens_at": "10:00", "closes_at": "12:00""#)
        #expect(result.errors.contains { $0.field == "schedules[0].bymonthday" && $0.message.contains("MONTHLY") })
    }
}
