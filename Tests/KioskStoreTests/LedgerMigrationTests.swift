import Foundation
import GRDB
import KioskCore
import KioskTestSupport
import Testing

@testable import KioskStore

/// The committed database written by schema v4 (before the ledger), and the test that upgrades a copy of it.
@Suite("Upgrading a v4 database to the ledger")
struct LedgerMigrationTests {
    static let v4 = "v4: ids and boot ids as 16-byte blobs instead of 36-character text"

    static var fixture: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/v4-kiosk.sqlite")
            .path
    }

    /// Writes the fixture: `HUBKIOSK_WRITE_FIXTURES=1 swift test --filter LedgerMigrationTests/writeFixture`.
    /// A few hundred visits of a London hub over two months, as HubKiosk up to v4 wrote them: presses breaking
    /// the rules, duplicate needs, slips printed, not printed and pending, staff slips, a boot whose clock never
    /// synchronised (approximate) and one corrected when it did.
    @Test(
        "Write the v4 fixture (only when asked)",
        .enabled(if: ProcessInfo.processInfo.environment["HUBKIOSK_WRITE_FIXTURES"] != nil))
    func writeFixture() throws {
        try? FileManager.default.removeItem(atPath: Self.fixture)
        let queue = try DatabaseQueue(path: Self.fixture)
        try KioskDatabase.migrator.migrate(queue, upTo: Self.v4)
        var random = SplitMix64(seed: 404)
        let zone = HubTimeZone.london
        let needs = ["money", "food", "housing", "talk"]
        let boots = [UUID(), UUID(), UUID()]  // synchronised, never synchronised, corrected
        func key(_ id: UUID) -> DatabaseValue { KioskDatabase.storedKey(id) }
        try queue.write { db in
            // 2026-10-01 07:00 UTC: the fixture crosses the end of British Summer Time (25 October).
            var wall = 1_790_838_000.0
            for index in 0..<320 {
                wall += Double(1200 + random.next() % 30_000)
                let local = zone.local(of: Date(timeIntervalSince1970: wall))
                let boot = boots[index % 7 == 3 ? 1 : index % 11 == 5 ? 2 : 0]
                let synced = boot == boots[0]
                let approximate = boot == boots[1]
                let corrected = boot == boots[2]
                let visit = UUID()
                var mono = Int64(index) * 60_000_000_000 + 7_000_000_000
                var at = wall
                var counted = false
                var countedNeeds: Set<String> = []
                var pressRows: [(UUID, String?, Int, Double, Int64, Int)] = []
                for _ in 0..<Int(1 + random.next() % 4) {
                    let need: String? = random.next() % 5 == 0 ? nil : needs[Int(random.next() % 4)]
                    var flags = random.next() % 6 == 0 ? PressFlags.burst.rawValue : 0
                    if flags == 0, random.next() % 10 == 0 { flags = PressFlags.repeated.rawValue }
                    if let need, countedNeeds.contains(need) { flags |= PressFlags.duplicate.rawValue }
                    pressRows.append(
                        (
                            UUID(), need, flags, at, mono,
                            zone.localDate(of: Date(timeIntervalSince1970: at)).daysSinceEpoch
                        ))
                    at += Double(2 + random.next() % 15) + Double(random.next() % 1000) / 1000
                    mono += 9_000_000_000
                    if flags & PressFlags.misuse.rawValue == 0 {
                        counted = true
                        if let need { countedNeeds.insert(need) }
                    }
                }
                try db.execute(
                    sql: """
                        INSERT INTO visit (id, started_at, started_mono, boot_id, clock_synced, time_approximate,
                                           local_day, local_hour, ended_at, counted, time_corrected)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        key(visit), wall, Int64(index) * 60_000_000_000 + 7_000_000_000, key(boot), synced,
                        approximate, local.date.daysSinceEpoch, local.time.hour, pressRows.last!.3, counted,
                        corrected,
                    ])
                var needsDone: Set<String> = []
                for (id, need, flags, pressedAt, pressMono, day) in pressRows {
                    try db.execute(
                        sql: """
                            INSERT INTO press (id, button, need, pressed_at, mono_ns, boot_id, clock_synced,
                                               time_approximate, flags, visit_id, local_day, time_corrected)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            key(id), need ?? "checkin", need, pressedAt, pressMono, key(boot), synced, approximate,
                            flags, key(visit), day, corrected,
                        ])
                    guard let need, flags & PressFlags.misuse.rawValue == 0, !needsDone.contains(need) else { continue }
                    needsDone.insert(need)
                    try db.execute(
                        sql: "INSERT INTO visit_need (visit_id, need, press_id, local_day) VALUES (?, ?, ?, ?)",
                        arguments: [key(visit), need, key(id), local.date.daysSinceEpoch])
                    guard random.next() % 2 == 0 else { continue }
                    let requested = pressedAt + 0.25
                    let status = ["printed", "printed", "not_printed", "pending"][Int(random.next() % 4)]
                    try db.execute(
                        sql: """
                            INSERT INTO slip (id, origin, needs, press_id, requested_at, local_day, status, reason,
                                              finished_at, boot_id, requested_mono, clock_synced, time_corrected)
                            VALUES (?, 'kiosk', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            key(UUID()), need, key(id), requested,
                            zone.localDate(of: Date(timeIntervalSince1970: requested)).daysSinceEpoch, status,
                            status == "not_printed" ? "paper out" : nil, status == "pending" ? nil : requested + 4,
                            key(boot), pressMono + 250_000_000, synced, corrected,
                        ])
                }
                if index % 25 == 0 {
                    // A staff slip at the desk, linked to no press.
                    let requested = wall + 1800
                    try db.execute(
                        sql: """
                            INSERT INTO slip (id, origin, needs, requested_at, local_day, status, finished_at, boot_id,
                                              requested_mono, clock_synced)
                            VALUES (?, 'staff', 'food,money', ?, ?, 'printed', ?, ?, ?, 1)
                            """,
                        arguments: [
                            key(UUID()), requested,
                            zone.localDate(of: Date(timeIntervalSince1970: requested)).daysSinceEpoch, requested + 3,
                            key(boots[0]), mono,
                        ])
                }
            }
        }
        try queue.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
        try queue.close()
    }

    /// Per-day counts straight from the raw tables of the file at `path`.
    static func dayCounts(_ path: String) throws -> [Int: BucketCounts] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            var days: [Int: BucketCounts] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT local_day, COUNT(*) FROM visit WHERE counted = 1 GROUP BY local_day")
            {
                days[row[0], default: BucketCounts()].visits = row[1]
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT local_day, need, COUNT(*) FROM visit_need GROUP BY local_day, need")
            {
                days[row[0], default: BucketCounts()].needs[NeedCode(row[1] as String)] = row[2]
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT local_day, SUM(status = 'printed'), SUM(status = 'not_printed') FROM slip GROUP BY local_day
                    """)
            {
                days[row[0], default: BucketCounts()].printed = row[1]
                days[row[0], default: BucketCounts()].notPrinted = row[2]
            }
            return days.filter { !$0.value.isZero }
        }
    }

    @Test(
        "The committed v4 database upgrades with every count per day, need and slip, and a ledger equal to the rebuild")
    func upgrade() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("hubkiosk.sqlite")
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: path)
        let applied = try DatabaseQueue(path: path).read { db in try KioskDatabase.migrator.appliedIdentifiers(db) }
        #expect(applied.contains(Self.v4) && applied.count == 4, "the fixture is a v4 database")
        let before = try Self.dayCounts(path)
        let visits = before.values.reduce(0) { $0 + $1.visits }
        #expect(visits > 200 && before.count > 30, "the fixture has rows to upgrade")
        #expect(before.values.contains { $0.notPrinted > 0 } && before.values.contains { $0.printed > 0 })
        let beforeReport = try KioskDatabase.openReadOnly(path: path).tallyReport(
            hubID: "h", needs: ["money", "food"], grouping: .week)

        let database = try KioskDatabase(path: path)
        #expect(try Self.dayCounts(path) == before, "the raw rows are as they were")
        // Every count per day, per need and of slips, in the ledger and in exports.
        var ledgerDays: [Int: BucketCounts] = [:]
        for day in try database.ledgerBuckets(from: nil, to: nil, resolution: .day) {
            ledgerDays[day.day.daysSinceEpoch] = BucketCounts(
                visits: day.visits, needs: day.visitsByNeed, printed: day.slipsPrinted,
                notPrinted: day.slipsNotPrinted)
        }
        #expect(ledgerDays.filter { !$0.value.isZero }.mapValues(\.trimmed) == before.mapValues(\.trimmed))
        let report = try database.tallyReport(hubID: "h", needs: ["money", "food"], grouping: .day)
        for row in report.rows {
            let expected = before[row.period.start.daysSinceEpoch] ?? BucketCounts()
            #expect(row.visits == expected.visits && row.needs == expected.trimmed.needs, "\(row.period.label)")
        }
        #expect(try database.tallyReport(hubID: "h", needs: ["money", "food"], grouping: .week) == beforeReport)
        // The ledger equals the rebuild hour by hour; slips got the hour they were asked for (London's offsets are
        // whole hours, so the hour worked out from the visits is exact).
        try Ledger.expectAgrees(database, "upgraded")
        try LedgerTests.expectSlipHours(path, zone: .london)
        // Every bucket waits for the service at revision 1.
        let hours = try database.ledgerBuckets(from: nil, to: nil, resolution: .hour)
        #expect(hours.allSatisfy { $0.revision == 1 })
        #expect(try database.unacknowledgedBucketCount(.hour) == hours.count)
        #expect(try database.integrityProblems().isEmpty)
    }
}
