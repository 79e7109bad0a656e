import Foundation
import GRDB
import KioskCore
import KioskTestSupport
import Testing

@testable import KioskStore

@Suite("The tally ledger")
struct LedgerTests {
    /// Checks that every slip's stored day and hour are those of its stored time in the hub's zone.
    static func expectSlipHours(_ path: String, zone: HubTimeZone) throws {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        let rows = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT requested_at, local_day, local_hour FROM slip")
        }
        for row in rows {
            let local = zone.local(of: Date(timeIntervalSince1970: row[0]))
            #expect(local.date.daysSinceEpoch == row[1] as Int && local.time.hour == row[2] as Int)
        }
    }

    @Test("Random scenarios with clock jumps and corrections: the ledger equals the rebuild, revisions only grow")
    func randomScenarios() async throws {
        for seed: UInt64 in [1, 2, 3, 4, 5] {
            let dir = TemporaryDirectory()
            let database = try KioskDatabase(path: dir.file("kiosk.sqlite"))
            var scenario = LedgerScenario(database: database, seed: seed)
            var previous: [BucketKey: (counts: BucketCounts, revision: UInt64)] = [:]
            for round in 0..<8 {
                for _ in 0..<40 { try await scenario.step() }
                try Ledger.expectAgrees(database, "seed \(seed) round \(round)")
                let now = try Ledger.hours(database)
                for (key, old) in previous {
                    let current = try #require(now[key], "seed \(seed): bucket \(key) lost its row")
                    #expect(current.revision >= old.revision, "seed \(seed): \(key) revision went down")
                    if current.counts.trimmed != old.counts.trimmed {
                        #expect(current.revision > old.revision, "seed \(seed): \(key) changed at the same revision")
                    }
                }
                previous = now
            }
            try Self.expectSlipHours(database.path, zone: scenario.zone)
            #expect(try database.totals().visits > 50, "seed \(seed): the scenario counts visits")
            // Exports come from the ledger and say the same as the raw rows.
            let ledgerDays = try database.tallyReport(hubID: "h", needs: scenario.needs, grouping: .day)
            let totals = try database.totals()
            #expect(ledgerDays.total.visits == totals.visits)
            #expect(ledgerDays.total.needs == totals.needs)
            let hours = try database.tallyReport(hubID: "h", needs: scenario.needs, grouping: .hour)
            #expect(hours.total.visits == totals.visits && hours.total.needs == totals.needs)
        }
    }

    @Test("The press path's commit moves the ledger in the same transaction: a rolled-back commit moves nothing")
    func sameTransaction() throws {
        let dir = TemporaryDirectory()
        let database = try KioskDatabase(path: dir.file("kiosk.sqlite"))
        let f = RecordFactory()
        let visit = UUID()
        try database.commitSync(
            [f.visit(visit), f.press(UUID(), visit: visit, need: "food", countsVisit: true, countsNeed: true)],
            timeZone: .london)
        let before = try database.ledgerBuckets(from: nil, to: nil, resolution: .hour)
        #expect(before.count == 1)
        #expect(before.first?.visits == 1 && before.first?.visitsByNeed == ["food": 1])
        #expect(before.first?.hour == 12 && before.first?.day == LocalDate(year: 2026, month: 11, day: 23))
        let second = UUID()
        #expect(throws: StoreError.self) {
            try database.commitSync(
                [
                    f.visit(second), f.press(UUID(), visit: second, need: "money", countsVisit: true, countsNeed: true),
                    f.visit(visit),
                ], timeZone: .london)
        }
        #expect(try database.ledgerBuckets(from: nil, to: nil, resolution: .hour) == before)
    }

    @Test("Unacknowledged buckets: oldest first, limited; acknowledgements keep the highest; unknown ones ignored")
    func acknowledgements() async throws {
        let dir = TemporaryDirectory()
        let database = try KioskDatabase(path: dir.file("kiosk.sqlite"))
        var scenario = LedgerScenario(database: database, seed: 11)
        for _ in 0..<120 { try await scenario.step() }
        let all = try database.unacknowledgedBuckets(.hour, limit: 100_000)
        #expect(all.count == (try database.unacknowledgedBucketCount(.hour)))
        #expect(all.count > 10)
        #expect(all == (try database.ledgerBuckets(from: nil, to: nil, resolution: .hour)))
        #expect(
            all.map { $0.day.daysSinceEpoch * 24 + $0.hour! }
                == all.map { $0.day.daysSinceEpoch * 24 + $0.hour! }.sorted())
        let first = try database.unacknowledgedBuckets(.hour, limit: 5)
        #expect(first == Array(all.prefix(5)))

        // Acknowledged at their revision: gone from the backlog. One acknowledged below its revision stays.
        try database.acknowledge(
            first.map { LedgerAck(day: $0.day, hour: $0.hour, revision: $0.revision) }
                + [LedgerAck(day: all[5].day, hour: all[5].hour, revision: all[5].revision - 1)]
                + [LedgerAck(day: LocalDate(year: 1999, month: 1, day: 1)!, hour: 3, revision: 9)],
            resolution: .hour)
        #expect(try database.unacknowledgedBucketCount(.hour) == all.count - 5)
        #expect(try database.unacknowledgedBuckets(.hour, limit: 1).first == all[5])
        // An older acknowledgement arriving late does not lower it.
        try database.acknowledge([LedgerAck(day: first[0].day, hour: first[0].hour, revision: 0)], resolution: .hour)
        #expect(try database.unacknowledgedBucketCount(.hour) == all.count - 5)
        // Day acknowledgements are kept apart from hour ones.
        let days = try database.unacknowledgedBuckets(.day, limit: 1000)
        #expect(days.count == (try database.unacknowledgedBucketCount(.day)))
        try database.acknowledge(
            days.map { LedgerAck(day: $0.day, hour: nil, revision: $0.revision) }, resolution: .day)
        #expect(try database.unacknowledgedBucketCount(.day) == 0)
        #expect(try database.unacknowledgedBucketCount(.hour) == all.count - 5)

        // A change to an acknowledged bucket puts it back in the backlog, at a higher revision.
        try database.acknowledge(
            all.map { LedgerAck(day: $0.day, hour: $0.hour, revision: $0.revision) }, resolution: .hour)
        #expect(try database.unacknowledgedBucketCount(.hour) == 0)
        try await scenario.step()
        while try database.unacknowledgedBucketCount(.hour) == 0 { try await scenario.step() }
        let changed = try database.unacknowledgedBuckets(.hour, limit: 100)
        for bucket in changed {
            if let old = all.first(where: { $0.day == bucket.day && $0.hour == bucket.hour }) {
                #expect(bucket.revision > old.revision)
            }
        }
        #expect(try database.unacknowledgedBucketCount(.day) > 0, "a day's revision grows with its hours'")
    }

    @Test("Purge: only days acknowledged at their current revision and old enough lose their raw rows; exports stay")
    func purge() async throws {
        for resolution in [LedgerResolution.hour, .day] {
            let dir = TemporaryDirectory()
            let database = try KioskDatabase(path: dir.file("kiosk.sqlite"))
            var scenario = LedgerScenario(database: database, seed: 21)
            // Synchronised throughout: every row settled.
            for _ in 0..<300 {
                try scenario.visit()
                scenario.advance(seconds: Double(600 + scenario.below(4 * 3600)))
            }
            let ledger = try database.ledgerBuckets(from: nil, to: nil, resolution: .hour)
            let days = try database.ledgerBuckets(from: nil, to: nil, resolution: .day)
            #expect(days.count > 10)
            let reports = try TallyGrouping.allCases.map {
                try database.tallyReport(hubID: "h", needs: scenario.needs, grouping: $0)
            }
            // Nothing acknowledged: nothing purged.
            let today = days.last!.day.adding(days: 40)
            #expect(try database.purgeAcknowledgedRows(olderThanDays: 35, today: today, resolution: resolution) == 0)
            // All acknowledged but one hour (or day): its day keeps its rows.
            let kept = ledger[ledger.count / 2]
            switch resolution {
            case .hour:
                try database.acknowledge(
                    ledger.filter { $0 != kept }.map { LedgerAck(day: $0.day, hour: $0.hour, revision: $0.revision) },
                    resolution: .hour)
            case .day:
                try database.acknowledge(
                    days.filter { $0.day != kept.day }.map { LedgerAck(day: $0.day, hour: nil, revision: $0.revision) },
                    resolution: .day)
            }
            let deleted = try database.purgeAcknowledgedRows(olderThanDays: 35, today: today, resolution: resolution)
            #expect(deleted > 0)
            let left = try Ledger.rebuild(database.path)
            #expect(
                Set(left.keys.map(\.day)) == [kept.day.daysSinceEpoch], "\(resolution): only the day not acknowledged")
            // The ledger did not move, and exports say what they said.
            #expect(try database.ledgerBuckets(from: nil, to: nil, resolution: .hour) == ledger)
            #expect(try database.ledgerBuckets(from: nil, to: nil, resolution: .day) == days)
            let after = try TallyGrouping.allCases.map {
                try database.tallyReport(hubID: "h", needs: scenario.needs, grouping: $0)
            }
            #expect(after == reports, "\(resolution)")
            // Days too recent are kept even when acknowledged.
            let recent = TemporaryDirectory()
            let other = try KioskDatabase(path: recent.file("kiosk.sqlite"))
            var fresh = LedgerScenario(database: other, seed: 22)
            for _ in 0..<20 { try fresh.visit() }
            let buckets = try other.ledgerBuckets(from: nil, to: nil, resolution: resolution)
            try other.acknowledge(
                buckets.map { LedgerAck(day: $0.day, hour: $0.hour, revision: $0.revision) }, resolution: resolution)
            let firstDay = buckets.first!.day
            let lastDay = buckets.last!.day
            #expect(
                try other.purgeAcknowledgedRows(
                    olderThanDays: 35, today: firstDay.adding(days: 35), resolution: resolution)
                    == 0)
            #expect(
                try other.purgeAcknowledgedRows(
                    olderThanDays: 35, today: lastDay.adding(days: 36), resolution: resolution)
                    > 0)
            #expect(try other.totals().presses == 0)
            #expect(try other.ledgerBuckets(from: nil, to: nil, resolution: resolution) == buckets)
        }
    }

    @Test("A day with rows whose clock is not settled yet is not purged")
    func unsettledNotPurged() async throws {
        let dir = TemporaryDirectory()
        let database = try KioskDatabase(path: dir.file("kiosk.sqlite"))
        var scenario = LedgerScenario(database: database, seed: 31)
        scenario.synchronized = false
        for _ in 0..<10 { try scenario.visit() }
        let buckets = try database.ledgerBuckets(from: nil, to: nil, resolution: .hour)
        try database.acknowledge(
            buckets.map { LedgerAck(day: $0.day, hour: $0.hour, revision: $0.revision) }, resolution: .hour)
        let today = buckets.last!.day.adding(days: 100)
        #expect(try database.purgeAcknowledgedRows(olderThanDays: 35, today: today, resolution: .hour) == 0)
        try await database.markApproximate(exceptBoot: "a later boot")
        #expect(try database.purgeAcknowledgedRows(olderThanDays: 35, today: today, resolution: .hour) > 0)
    }

    @Test("Salvage into a fresh file: the ledger equals the rebuild, revisions rise above the old, purged days kept")
    func salvage() async throws {
        for seed: UInt64 in [41, 42] {
            let dir = TemporaryDirectory()
            let path = dir.file("kiosk.sqlite")
            let database = try KioskDatabase(path: path)
            var scenario = LedgerScenario(database: database, seed: seed)
            for _ in 0..<150 { try await scenario.step() }
            // Part acknowledged and the oldest days purged.
            let old = try database.ledgerBuckets(from: nil, to: nil, resolution: .hour)
            let cut = old[old.count / 3].day
            try database.acknowledge(
                old.filter { $0.day < cut }.map { LedgerAck(day: $0.day, hour: $0.hour, revision: $0.revision) },
                resolution: .hour)
            try await database.markApproximate(exceptBoot: "a later boot")
            _ = try database.purgeAcknowledgedRows(olderThanDays: 0, today: cut, resolution: .hour)
            for _ in 0..<50 { try await scenario.step() }
            let before = try database.ledgerBuckets(from: nil, to: nil, resolution: .hour)
            let waitingBeforeAll = try database.unacknowledgedBuckets(.hour, limit: 10_000)
            let purged = try Set(
                database.readSync { db in try Int.fetchAll(db, sql: "SELECT local_day FROM ledger_day WHERE purged = 1")
                })
            let waitingBefore = waitingBeforeAll.filter { purged.contains($0.day.daysSinceEpoch) }
            try database.close()

            let fresh = try KioskDatabase(path: dir.file("fresh.sqlite"))
            _ = fresh.salvage(from: path)
            // A purged day's ledger is all there is of it: the rebuild from raw rows has nothing to say.
            try Ledger.expectAgrees(fresh, "seed \(seed) salvaged", exceptDays: purged)
            let after = try fresh.ledgerBuckets(from: nil, to: nil, resolution: .hour)
            for bucket in before {
                let copy = try #require(after.first { $0.day == bucket.day && $0.hour == bucket.hour })
                if purged.contains(bucket.day.daysSinceEpoch) {
                    #expect(copy == bucket, "a purged day's bucket is carried over as it was")
                } else {
                    #expect(copy.revision > bucket.revision, "seed \(seed): \(bucket.day) \(bucket.hour!)")
                    #expect(copy.visits == bucket.visits && copy.slipsPrinted == bucket.slipsPrinted)
                }
            }
            // Acknowledgements survive: on purged days exactly the same buckets wait for the service.
            let waiting = try fresh.unacknowledgedBuckets(.hour, limit: 10_000).filter {
                purged.contains($0.day.daysSinceEpoch)
            }
            #expect(waiting == waitingBefore, "seed \(seed)")
        }
    }

    @Test("Clock correction moving a visit out of an hour leaves that hour at zero, at a higher revision")
    func emptiedBucket() async throws {
        let dir = TemporaryDirectory()
        let database = try KioskDatabase(path: dir.file("kiosk.sqlite"))
        let zone = HubTimeZone.london
        let truth = Date(timeIntervalSince1970: 1_795_435_200)  // 2026-11-23 12:00 UTC
        let wrong = WallClockReading(date: truth.addingTimeInterval(-3 * 86_400 - 1800), synchronized: false)
        let mono = MonotonicInstant(nanoseconds: 40_000_000_000)
        let visit = UUID()
        let press = UUID()
        let slip = UUID()
        let local = zone.local(of: wrong.date)
        try database.commitSync(
            [
                .visitStarted(
                    VisitEntry(
                        id: visit, startedAt: wrong, startedMonotonic: mono, bootID: "boot", localDay: local.date,
                        localHour: local.time.hour)),
                .press(
                    PressEntry(
                        id: press, button: "food", need: "food", at: wrong, monotonic: mono, bootID: "boot", flags: [],
                        visitID: visit, countsVisit: true, countsNeed: true)),
                .slipRequested(
                    SlipJob(
                        id: slip, needs: ["food"], origin: .kiosk, pressID: press, requestedAt: mono,
                        requestedWall: wrong, bootID: "boot")),
                .slipFinished(id: slip, result: .printed, at: wrong),
            ], timeZone: zone)
        let before = try database.ledgerBuckets(from: nil, to: nil, resolution: .hour)
        #expect(before.count == 1)
        let old = try #require(before.first)
        #expect(old.visits == 1 && old.visitsByNeed == ["food": 1] && old.slipsPrinted == 1)
        #expect(old.day == LocalDate(year: 2026, month: 11, day: 20) && old.hour == 11)
        try database.acknowledge([LedgerAck(day: old.day, hour: old.hour, revision: old.revision)], resolution: .hour)
        #expect(try database.unacknowledgedBucketCount(.hour) == 0)
        _ = try await database.correctTimes(
            bootID: "boot", now: MonotonicInstant(nanoseconds: 100_000_000_000), wall: truth.addingTimeInterval(60),
            timeZone: zone)
        let buckets = try database.ledgerBuckets(from: nil, to: nil, resolution: .hour)
        #expect(buckets.count == 2)
        let emptied = try #require(buckets.first { $0.day == old.day && $0.hour == old.hour })
        #expect(emptied.visits == 0 && emptied.visitsByNeed == ["food": 0] && emptied.slipsPrinted == 0)
        #expect(emptied.revision > old.revision)
        let moved = try #require(buckets.first { $0 != emptied })
        #expect(moved.day == LocalDate(year: 2026, month: 11, day: 23) && moved.hour == 12)
        #expect(moved.visits == 1 && moved.visitsByNeed == ["food": 1] && moved.slipsPrinted == 1)
        #expect(try database.unacknowledgedBuckets(.hour, limit: 10) == [emptied, moved])
        try Ledger.expectAgrees(database, "corrected")
    }

    @Test("The sync reads do not queue behind the writer: they answer while a write transaction is open")
    func readsBesideTheWriter() async throws {
        let dir = TemporaryDirectory()
        let database = try KioskDatabase(path: dir.file("kiosk.sqlite"))
        var scenario = LedgerScenario(database: database, seed: 81)
        for _ in 0..<20 { try scenario.visit() }
        let expected = try database.unacknowledgedBucketCount(.hour)
        #expect(expected > 0)
        let started = Flag()
        let finished = Flag()
        let writer = Task {
            try await database.write { _ in
                started.set()
                Thread.sleep(forTimeInterval: 3)
            }
            finished.set()
        }
        while !started.isSet { try await Task.sleep(for: .milliseconds(5)) }
        let clock = ContinuousClock.now
        #expect(try database.unacknowledgedBucketCount(.hour) == expected)
        #expect(try database.unacknowledgedBuckets(.hour, limit: 1000).count == expected)
        #expect(try database.unacknowledgedBuckets(.day, limit: 1000).count > 0)
        #expect(!finished.isSet, "the reads answered while the press path's connection held its transaction")
        #expect(ContinuousClock.now - clock < .seconds(2))
        try await writer.value
    }
}
