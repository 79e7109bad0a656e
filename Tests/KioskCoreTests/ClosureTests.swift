import Foundation
import KioskCore
import Testing

/// Holiday closures: `OpeningFinder` never gives an opening on a closed day, and finds the first one after it.
@Suite("Closures and \"next open\"")
struct ClosureTests {
    let zone = HubTimeZone.london
    var finder: OpeningFinder { OpeningFinder(timeZone: zone) }

    func at(_ text: String) -> Date {
        let parts = text.split(separator: " ")
        return zone.instant(of: LocalDate(iso: parts[0])!, at: LocalTime(text: parts[1])!)
    }

    func closed(_ start: String, _ end: String) -> ScheduleClosure {
        ScheduleClosure(start: LocalDate(iso: start)!, end: LocalDate(iso: end)!)
    }

    func schedule(
        _ frequency: ServiceSchedule.Frequency, _ days: String = "", opens: String, closes: String,
        until: String? = nil, closures: [ScheduleClosure]
    ) -> ServiceSchedule {
        ServiceSchedule(
            frequency: frequency, byDay: days.split(separator: ",").map { .init(text: $0)! },
            opensAt: LocalTime(text: opens), closesAt: LocalTime(text: closes),
            until: until.flatMap(LocalDate.init(iso:)),
            closures: closures)
    }

    @Test("A closure takes its days out of the pattern, both ends included")
    func closureDays() {
        let closure = closed("2026-12-24", "2026-12-26")
        #expect(closure.contains(LocalDate(iso: "2026-12-24")!) && closure.contains(LocalDate(iso: "2026-12-26")!))
        #expect(!closure.contains(LocalDate(iso: "2026-12-23")!) && !closure.contains(LocalDate(iso: "2026-12-27")!))
        let daily = schedule(.daily, opens: "10:00", closes: "12:00", closures: [closure])
        let open = (22...28).map { LocalDate(year: 2026, month: 12, day: $0)! }.filter { daily.occurs(on: $0) }
        #expect(open.map(\.day) == [22, 23, 27, 28])
        #expect(closure.description == "2026-12-24 to 2026-12-26")
        #expect(closed("2026-12-25", "2026-12-25").description == "2026-12-25")
    }

    @Test("Closed today: the next opening is after the closure, never one under way today")
    func closedToday() {
        // Tuesday 1 December 2026, a weekday opening 10:00–16:00.
        let weekdays = schedule(
            .weekly, "MO,TU,WE,TH,FR", opens: "10:00", closes: "16:00", closures: [closed("2026-12-01", "2026-12-01")])
        #expect(finder.nextOpening(of: [weekdays], after: at("2026-12-01 09:00"))?.start == at("2026-12-02 10:00"))
        // In what would be today's opening hours it is not "open now".
        let next = finder.nextOpening(of: [weekdays], after: at("2026-12-01 11:00"))
        #expect(next == Opening(start: at("2026-12-02 10:00"), end: at("2026-12-02 16:00")))
        #expect(finder.describe(next!, at: at("2026-12-01 11:00")) == "Wed 2 Dec 10:00\u{2013}16:00")
    }

    @Test("Closed for a week: the first opening after it")
    func closedForAWeek() {
        let twiceWeekly = schedule(
            .weekly, "TU,TH", opens: "10:00", closes: "12:00", closures: [closed("2026-12-21", "2026-12-27")])
        // Monday 21 December: Tuesday 22 and Thursday 24 are closed; Tuesday 29 is the next.
        #expect(finder.nextOpening(of: [twiceWeekly], after: at("2026-12-21 08:00"))?.start == at("2026-12-29 10:00"))
        // Just before the closure, the last opening before it is still found.
        #expect(finder.nextOpening(of: [twiceWeekly], after: at("2026-12-17 08:00"))?.start == at("2026-12-17 10:00"))
    }

