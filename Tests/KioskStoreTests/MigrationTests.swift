import Foundation
import GRDB
import KioskCore
import KioskTestSupport
import Testing

@testable import KioskStore

@Suite("Migrations keep every row and count")
struct MigrationTests {
    static let v3 = "v3: kiosk state (how it last shut down) and staff alerts that outlive a restart"

    /// A database at schema v3 (ids as text), filled the way HubKiosk up to v3 wrote it.
    static func oldDatabase(_ path: String, seed: UInt64) throws -> (presses: Int, visits: Int) {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        try KioskDatabase.migrator.migrate(queue, upTo: v3)
        var random = SplitMix64(seed: seed)
        let needs = ["money", "food", "housing", "talk"]
        let boots = ["boot-a", UUID().uuidString.lowercased()]
        var presses = 0
        var visits = 0
        try queue.write { db in
            var wall = 1_795_435_200.0
            for index in 0..<400 {
                wall += Double(random.next() % 40_000)
                let visit = UUID().uuidString.lowercased()
                let boot = boots[index % 2]
                let synced = random.next() % 4 != 0
                let day = Int((wall / 86_400).rounded(.down))
                try db.execute(
                    sql: """
                        INSERT INTO visit (id, started_at, started_mono, boot_id, clock_synced, local_day, local_hour,
                                           ended_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [visit, wall, index * 1_000_000, boot, synced, day, 10, wall + 30])
                visits += 1
                var counted = false
                for _ in 0..<Int(random.next() % 3 + 1) {
                    let press = UUID().uuidString.lowercased()
                    let need: String? = random.next() % 5 == 0 ? nil : needs[Int(random.next() % 4)]
                    let flags = random.next() % 6 == 0 ? PressFlags.burst.rawValue : 0
                    try db.execute(
                        sql: """
                            INSERT INTO press (id, button, need, pressed_at, mono_ns, boot_id, clock_synced, flags,
                                               visit_id, local_day)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            press, need ?? "checkin", need, wall, index * 1_000_000, boot, synced, flags, visit, day,
                        ])
                    presses += 1
                    guard flags == 0 else { continue }
                    counted = true
                    if let need {
                        try db.execute(
                            sql: """
                                INSERT OR IGNORE INTO visit_need (visit_id, need, press_id, local_day)
                                VALUES (?, ?, ?, ?)
                                """, arguments: [visit, need, press, day])
                        try db.execute(
                            sql: """
                                INSERT INTO slip (id, origin, needs, press_id, requested_at, local_day, status,
                                                  boot_id, requested_mono, clock_synced)
                                VALUES (?, 'kiosk', ?, ?, ?, ?, ?, ?, ?, ?)
                                """,
                            arguments: [
                                UUID().uuidString.lowercased(), need, press, wall, day,
                                random.next() % 3 == 0 ? "not_printed" : "printed", boot, index * 1_000_000, synced,
                            ])
                    }
                }
                if counted { try db.execute(sql: "UPDATE visit SET counted = 1 WHERE id = ?", arguments: [visit]) }
            }
            try db.execute(
                sql: "INSERT INTO slip (id, origin, needs, requested_at, local_day) VALUES (?, 'staff', 'food', ?, ?)",
                arguments: [UUID().uuidString.lowercased(), wall, Int(wall / 86_400)])
        }
        return (presses, visits)
    }

    /// Everything a reader can see of a database.
    struct Contents: Equatable {
        var totals: StoreTotals
        var visitCounts: [Int]
        var reports: [TallyReport]
        var presses: [StoredPress]
        var slips: [StoredSlip]
        var pressIDs: Set<String>

        init(_ database: KioskDatabase) throws {
            totals = try database.totals()
            let counts = try database.visitCounts()
            visitCounts = [counts.counted, counts.all]
            reports = try TallyGrouping.allCases.map {
                try database.tallyReport(hubID: "h", needs: ["money", "food"], grouping: $0)
            }
            presses = try database.allPresses().sorted { $0.id < $1.id }
            slips = try database.allSlips().sorted { $0.id < $1.id }
            pressIDs = try database.pressIDs()
        }
    }

    @Test("A v3 database (text ids) migrates to v4 (16-byte ids) with every row, id and count intact")
    func textIDsToBlobs() async throws {
        for seed: UInt64 in [1, 2, 3] {
            let dir = TemporaryDirectory()
            let path = dir.file("hubkiosk.sqlite")
            let filled = try Self.oldDatabase(path, seed: seed)
            let before = try Contents(try KioskDatabase.openReadOnly(path: path))
            #expect(before.presses.count == filled.presses && before.visitCounts[1] == filled.visits)
            #expect(before.totals.visits > 0 && !before.totals.needs.isEmpty)

            let database = try KioskDatabase(path: path)
            let after = try Contents(database)
            #expect(after.totals == before.totals, "seed \(seed)")
            #expect(after.visitCounts == before.visitCounts)
            #expect(after.reports == before.reports, "seed \(seed): every tally as before")
            #expect(after.presses == before.presses, "seed \(seed): every press, with its ids, as before")
            #expect(after.slips == before.slips)
            #expect(after.pressIDs == before.pressIDs)
            #expect(try database.integrityProblems().isEmpty)
            let layout = try database.readSync { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT typeof(id) AS type, length(id) AS size, typeof(visit_id) AS visit, typeof(boot_id) AS boot,
                               boot_id = 'boot-a' AS textBoot
                        FROM press
                        """)
            }
            #expect(
                layout.allSatisfy {
                    ($0["type"] as String) == "blob" && ($0["size"] as Int) == 16 && ($0["visit"] as String) == "blob"
                })
            // A boot id that is a UUID is stored as 16 bytes; one that is not stays text, and both round-trip.
            #expect(layout.allSatisfy { ($0["boot"] as String == "text") == ($0["textBoot"] as Bool) })
            #expect(Set(after.presses.map(\.bootID)).count == 2)

            // The migrated rows work as new ones do: a stuck press recounts its visit, a clock correction finds
            // the rows of its boot.
            let target = try #require(before.presses.first { $0.flags.isEmpty && $0.need != nil })
            try database.commitSync([.pressStuck(id: try #require(UUID(uuidString: target.id)))], timeZone: .london)
            #expect(try database.allPresses().first { $0.id == target.id }?.flags == [.stuck])
            let corrected = try await database.correctTimes(
                bootID: "boot-a", now: MonotonicInstant(nanoseconds: 1_000_000_000_000), wall: Date(),
                timeZone: .london)
            let unsynced = before.presses.filter { $0.bootID == "boot-a" && !$0.clockSynchronized }.count
            #expect(corrected.presses == unsynced)
        }
    }

    @Test("A damaged v3 file is salvaged into the v4 layout: the rows keep their ids")
    func salvageOldLayout() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("hubkiosk.sqlite")
        _ = try Self.oldDatabase(path, seed: 9)
        let before = try Contents(try KioskDatabase.openReadOnly(path: path))
        let fresh = try KioskDatabase(path: dir.file("fresh.sqlite"))
        let copied = fresh.salvage(from: path)
        #expect(copied["press"] == before.presses.count)
        let after = try Contents(fresh)
        #expect(after == before)
    }
}
