import Foundation
import KioskCore
import KioskTestSupport
import Testing

@Suite("Tally rows say which days they count")
struct TallyRangeTests {
    /// What the store hands the report for a range: per-period counts of the days inside it only.
    static func report(
        counts: [LocalDate: Int], grouping: TallyGrouping, from: LocalDate?, to: LocalDate?
    ) -> TallyReport {
        var visits: [TallyPeriod: Int] = [:]
        var needs: [TallyPeriod: [NeedCode: Int]] = [:]
        for (day, count) in counts where (from.map { day >= $0 } ?? true) && (to.map { day <= $0 } ?? true) {
            let period = TallyPeriod(containing: day, by: grouping)
            visits[period, default: 0] += count
            needs[period, default: [:]]["food", default: 0] += 1
        }
        return TallyReport(
            hubID: "h", grouping: grouping, needs: ["food"], visits: visits, needCounts: needs, from: from, to: to)
    }

    @Test("A week from Wednesday to Sunday is labelled with those days and marked partial")
    func weekFromWednesday() throws {
        let wednesday = try #require(LocalDate(year: 2026, month: 11, day: 25))
        let sunday = wednesday.adding(days: 4)
        let monday = wednesday.adding(days: -2)
        let counts = [monday: 5, wednesday: 3, sunday: 2]
        let report = Self.report(counts: counts, grouping: .week, from: wednesday, to: sunday)
        let lines = report.csv(suppress: false).components(separatedBy: "\r\n")
        #expect(lines[0] == "hub,period,start,end,partial,visits,food")
        #expect(lines[1] == "h,2026-W48,2026-11-25,2026-11-29,true,5,2")
        #expect(lines[2] == "h,total,2026-11-25,2026-11-29,true,5,2")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(report.json(suppress: false).utf8)) as? [String: Any])
        let periods = try #require(json["periods"] as? [[String: Any]])
        #expect(periods[0]["start"] as? String == "2026-11-25")
        #expect(periods[0]["end"] as? String == "2026-11-29")
        #expect(periods[0]["partial"] as? Bool == true)
        let total = try #require(json["total"] as? [String: Any])
        #expect(total["start"] as? String == "2026-11-25")
        #expect(total["partial"] as? Bool == true)
    }

    @Test("Random ranges by day, week and month: rows tile the range exactly, only cut periods are partial")
    func randomRanges() throws {
        var random = SplitMix64(seed: 6)
        let base = try #require(LocalDate(year: 2025, month: 12, day: 1))
        var counts: [LocalDate: Int] = [:]
        for offset in 0..<500 { counts[base.adding(days: offset)] = Int(random.next() % 9) }
        // Hours tile each day 24 times over: their rows are checked by the hour test below.
        for grouping in TallyGrouping.allCases where grouping != .hour {
            for _ in 0..<150 {
                let from = base.adding(days: Int(random.next() % 400))
                let to = from.adding(days: Int(random.next() % 100))
                let report = Self.report(counts: counts, grouping: grouping, from: from, to: to)
                try Self.checkTiles(report, from: from, to: to, counts: counts)
            }
        }
    }

