import Foundation
import GRDB
import KioskCore
import KioskStore
import KioskTestSupport
import Testing

/// Builds records the way the state machine does.
struct RecordFactory {
    let zone = HubTimeZone.london
    var wall = Date(timeIntervalSince1970: 1_795_435_200)  // Tue 2026-11-17 09:20 UTC
    var mono = MonotonicInstant(nanoseconds: 5_000_000_000)

    func reading() -> WallClockReading { WallClockReading(date: wall, synchronized: true) }

    func visit(_ id: UUID) -> KioskRecord {
        let local = zone.local(of: wall)
        return .visitStarted(
            VisitEntry(
                id: id, startedAt: reading(), startedMonotonic: mono, bootID: "boot", localDay: local.date,
                localHour: local.time.hour))
    }

    func press(
        _ id: UUID, visit: UUID, need: NeedCode?, flags: PressFlags = [], countsVisit: Bool, countsNeed: Bool
    )
        -> KioskRecord
    {
        .press(
            PressEntry(
                id: id, button: ButtonID(need?.rawValue ?? "checkin"), need: need, at: reading(), monotonic: mono,
                bootID: "boot", flags: flags, visitID: visit, countsVisit: countsVisit, countsNeed: countsNeed))
    }
}

@Suite("The SQLite store")
struct StoreTests {
    @Test("WAL, synchronous=FULL and the schema on a new file; reopening keeps the data")
    func opening() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("kiosk.sqlite")
        let database = try KioskDatabase(path: path)
        #expect(try database.pragma("journal_mode") == "wal")
        #expect(try database.pragma("synchronous") == "2", "2 is FULL")
        #expect(try database.pragma("busy_timeout") == "5000")
        let f = RecordFactory()
        let visit = UUID()
        try database.commitSync(
            [f.visit(visit), f.press(UUID(), visit: visit, need: "food", countsVisit: true, countsNeed: true)],
            timeZone: .london)
        try database.close()
        let reopened = try KioskDatabase(path: path)
        #expect(try reopened.visitCounts().counted == 1)
        #expect(try reopened.integrityProblems().isEmpty)
    }

    @Test("Presses, visits and their needs; flagged presses are stored but not counted")
    func records() throws {
        let dir = TemporaryDirectory()
        let database = try KioskDatabase(path: dir.file("kiosk.sqlite"))
        var f = RecordFactory()
        let visit = UUID()
        let food = UUID()
        try database.commitSync(
            [
                f.visit(visit),
                f.press(food, visit: visit, need: "food", countsVisit: true, countsNeed: true),
            ], timeZone: .london)
        f.mono = f.mono + .seconds(1)
        try database.commitSync(
            [
                f.press(
                    UUID(), visit: visit, need: "food", flags: [.duplicate, .repeated], countsVisit: false,
                    countsNeed: false)
            ],
            timeZone: .london)
        f.mono = f.mono + .seconds(1)
        try database.commitSync(
            [f.press(UUID(), visit: visit, need: "money", flags: [.burst], countsVisit: false, countsNeed: false)],
            timeZone: .london)
        let presses = try database.allPresses()
        #expect(presses.count == 3)
        #expect(presses.allSatisfy { UUID(uuidString: $0.id) != nil && $0.id == $0.id.lowercased() })
        #expect(presses.map(\.flags) == [[], [.duplicate, .repeated], [.burst]])
        let totals = try database.totals()
        #expect(totals.visits == 1)
        #expect(totals.needs == ["food": 1])
        #expect(totals.flaggedPresses == 2)
    }

    @Test("A stuck press is flagged and its visit recounted")
    func stuck() throws {
        let dir = TemporaryDirectory()
        let database = try KioskDatabase(path: dir.file("kiosk.sqlite"))
        let f = RecordFactory()
        let visit = UUID()
        let press = UUID()
        try database.commitSync(
            [f.visit(visit), f.press(press, visit: visit, need: "housing", countsVisit: true, countsNeed: true)],
            timeZone: .london)
        #expect(try database.totals().visits == 1)
        try database.commitSync([.pressStuck(id: press)], timeZone: .london)
        let totals = try database.totals()
        #expect(totals.visits == 0)
        #expect(totals.needs.isEmpty)
        #expect(try database.allPresses().first?.flags == [.stuck])
    }

    @Test("A failed transaction stores nothing of it")
    func atomicity() throws {
        let dir = TemporaryDirectory()
        let database = try KioskDatabase(path: dir.file("kiosk.sqlite"))
        let f = RecordFactory()
        let visit = UUID()
        try database.commitSync([f.visit(visit)], timeZone: .london)
        // The second record reuses the visit id: the whole transaction must roll back.
        #expect(throws: StoreError.self) {
            try database.commitSync(
                [f.press(UUID(), visit: visit, need: "food", countsVisit: true, countsNeed: true), f.visit(visit)],
                timeZone: .london)
        }
        #expect(try database.allPresses().isEmpty)
        #expect(try database.visitCounts() == (0, 1))
    }

    @Test("A full disk is reported as such and loses nothing already stored")
    func diskFull() throws {
        let dir = TemporaryDirectory()
        let database = try KioskDatabase(path: dir.file("kiosk.sqlite"))
        var f = RecordFactory()
        var stored = 0
        try database.setMaximumPageCount(Int(try database.pragma("page_count") ?? "0")! + 3)
        var failure: StoreError?
        for _ in 0..<5000 {
            let visit = UUID()
            do {
                try database.commitSync(
                    [f.visit(visit), f.press(UUID(), visit: visit, need: "food", countsVisit: true, countsNeed: true)],
                    timeZone: .london)
                stored += 1
            } catch {
                failure = error
                break
            }
            f.wall = f.wall.addingTimeInterval(120)
        }
        #expect(failure?.code == .full)
        #expect(stored > 0)
        #expect(try database.allPresses().count == stored)
        #expect(try database.integrityProblems().isEmpty)
    }

    @Test("Tallies group counted visits by the hub's local day, ISO week and month")
    func tallies() throws {
        let dir = TemporaryDirectory()
        let database = try KioskDatabase(path: dir.file("kiosk.sqlite"))
        var f = RecordFactory()
        let zone = HubTimeZone.london
        // 23:30 UTC on 31 May is 00:30 BST on 1 June: it belongs to June.
        let moments = ["2026-05-31T23:30:00Z", "2026-06-01T12:00:00Z", "2026-06-07T12:00:00Z", "2026-06-08T09:00:00Z"]
        for (i, moment) in moments.enumerated() {
            f.wall = ISO8601DateFormatter().date(from: moment)!
            let visit = UUID()
            try database.commitSync(
                [
                    f.visit(visit),
                    f.press(
                        UUID(), visit: visit, need: i % 2 == 0 ? "food" : "money", countsVisit: true, countsNeed: true),
                ], timeZone: zone)
        }
        let months = try database.tallyReport(hubID: "h", needs: ["money", "food"], grouping: .month)
        #expect(months.rows.map(\.period.label) == ["2026-06"])
        #expect(months.rows.first?.visits == 4)
        let weeks = try database.tallyReport(hubID: "h", needs: ["money", "food"], grouping: .week)
        #expect(weeks.rows.map(\.period.label) == ["2026-W23", "2026-W24"])
        #expect(weeks.rows.map(\.visits) == [3, 1])
        #expect(weeks.rows.map { $0.needs["food"] ?? 0 } == [2, 0])
        let days = try database.tallyReport(
            hubID: "h", needs: ["money", "food"], grouping: .day, from: LocalDate(year: 2026, month: 6, day: 1),
            to: LocalDate(year: 2026, month: 6, day: 3))
        #expect(days.rows.map(\.visits) == [2, 0, 0])
    }

    @Test("Read-only opening: a missing file is explained, and the schema is never changed")
    func readOnly() throws {
        let dir = TemporaryDirectory()
        do {
            _ = try KioskDatabase.openReadOnly(path: dir.file("missing.sqlite"))
            Issue.record("opened a missing file")
        } catch {
            #expect(error.code == .missing)
            #expect(error.description.contains("hubkioskd"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("missing.sqlite")))
        _ = try KioskDatabase(path: dir.file("kiosk.sqlite"))
        let reader = try KioskDatabase.openReadOnly(path: dir.file("kiosk.sqlite"))
        #expect(try reader.totals().presses == 0)
    }
}