    @Test("A closure across the end of a month (and year)")
    func closedAcrossMonthEnd() {
        let daily = schedule(.daily, opens: "09:00", closes: "17:00", closures: [closed("2026-12-30", "2027-01-02")])
        #expect(finder.nextOpening(of: [daily], after: at("2026-12-29 18:00"))?.start == at("2027-01-03 09:00"))
        let lastOfMonth = ServiceSchedule(
            frequency: .monthly, byMonthDay: [-1], opensAt: LocalTime(text: "10:00"),
            closesAt: LocalTime(text: "12:00"), closures: [closed("2026-12-30", "2027-01-02")])
        #expect(
            finder.nextOpening(of: [lastOfMonth], after: at("2026-12-02 08:00"))?.start == at("2027-01-31 10:00"))
    }

    @Test("Closed for all the openings left within the horizon: none")
    func closedForGood() {
        // The pattern ends (until) inside the closure.
        let ending = schedule(
            .weekly, "MO", opens: "10:00", closes: "12:00", until: "2027-01-31",
            closures: [closed("2026-12-01", "2027-02-28")])
        #expect(finder.nextOpening(of: [ending], after: at("2026-12-01 08:00")) == nil)
        // A pattern without end, closed past the horizon.
        let endless = schedule(.daily, opens: "10:00", closes: "12:00", closures: [closed("2026-12-01", "2027-03-01")])
        let shortSighted = OpeningFinder(timeZone: zone, horizonDays: 60)
        #expect(shortSighted.nextOpening(of: [endless], after: at("2026-12-01 08:00")) == nil)
        #expect(finder.nextOpening(of: [endless], after: at("2026-12-01 08:00"))?.start == at("2027-03-02 10:00"))
    }

    @Test("Each schedule skips its own closures; another schedule of the service may open")
    func closuresPerSchedule() {
        let regular = schedule(
            .weekly, "WE", opens: "10:00", closes: "16:00", closures: [closed("2026-12-23", "2026-12-23")])
        // A holiday's own hours on the day the regular ones do not hold.
        let holiday = ServiceSchedule(
            frequency: .daily, opensAt: LocalTime(text: "10:00"), closesAt: LocalTime(text: "13:00"),
            validFrom: LocalDate(iso: "2026-12-23"), validTo: LocalDate(iso: "2026-12-23"))
        let next = finder.nextOpening(of: [regular, holiday], after: at("2026-12-22 12:00"))
        #expect(next == Opening(start: at("2026-12-23 10:00"), end: at("2026-12-23 13:00")))
    }

    @Test("An opening past midnight that began before the closure is still under way")
    func overnightIntoClosure() {
        let nights = schedule(.daily, opens: "20:00", closes: "02:00", closures: [closed("2026-12-02", "2026-12-02")])
        let underWay = finder.nextOpening(of: [nights], after: at("2026-12-02 01:00"))
        #expect(underWay == Opening(start: at("2026-12-01 20:00"), end: at("2026-12-02 02:00")))
        #expect(finder.nextOpening(of: [nights], after: at("2026-12-02 03:00"))?.start == at("2026-12-03 20:00"))
    }

    @Test("A time written in UTC that starts on a closed local day is skipped")
    func utcOffsetOntoClosedDay() {
        // 23:30Z on 1 July is 00:30 on 2 July in London (BST).
        let late = ServiceSchedule(
            frequency: .daily, opensAt: LocalTime(text: "23:30"), closesAt: LocalTime(text: "23:59"),
            opensAtUTCOffset: 0, closesAtUTCOffset: 0, closures: [closed("2027-07-02", "2027-07-02")])
        let next = finder.nextOpening(of: [late], after: at("2027-07-01 12:00"))
        // 1 July's opening starts on the closed 2 July; 2 July's own is skipped; 3 July's is next.
        #expect(next?.start == Date(timeIntervalSince1970: 1_814_657_400))
        #expect(zone.local(of: next!.start).date == LocalDate(iso: "2027-07-04"))
    }

    @Test("On a slip: a service closed today shows its next opening; one closed for good is left out")
    func onTheSlip() {
        func service(_ id: String, closures: [ScheduleClosure]) -> DirectoryService {
            DirectoryService(
                id: id, name: "Service \(id)", phones: ["0131 496 0000"],
                schedules: [schedule(.weekly, "MO,TU,WE,TH,FR", opens: "10:00", closes: "16:00", closures: closures)],
                taxonomyTerms: [TaxonomyTerm(code: "food-bank")])
        }
        let services = [
            service("today", closures: [closed("2026-12-01", "2026-12-01")]),
            service("gone", closures: [closed("2026-11-01", "2029-12-31")]),
        ]
        let composer = SlipComposer(
            hubName: "Test Hub", directory: ServiceDirectory(services: services), layout: .standard(), timeZone: zone)
        let now = at("2026-12-01 11:00")
        #expect(composer.entries(for: ["food"], at: now).map(\.service.id) == ["today"])
        let text = composer.compose(needs: ["food"], at: now).plainText
        #expect(text.contains("Wed 2 Dec 10:00\u{2013}16:00") && !text.contains("Open now"))
    }
}