    @Test("Ranges that start and end on period boundaries give whole, unmarked periods")
    func wholePeriods() throws {
        let counts = [try #require(LocalDate(year: 2026, month: 3, day: 10)): 4]
        let cases: [(TallyGrouping, LocalDate, LocalDate)] = [
            (.day, LocalDate(year: 2026, month: 3, day: 1)!, LocalDate(year: 2026, month: 3, day: 31)!),
            (.week, LocalDate(year: 2026, month: 3, day: 2)!, LocalDate(year: 2026, month: 3, day: 29)!),
            (.month, LocalDate(year: 2026, month: 2, day: 1)!, LocalDate(year: 2026, month: 4, day: 30)!),
        ]
        for (grouping, from, to) in cases {
            let report = Self.report(counts: counts, grouping: grouping, from: from, to: to)
            #expect(!report.partial, "\(grouping)")
            #expect(report.rows.allSatisfy { !$0.partial && $0.first == $0.period.start && $0.last == $0.period.end })
            try Self.checkTiles(report, from: from, to: to, counts: counts)
        }
        // Without a range every row is its whole period.
        let open = Self.report(counts: counts, grouping: .month, from: nil, to: nil)
        #expect(open.rows.map(\.first) == [LocalDate(year: 2026, month: 3, day: 1)!])
        #expect(!open.partial)
    }

    @Test("Hour periods: labelled day and hour, 24 a day, the next after 23 is the next day's 00; never partial")
    func hours() throws {
        let day = try #require(LocalDate(year: 2026, month: 12, day: 1))
        let nine = TallyPeriod(containing: day, hour: 9, by: .hour)
        #expect(nine.label == "2026-12-01T09")
        #expect(nine.start == day && nine.end == day && nine.hour == 9)
        let last = TallyPeriod(containing: day, hour: 23, by: .hour)
        #expect(last.next == TallyPeriod(containing: day.adding(days: 1), hour: 0, by: .hour))
        #expect(last.next.label == "2026-12-02T00")
        #expect(nine < last && last < last.next)
        // The other groupings ignore the hour.
        #expect(TallyPeriod(containing: day, hour: 9, by: .day) == TallyPeriod(containing: day, by: .day))
        let report = TallyReport(
            hubID: "h", grouping: .hour, needs: ["food"], visits: [nine: 3, last: 1], needCounts: [nine: ["food": 2]],
            from: day, to: day.adding(days: 1))
        #expect(report.rows.count == 48)
        #expect(report.rows.map(\.period.label).prefix(3) == ["2026-12-01T00", "2026-12-01T01", "2026-12-01T02"])
        #expect(report.rows.last?.period.label == "2026-12-02T23")
        #expect(!report.partial && report.rows.allSatisfy { $0.first == $0.period.start && $0.last == $0.period.start })
        #expect(report.rows[9].visits == 3 && report.rows[9].needs == ["food": 2] && report.rows[23].visits == 1)
        #expect(report.total.visits == 4)
        let lines = report.csv(suppress: false).components(separatedBy: "\r\n")
        #expect(lines[10] == "h,2026-12-01T09,2026-12-01,2026-12-01,false,3,2")
        #expect(lines[49] == "h,total,2026-12-01,2026-12-02,false,4,2")
    }

    static func checkTiles(_ report: TallyReport, from: LocalDate, to: LocalDate, counts: [LocalDate: Int]) throws {
        let rows = report.rows
        try #require(!rows.isEmpty)
        #expect(rows.first?.first == from)
        #expect(rows.last?.last == to)
        for (row, next) in zip(rows, rows.dropFirst()) {
            #expect(next.first == row.last.adding(days: 1), "rows are contiguous")
        }
        let csvRows = report.csv(suppress: false).components(separatedBy: "\r\n").dropFirst().dropLast(2)
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(report.json(suppress: false).utf8)) as? [String: Any])
        let periods = try #require(json["periods"] as? [[String: Any]])
        #expect(csvRows.count == rows.count && periods.count == rows.count)
        for (index, (row, line)) in zip(rows, csvRows).enumerated() {
            #expect(row.first >= row.period.start && row.last <= row.period.end && row.first <= row.last)
            let partial = row.first != row.period.start || row.last != row.period.end
            #expect(row.partial == partial)
            // Only the first and the last row can be cut.
            if index != 0 && index != rows.count - 1 { #expect(!row.partial) }
            var expected = 0
            var day = row.first
            while day <= row.last {
                expected += counts[day] ?? 0
                day = day.adding(days: 1)
            }
            #expect(row.visits == expected, "\(row.period.label) counts exactly the days it names")
            let fields = line.split(separator: ",").map(String.init)
            #expect(fields[2] == row.first.description && fields[3] == row.last.description)
            #expect(fields[4] == String(partial))
            #expect(periods[index]["start"] as? String == row.first.description)
            #expect(periods[index]["end"] as? String == row.last.description)
            #expect(periods[index]["partial"] as? Bool == partial)
        }
    }
}
