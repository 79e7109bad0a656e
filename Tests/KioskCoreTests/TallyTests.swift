import Foundation
import KioskCore
import KioskTestSupport
import Testing

@Suite("Suppression of small counts")
struct SuppressionTests {
    @Test("Every count from 0 to 100,000 follows the rule")
    func rule() {
        for count in 0...100_000 {
            let cell = Suppression.apply(count)
            switch count {
            case 0:
                #expect(cell == .count(0))
            case 1...7:
                #expect(cell == .suppressed)
            default:
                guard case .count(let shown) = cell else {
                    Issue.record("\(count) was suppressed")
                    return
                }
                if shown % 5 != 0 || abs(shown - count) > 2 || shown < 10 {
                    Issue.record("\(count) shown as \(shown)")
                }
            }
        }
        #expect(Suppression.apply(8) == .count(10))
        #expect(Suppression.apply(12) == .count(10))
        #expect(Suppression.apply(13) == .count(15))
    }

    @Test("Rounding is monotone: a larger count is never shown smaller")
    func monotone() {
        var previous = 0
        for count in 8...10_000 {
            guard case .count(let shown) = Suppression.apply(count) else { continue }
            #expect(shown >= previous)
            previous = shown
        }
    }

    @Test("Totals are summed from exact counts, then rounded (random reports)")
    func totalsBeforeRounding() {
        var generator = SplitMix64(seed: 2026)
        for _ in 0..<200 {
            var visits: [TallyPeriod: Int] = [:]
            var needs: [TallyPeriod: [NeedCode: Int]] = [:]
            var day = LocalDate(year: 2026, month: 1, day: 1)!
            var exactVisits = 0
            var exactFood = 0
            for _ in 0..<Int.random(in: 1...30, using: &generator) {
                let period = TallyPeriod(containing: day, by: .day)
                let count = Int.random(in: 0...12, using: &generator)
                let food = Int.random(in: 0...count, using: &generator)
                visits[period] = count
                needs[period] = ["food": food]
                exactVisits += count
                exactFood += food
                day = day.adding(days: 1)
            }
            let report = TallyReport(hubID: "h", grouping: .day, needs: ["food"], visits: visits, needCounts: needs)
            let totalLine = report.csv(suppress: true).split(separator: "\r\n").last!.split(separator: ",")
            #expect(String(totalLine[5]) == Suppression.apply(exactVisits).description)
            #expect(String(totalLine[6]) == Suppression.apply(exactFood).description)
            // A suppressed export never shows a count from 1 to 7 anywhere.
            for line in report.csv(suppress: true).split(separator: "\r\n").dropFirst() {
                for field in line.split(separator: ",").dropFirst(5) {
                    if let value = Int(field) { #expect(value == 0 || value >= 10) }
                }
            }
        }
    }
}

@Suite("Tally reports")
struct TallyReportTests {
    let needs: [NeedCode] = ["money", "food"]

    func report(_ grouping: TallyGrouping) -> TallyReport {
        let monday = LocalDate(year: 2026, month: 11, day: 23)!
        let days = [monday, monday.adding(days: 1), monday.adding(days: 15)]
        var visits: [TallyPeriod: Int] = [:]
        var counts: [TallyPeriod: [NeedCode: Int]] = [:]
        for (i, day) in days.enumerated() {
            let period = TallyPeriod(containing: day, by: grouping)
            visits[period, default: 0] += 10 * (i + 1)
            counts[period, default: [:]]["food", default: 0] += i + 1
        }
        return TallyReport(hubID: "brae-street", grouping: grouping, needs: needs, visits: visits, needCounts: counts)
    }

    @Test("CSV: header, a row per period including empty ones, a total row, CRLF")
    func csvWeeks() {
        let csv = report(.week).csv(suppress: false)
        let lines = csv.components(separatedBy: "\r\n")
        #expect(lines[0] == "hub,period,start,end,partial,visits,money,food")
        #expect(lines[1] == "brae-street,2026-W48,2026-11-23,2026-11-29,false,30,0,3")
        #expect(lines[2] == "brae-street,2026-W49,2026-11-30,2026-12-06,false,0,0,0")
        #expect(lines[3] == "brae-street,2026-W50,2026-12-07,2026-12-13,false,30,0,3")
        #expect(lines[4] == "brae-street,total,2026-11-23,2026-12-13,false,60,0,6")
        #expect(lines.last == "", "every line ends in CRLF")
    }

    @Test("Months and days")
    func monthsAndDays() {
        let months = report(.month).csv(suppress: false).components(separatedBy: "\r\n")
        #expect(months[1] == "brae-street,2026-11,2026-11-01,2026-11-30,false,30,0,3")
        #expect(months[2] == "brae-street,2026-12,2026-12-01,2026-12-31,false,30,0,3")
        let days = report(.day).csv(suppress: false).components(separatedBy: "\r\n")
        #expect(days.count == 1 + 16 + 1 + 1, "23 Nov to 8 Dec: 16 days, empty ones included")
    }

    @Test("Suppressed CSV and JSON agree")
    func suppressed() throws {
        let report = report(.week)
        let csv = report.csv(suppress: true).components(separatedBy: "\r\n")
        #expect(csv[1] == "brae-street,2026-W48,2026-11-23,2026-11-29,false,30,0,[c]")
        #expect(csv[4] == "brae-street,total,2026-11-23,2026-12-13,false,60,0,[c]")
        let json = try JSONSerialization.jsonObject(with: Data(report.json(suppress: true).utf8)) as! [String: Any]
        #expect(json["hub"] as? String == "brae-street")
        let periods = json["periods"] as! [[String: Any]]
        #expect(periods.count == 3)
        #expect(periods[0]["period"] as? String == "2026-W48")
        #expect(periods[0]["visits"] as? Int == 30)
        #expect((periods[0]["needs"] as? [String: Any])?["food"] as? String == "[c]")
        #expect((json["total"] as? [String: Any])?["visits"] as? Int == 60)
    }

    @Test("Fields with commas or quotes are quoted (RFC 4180)")
    func quoting() {
        let report = TallyReport(
            hubID: "a,\"b\"", grouping: .day, needs: [],
            visits: [TallyPeriod(containing: LocalDate(year: 2026, month: 1, day: 1)!, by: .day): 9],
            needCounts: [:])
        #expect(report.csv(suppress: false).contains("\"a,\"\"b\"\"\",2026-01-01"))
    }
}
