import Foundation
import GRDB
import KioskCore
import KioskTestSupport
import Testing

@testable import KioskStore

@Suite("Privacy at rest: settled rows keep their times only to the hour")
struct PrivacyTests {
    /// The times and monotonic values of every row, read straight from the file.
    struct Times {
        var visits: [(id: Data, at: Double, ended: Double?, mono: Int64, settled: Bool)]
        var presses: [(visit: Data, at: Double, mono: Int64, settled: Bool)]
        var slips: [(at: Double, finished: Double?, mono: Int64?, settled: Bool, pending: Bool)]

        init(_ path: String) throws {
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            let settled = "(clock_synced = 1 OR time_corrected = 1 OR time_approximate = 1)"
            (visits, presses, slips) = try queue.read { db in
                (
                    try Row.fetchAll(
                        db, sql: "SELECT id, started_at, ended_at, started_mono, \(settled) AS s FROM visit"
                    ).map { ($0[0], $0[1], $0[2], $0[3], $0[4]) },
                    try Row.fetchAll(db, sql: "SELECT visit_id, pressed_at, mono_ns, \(settled) FROM press").map {
                        ($0[0], $0[1], $0[2], $0[3])
                    },
                    try Row.fetchAll(
                        db,
                        sql: """
                            SELECT requested_at, finished_at, requested_mono, \(settled), status = 'pending' FROM slip
                            """
                    ).map { ($0[0], $0[1], $0[2], $0[3], $0[4]) }
                )
            }
        }
    }

    static func onTheHour(_ time: Double?) -> Bool {
        time.map { $0.truncatingRemainder(dividingBy: 3600) == 0 } ?? true
    }

    @Test("After a scenario, settled rows older than the press rules' windows have no time finer than an hour")
    func coarsened() async throws {
        for seed: UInt64 in [61, 62, 63] {
            let dir = TemporaryDirectory()
            let database = try KioskDatabase(path: dir.file("kiosk.sqlite"))
            var scenario = LedgerScenario(database: database, seed: seed)
            for _ in 0..<200 { try await scenario.step() }
            // A boot whose clock has not synchronised yet, with a few visits: their rows must keep their
            // monotonic times for the correction to come.
            scenario.advance(seconds: 600)
            scenario.boot = UUID().uuidString.lowercased()
            scenario.mono = 9_000_000_000
            scenario.synchronized = false
            scenario.error = -2 * 86_400 - 1234
            try await database.markApproximate(exceptBoot: scenario.boot)
            for _ in 0..<3 { try scenario.visit() }
            // The clock syncs; a visit since, and one still inside the press rules' windows.
            scenario.synchronized = true
            scenario.error = 0
            let wall = scenario.trueWall
            let mono = scenario.mono
            for _ in 0..<2 { try scenario.visit() }
            let recent = try #require(scenario.presses.last)

            let before = try Times(database.path)
            #expect(before.visits.contains { !Self.onTheHour($0.at) }, "the scenario has exact times to coarsen")
            let ledger = try database.ledgerBuckets(from: nil, to: nil, resolution: .hour)
            let now = scenario.trueWall.addingTimeInterval(5)
            let age = KioskDatabase.coarseningAge(for: .defaults)
            #expect(age >= 60)
            let changed = try database.coarsenSettledRows(now: now, olderThan: age)
            #expect(changed > 0)
            #expect(try database.coarsenSettledRows(now: now, olderThan: age) == 0, "a second pass has nothing to do")

            let after = try Times(database.path)
            let cutoff = now.timeIntervalSince1970 - age
            let unsettledVisits = Set(after.presses.filter { !$0.settled }.map(\.visit))
            var coarse = Set<Data>()
            for visit in after.visits where visit.settled && (visit.ended ?? visit.at) < cutoff {
                guard !unsettledVisits.contains(visit.id) else { continue }
                coarse.insert(visit.id)
                #expect(
                    Self.onTheHour(visit.at) && Self.onTheHour(visit.ended), "seed \(seed): a settled visit's times")
                #expect(visit.mono == 0)
            }
            #expect(!coarse.isEmpty)
            for press in after.presses where coarse.contains(press.visit) {
                #expect(Self.onTheHour(press.at) && press.mono == 0, "seed \(seed): a settled press's time")
            }
            for slip in after.slips where slip.settled && (slip.finished ?? slip.at) < cutoff && !slip.pending {
                #expect(Self.onTheHour(slip.at) && Self.onTheHour(slip.finished) && slip.mono == 0)
            }
            // Rows not settled keep everything a correction needs.
            let unsettled = after.presses.filter { !$0.settled }
            #expect(!unsettled.isEmpty)
            #expect(unsettled.allSatisfy { $0.mono != 0 })
            // The newest visit is still inside the windows: exact.
            #expect(after.visits.contains { $0.mono != 0 && !Self.onTheHour($0.at) && $0.settled })
            // Counts did not move.
            #expect(try database.ledgerBuckets(from: nil, to: nil, resolution: .hour) == ledger)

            // The press path still works on the recent rows: a stuck button recounts its visit from them.
            try database.commitSync([.pressStuck(id: recent)], timeZone: scenario.zone)
            #expect(
                try database.allPresses().first { $0.id == recent.uuidString.lowercased() }?.flags.contains(.stuck)
                    == true)
            try Ledger.expectAgrees(database, "seed \(seed) after a stuck press")
            // And the clock correction of the unsynchronised boot still finds its monotonic times.
            let corrected = try await database.correctTimes(
                bootID: scenario.boot, now: MonotonicInstant(nanoseconds: mono), wall: wall, timeZone: scenario.zone)
            #expect(corrected.presses > 0)
            try Ledger.expectAgrees(database, "seed \(seed) corrected after coarsening")
            #expect(try database.coarsenSettledRows(now: now.addingTimeInterval(3600), olderThan: age) > 0)
            let last = try Times(database.path)
            #expect(last.visits.allSatisfy { !$0.settled || $0.mono == 0 || ($0.ended ?? $0.at) >= cutoff + 3600 })
        }
    }
}
