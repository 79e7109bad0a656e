import Foundation
import GRDB
import KioskCore
import Synchronization

/// The tallies of one bucket of the ledger: an hour of a local day, or a whole local day.
public struct LedgerBucket: Sendable, Equatable {
    public var day: LocalDate
    /// The local hour (0…23); nil for a day bucket.
    public var hour: Int?
    /// Grows whenever the bucket's counts change, never decreases, never reused. A day bucket's revision is the
    /// sum of its hours' revisions (so it grows whenever any of its hours changes).
    public var revision: UInt64
    /// Counted visits.
    public var visits: Int
    /// Counted visits per need: every need that has a ledger row in the bucket, zeros included.
    public var visitsByNeed: [NeedCode: Int]
    public var slipsPrinted: Int
    public var slipsNotPrinted: Int

    public init(
        day: LocalDate, hour: Int?, revision: UInt64, visits: Int, visitsByNeed: [NeedCode: Int], slipsPrinted: Int,
        slipsNotPrinted: Int
    ) {
        self.day = day
        self.hour = hour
        self.revision = revision
        self.visits = visits
        self.visitsByNeed = visitsByNeed
        self.slipsPrinted = slipsPrinted
        self.slipsNotPrinted = slipsNotPrinted
    }
}

/// The buckets a hub syncs: hours (the default) or days. Acknowledgements are kept for each separately.
public enum LedgerResolution: String, Sendable {
    case hour
    case day
}

/// The service holds `day` (and `hour`, nil for a day bucket) at `revision`.
public struct LedgerAck: Sendable, Equatable {
    public var day: LocalDate
    public var hour: Int?
    public var revision: UInt64

    public init(day: LocalDate, hour: Int?, revision: UInt64) {
        self.day = day
        self.hour = hour
        self.revision = revision
    }
}

/// The read-only connection the sync reads use, so that they never queue behind the press path's writer
/// connection (WAL: readers and the writer do not block each other). Opened at the first read.
final class LedgerReader: Sendable {
    let path: String
    private let queue = Mutex<DatabaseQueue?>(nil)

    init(path: String) {
        self.path = path
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            let reader = try queue.withLock { queue in
                if let queue { return queue }
                var config = Configuration()
                config.readonly = true
                config.busyMode = .timeout(5)
                config.label = "hubkiosk-ledger"
                let opened = try DatabaseQueue(path: path, configuration: config)
                queue = opened
                return opened
            }
            return try reader.read(body)
        } catch {
            throw StoreError(error, path: path)
        }
    }

    func close() {
        queue.withLock { queue in
            try? queue?.close()
            queue = nil
        }
    }
}

extension KioskDatabase {
    /// The key of the `kiosk_state` row that, while it exists, stops the ledger triggers (a purge deletes raw
    /// rows inside a transaction that sets and removes it: deleting them changes no count).
    static let ledgerPausedKey = "ledger_paused"

    /// The ledger's tables (migration v5).
    ///
    /// `ledger_hour` holds a bucket per local day and hour with its visits and slips and its revision;
    /// `ledger_need` its visits per need; `ledger_day` the day-resolution acknowledgement and whether the day's raw
    /// rows were purged. A day's revision is the sum of its hours' revisions, computed when read (at most 24 rows),
    /// so that a press's commit writes no day row. Rows are never deleted: a bucket that goes back to zero keeps its
    /// row, at a higher revision, so the service learns it is zero.
    static let ledgerSchemaSQL = """
        CREATE TABLE ledger_hour (
            local_day INTEGER NOT NULL,            -- days since 1970-01-01 in the hub's time zone
            local_hour INTEGER NOT NULL,           -- 0...23
            visits INTEGER NOT NULL DEFAULT 0,     -- counted visits that started in the hour
            slips_printed INTEGER NOT NULL DEFAULT 0,
            slips_not_printed INTEGER NOT NULL DEFAULT 0,
            revision INTEGER NOT NULL DEFAULT 0,   -- grows by one at every change of the bucket's counts
            acked_revision INTEGER NOT NULL DEFAULT 0, -- the highest the service acknowledged (hour resolution)
            PRIMARY KEY (local_day, local_hour)
        ) WITHOUT ROWID;
        CREATE INDEX ledger_hour_unacknowledged ON ledger_hour(local_day, local_hour) WHERE revision > acked_revision;
        CREATE TABLE ledger_need (
            local_day INTEGER NOT NULL,
            local_hour INTEGER NOT NULL,
            need TEXT NOT NULL,
            visits INTEGER NOT NULL DEFAULT 0,     -- counted visits of the hour that recorded the need
            PRIMARY KEY (local_day, local_hour, need)
        ) WITHOUT ROWID;
        -- Written only by acknowledgements and purges, never by a press.
        CREATE TABLE ledger_day (
            local_day INTEGER PRIMARY KEY NOT NULL,
            acked_revision INTEGER NOT NULL DEFAULT 0, -- the highest the service acknowledged (day resolution)
            purged INTEGER NOT NULL DEFAULT 0      -- 1 once its raw rows were purged: the ledger is all there is
        ) WITHOUT ROWID;
        -- Where the privacy pass has work (rows whose times are still exact): see coarsenSettledRows.
        CREATE INDEX visit_exact ON visit(started_at) WHERE started_mono != 0;
        CREATE INDEX slip_exact ON slip(requested_at) WHERE coalesce(requested_mono, -1) != 0;
        """

    /// Adds to the counts of bucket (`day`, `hour`) when `condition` holds, bumping its revision.
    private static func bump(
        _ day: String, _ hour: String, visits: String = "0", printed: String = "0", notPrinted: String = "0",
        when condition: String
    ) -> String {
        """
        INSERT INTO ledger_hour (local_day, local_hour, visits, slips_printed, slips_not_printed, revision)
            SELECT \(day), \(hour), \(visits), \(printed), \(notPrinted), 1 WHERE \(condition)
            ON CONFLICT (local_day, local_hour) DO UPDATE SET visits = visits + excluded.visits,
                slips_printed = slips_printed + excluded.slips_printed,
                slips_not_printed = slips_not_printed + excluded.slips_not_printed, revision = revision + 1;
        """
    }

    /// Adds `delta` to the need count of bucket (`day`, `hour`) when `condition` holds, bumping its revision.
    private static func bumpNeed(_ row: String, delta: Int, when condition: String) -> String {
        """
        INSERT INTO ledger_need (local_day, local_hour, need, visits)
            SELECT \(row).local_day, \(row).local_hour, \(row).need, \(delta) WHERE \(condition)
            ON CONFLICT (local_day, local_hour, need) DO UPDATE SET visits = visits + excluded.visits;
        """ + bump("\(row).local_day", "\(row).local_hour", when: condition)
    }

    /// The triggers that keep the ledger in step with visit, visit_need and slip inside every writing
    /// transaction (a press's commit, a stuck button's recount, a clock correction, a salvage, a slip's result),
    /// whatever code path writes them.
    static var ledgerTriggerSQL: String {
        let running = "NOT EXISTS (SELECT 1 FROM kiosk_state WHERE key = '\(ledgerPausedKey)')"
        func slip(_ row: String, sign: String) -> (printed: String, notPrinted: String) {
            ("\(sign)(\(row).status = 'printed')", "\(sign)(\(row).status = 'not_printed')")
        }
        let finished = { (row: String) in
            "\(row).local_hour IS NOT NULL AND \(row).status IN ('printed', 'not_printed')"
        }
        let oldSlip = slip("OLD", sign: "-")
        let newSlip = slip("NEW", sign: "")
        return """
            CREATE TRIGGER ledger_visit_insert AFTER INSERT ON visit WHEN NEW.counted = 1 AND \(running) BEGIN
                \(bump("NEW.local_day", "NEW.local_hour", visits: "1", when: "1"))
            END;
            CREATE TRIGGER ledger_visit_update AFTER UPDATE OF counted, local_day, local_hour ON visit
            WHEN (OLD.counted IS NOT NEW.counted OR (NEW.counted = 1 AND (OLD.local_day IS NOT NEW.local_day
                  OR OLD.local_hour IS NOT NEW.local_hour))) AND \(running) BEGIN
                \(bump("OLD.local_day", "OLD.local_hour", visits: "-1", when: "OLD.counted = 1"))
                \(bump("NEW.local_day", "NEW.local_hour", visits: "1", when: "NEW.counted = 1"))
            END;
            CREATE TRIGGER ledger_visit_delete AFTER DELETE ON visit WHEN OLD.counted = 1 AND \(running) BEGIN
                \(bump("OLD.local_day", "OLD.local_hour", visits: "-1", when: "1"))
            END;

            CREATE TRIGGER ledger_need_insert AFTER INSERT ON visit_need
            WHEN NEW.local_hour IS NOT NULL AND \(running) BEGIN
                \(bumpNeed("NEW", delta: 1, when: "1"))
            END;
            CREATE TRIGGER ledger_need_update AFTER UPDATE OF local_day, local_hour, need ON visit_need
            WHEN (OLD.local_day IS NOT NEW.local_day OR OLD.local_hour IS NOT NEW.local_hour OR OLD.need IS NOT NEW.need)
                 AND \(running) BEGIN
                \(bumpNeed("OLD", delta: -1, when: "OLD.local_hour IS NOT NULL"))
                \(bumpNeed("NEW", delta: 1, when: "NEW.local_hour IS NOT NULL"))
            END;
            CREATE TRIGGER ledger_need_delete AFTER DELETE ON visit_need
            WHEN OLD.local_hour IS NOT NULL AND \(running) BEGIN
                \(bumpNeed("OLD", delta: -1, when: "1"))
            END;

            CREATE TRIGGER ledger_slip_insert AFTER INSERT ON slip WHEN \(finished("NEW")) AND \(running) BEGIN
                \(bump("NEW.local_day", "NEW.local_hour", printed: newSlip.printed, notPrinted: newSlip.notPrinted, when: "1"))
            END;
            CREATE TRIGGER ledger_slip_update AFTER UPDATE OF status, local_day, local_hour ON slip
            WHEN (OLD.status IS NOT NEW.status OR OLD.local_day IS NOT NEW.local_day
                  OR OLD.local_hour IS NOT NEW.local_hour) AND \(running) BEGIN
                \(bump("OLD.local_day", "OLD.local_hour", printed: oldSlip.printed, notPrinted: oldSlip.notPrinted, when: finished("OLD")))
                \(bump("NEW.local_day", "NEW.local_hour", printed: newSlip.printed, notPrinted: newSlip.notPrinted, when: finished("NEW")))
            END;
            CREATE TRIGGER ledger_slip_delete AFTER DELETE ON slip WHEN \(finished("OLD")) AND \(running) BEGIN
                \(bump("OLD.local_day", "OLD.local_hour", printed: oldSlip.printed, notPrinted: oldSlip.notPrinted, when: "1"))
            END;
            """
    }

    /// Gives an hour to the visit_need and slip rows that have none (written before v5, or salvaged from a file
    /// older than v5): a need takes its visit's hour; otherwise the hour is worked out from the row's UTC time and
    /// the UTC offset (to the whole hour) of a visit whose local day and hour are stored, the visit of the row's
    /// press if there is one, else the visit nearest in time (UTC when there is no visit), kept inside the row's
    /// stored local day.
    static func fillMissingHours(_ db: Database) throws {
        try db.execute(
            sql: """
                UPDATE visit_need SET local_hour = (SELECT v.local_hour FROM visit v WHERE v.id = visit_need.visit_id)
                WHERE local_hour IS NULL
                """)
        let needs = try Row.fetchAll(
            db,
            sql: """
                SELECT vn.visit_id, vn.need, vn.local_day, p.pressed_at AS at FROM visit_need vn
                LEFT JOIN press p ON p.id = vn.press_id WHERE vn.local_hour IS NULL
                """)
        let slips = try Row.fetchAll(
            db,
            sql: """
                SELECT s.id, s.local_day, s.requested_at AS at, v.started_at, v.local_day AS v_day, v.local_hour AS v_hour
                FROM slip s LEFT JOIN press p ON p.id = s.press_id LEFT JOIN visit v ON v.id = p.visit_id
                WHERE s.local_hour IS NULL
                """)
        guard !needs.isEmpty || !slips.isEmpty else { return }
        // (UTC seconds, local day, local hour) of every visit, by time.
        let visits = try Row.fetchAll(
            db, sql: "SELECT started_at, local_day, local_hour FROM visit ORDER BY started_at"
        ).map { row in (at: row[0] as Double, day: row[1] as Int, hour: row[2] as Int) }
        func offset(at: Double, day: Int, hour: Int) -> Double {
            // local_day * 86400 + local_hour * 3600 <= at + offset < that + 3600: one whole hour fits.
            ((Double(day * 86_400 + hour * 3_600) - at) / 3_600).rounded(.up) * 3_600
        }
        func nearestOffset(_ at: Double) -> Double {
            guard !visits.isEmpty else { return 0 }
            var low = 0
            var high = visits.count
            while low < high {
                let middle = (low + high) / 2
                if visits[middle].at < at { low = middle + 1 } else { high = middle }
            }
            let candidates = [low - 1, low].filter { visits.indices.contains($0) }
            let best = candidates.min { abs(visits[$0].at - at) < abs(visits[$1].at - at) }!
            return offset(at: visits[best].at, day: visits[best].day, hour: visits[best].hour)
        }
        func hour(at: Double?, offset known: Double?, day: Int) -> Int {
            guard let at else { return 0 }
            let local = at + (known ?? nearestOffset(at))
            let localDay = Int((local / 86_400).rounded(.down))
            if localDay < day { return 0 }
            if localDay > day { return 23 }
            return min(23, max(0, Int(((local - Double(localDay) * 86_400) / 3_600).rounded(.down))))
        }
        for row in needs {
            try db.execute(
                sql: "UPDATE visit_need SET local_hour = ? WHERE visit_id = ? AND need = ?",
                arguments: [
                    hour(at: row["at"], offset: nil, day: row["local_day"]), row["visit_id"] as DatabaseValue,
                    row["need"] as String,
                ])
        }
        for row in slips {
            let started: Double? = row["started_at"]
            let known = started.map { offset(at: $0, day: row["v_day"], hour: row["v_hour"]) }
            try db.execute(
                sql: "UPDATE slip SET local_hour = ? WHERE id = ?",
                arguments: [hour(at: row["at"], offset: known, day: row["local_day"]), row["id"] as DatabaseValue])
        }
    }
}

extension KioskDatabase {
    /// Buckets whose current revision is above the revision the service acknowledged, oldest first, at most
    /// `limit`. Read on a connection of its own: never queues behind the press path.
    public func unacknowledgedBuckets(_ resolution: LedgerResolution, limit: Int) throws(StoreError) -> [LedgerBucket] {
        try ledgerReader.read { db in
            try KioskDatabase.buckets(
                db, resolution, condition: "revision > acked_revision", arguments: [], limit: max(0, limit))
        }
    }

    /// How many buckets the service has not acknowledged at their current revision.
    public func unacknowledgedBucketCount(_ resolution: LedgerResolution) throws(StoreError) -> Int {
        try ledgerReader.read { db in
            let table = resolution == .hour ? "ledger_hour" : "(\(KioskDatabase.ledgerDaysSQL))"
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE revision > acked_revision") ?? 0
        }
    }

    /// The service holds these buckets at these revisions: acknowledged revision = max(old, given). Unknown
    /// buckets are ignored.
    public func acknowledge(_ acks: [LedgerAck], resolution: LedgerResolution) throws(StoreError) {
        guard !acks.isEmpty else { return }
        try writeSync { db in
            for ack in acks {
                // SQLite integers are signed 64-bit: a revision above that was never handed out.
                let revision = Int64(clamping: ack.revision)
                switch resolution {
                case .hour:
                    guard let hour = ack.hour else { continue }
                    try db.cachedStatement(
                        sql: """
                            UPDATE ledger_hour SET acked_revision = max(acked_revision, ?)
                            WHERE local_day = ? AND local_hour = ?
                            """
                    ).execute(arguments: [revision, ack.day.daysSinceEpoch, hour])
                case .day:
                    try db.cachedStatement(
                        sql: """
                            INSERT INTO ledger_day (local_day, acked_revision)
                            SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM ledger_hour WHERE local_day = ?1)
                            ON CONFLICT (local_day) DO UPDATE SET acked_revision = max(acked_revision, excluded.acked_revision)
                            """
                    ).execute(arguments: [ack.day.daysSinceEpoch, revision])
                }
            }
        }
    }

    /// Deletes the raw rows (press, visit, visit_need, slip) of local days before `today - days` whose buckets are
    /// all acknowledged at their current revision (in the given resolution); the ledger stays. Returns rows
    /// deleted.
    ///
    /// A day that still has rows whose clock is not settled (from a boot that has not synchronised yet, which a
    /// clock correction may still move) is kept. A visit goes with all of its presses and needs.
    public func purgeAcknowledgedRows(
        olderThanDays days: Int, today: LocalDate, resolution: LedgerResolution
    ) throws(StoreError) -> Int {
        let cutoff = today.daysSinceEpoch - max(0, days)
        let acknowledged =
            resolution == .hour
            ? "NOT EXISTS (SELECT 1 FROM ledger_hour h WHERE h.local_day = d.local_day AND h.revision > h.acked_revision)"
            : """
            coalesce((SELECT SUM(revision) FROM ledger_hour h WHERE h.local_day = d.local_day), 0)
                <= coalesce((SELECT acked_revision FROM ledger_day l WHERE l.local_day = d.local_day), 0)
            """
        let unsettled = "clock_synced = 0 AND time_corrected = 0 AND time_approximate = 0"
        let purgeable = """
            \(acknowledged)
            AND NOT EXISTS (SELECT 1 FROM visit WHERE local_day = d.local_day AND \(unsettled))
            AND NOT EXISTS (SELECT 1 FROM press WHERE local_day = d.local_day AND \(unsettled))
            AND NOT EXISTS (SELECT 1 FROM slip WHERE local_day = d.local_day AND \(unsettled))
            """
        let candidates = try ledgerReader.read { db in
            try Int.fetchAll(
                db,
                sql: """
                    SELECT local_day FROM (
                        SELECT DISTINCT local_day FROM visit WHERE local_day < ?1
                        UNION SELECT DISTINCT local_day FROM press WHERE local_day < ?1
                        UNION SELECT DISTINCT local_day FROM slip WHERE local_day < ?1
                        UNION SELECT DISTINCT local_day FROM visit_need WHERE local_day < ?1
                    ) d
                    WHERE \(purgeable)
                    ORDER BY local_day
                    """, arguments: [cutoff])
        }
        var deleted = 0
        // A transaction per day, which checks the day again: a long purge never holds the press path up for long.
        for day in candidates {
            deleted += try writeSync { db -> Int in
                guard
                    try Bool.fetchOne(db, sql: "SELECT \(purgeable) FROM (SELECT ? AS local_day) d", arguments: [day])
                        == true
                else { return 0 }
                try db.execute(
                    sql: "INSERT OR REPLACE INTO kiosk_state (key, value) VALUES (?, 'purging')",
                    arguments: [KioskDatabase.ledgerPausedKey])
                // The presses of the day's visits, and presses of the day left without a visit (salvaged).
                let presses = """
                    SELECT id FROM press WHERE visit_id IN (SELECT id FROM visit WHERE local_day = ?1)
                    OR (local_day = ?1 AND visit_id NOT IN (SELECT id FROM visit))
                    """
                var rows = 0
                for sql in [
                    "DELETE FROM visit_need WHERE local_day = ?1 OR press_id IN (\(presses))",
                    "DELETE FROM slip WHERE local_day = ?1",
                    "DELETE FROM press WHERE id IN (\(presses))",
                    "DELETE FROM visit WHERE local_day = ?1",
                ] {
                    try db.execute(sql: sql, arguments: [day])
                    rows += db.changesCount
                }
                try db.execute(
                    sql: """
                        INSERT INTO ledger_day (local_day, purged) VALUES (?, 1)
                        ON CONFLICT (local_day) DO UPDATE SET purged = 1
                        """, arguments: [day])
                try db.execute(
                    sql: "DELETE FROM kiosk_state WHERE key = ?", arguments: [KioskDatabase.ledgerPausedKey])
                return rows
            }
        }
        return deleted
    }

    /// Every ledger bucket in a day range (for exports and tests), oldest first.
    public func ledgerBuckets(
        from: LocalDate?, to: LocalDate?, resolution: LedgerResolution
    ) throws(StoreError) -> [LedgerBucket] {
        let low = from?.daysSinceEpoch ?? Int(Int32.min)
        let high = to?.daysSinceEpoch ?? Int(Int32.max)
        return try readSync { db in
            try KioskDatabase.buckets(
                db, resolution, condition: "local_day BETWEEN ? AND ?", arguments: [low, high], limit: nil)
        }
    }

    /// Every day of the ledger with its revision (the sum of its hours') and its day-resolution acknowledgement.
    static let ledgerDaysSQL = """
        SELECT h.local_day, SUM(h.revision) AS revision,
               coalesce((SELECT d.acked_revision FROM ledger_day d WHERE d.local_day = h.local_day), 0) AS acked_revision
        FROM ledger_hour h GROUP BY h.local_day
        """

    /// The buckets of `resolution` whose row (in ledger_hour, or ``ledgerDaysSQL``) meets `condition`, oldest
    /// first.
    static func buckets(
        _ db: Database, _ resolution: LedgerResolution, condition: String, arguments: StatementArguments,
        limit: Int?
    ) throws -> [LedgerBucket] {
        let limitClause = limit.map { " LIMIT \($0)" } ?? ""
        var codes: [String: NeedCode] = [:]
        func code(_ name: String) -> NeedCode {
            if let known = codes[name] { return known }
            let value = NeedCode(name)
            codes[name] = value
            return value
        }
        switch resolution {
        case .hour:
            var buckets = try Row.fetchAll(
                db,
                sql: """
                    SELECT local_day, local_hour, revision, visits, slips_printed, slips_not_printed FROM ledger_hour
                    WHERE \(condition) ORDER BY local_day, local_hour\(limitClause)
                    """, arguments: arguments
            ).map { row in
                LedgerBucket(
                    day: LocalDate(daysSinceEpoch: row[0]), hour: row[1], revision: UInt64(max(0, row[2] as Int64)),
                    visits: row[3], visitsByNeed: [:], slipsPrinted: row[4], slipsNotPrinted: row[5])
            }
            guard let first = buckets.first, let last = buckets.last else { return [] }
            var index: [Int: Int] = [:]
            for (position, bucket) in buckets.enumerated() {
                index[bucket.day.daysSinceEpoch * 24 + (bucket.hour ?? 0)] = position
            }
            let needs = try Row.fetchCursor(
                db,
                sql: "SELECT local_day, local_hour, need, visits FROM ledger_need WHERE local_day BETWEEN ? AND ?",
                arguments: [first.day.daysSinceEpoch, last.day.daysSinceEpoch])
            while let row = try needs.next() {
                guard let position = index[(row[0] as Int) * 24 + (row[1] as Int)] else { continue }
                buckets[position].visitsByNeed[code(row[2])] = row[3]
            }
            return buckets
        case .day:
            let days = try Row.fetchAll(
                db,
                sql: """
                    SELECT local_day, revision FROM (\(ledgerDaysSQL)) WHERE \(condition) ORDER BY local_day\(limitClause)
                    """,
                arguments: arguments)
            return try days.map { day in
                let number: Int = day[0]
                let sums = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT coalesce(SUM(visits), 0), coalesce(SUM(slips_printed), 0),
                               coalesce(SUM(slips_not_printed), 0)
                        FROM ledger_hour WHERE local_day = ?
                        """, arguments: [number])
                var needs: [NeedCode: Int] = [:]
                for row in try Row.fetchAll(
                    db, sql: "SELECT need, SUM(visits) FROM ledger_need WHERE local_day = ? GROUP BY need",
                    arguments: [number])
                {
                    needs[code(row[0])] = row[1]
                }
                return LedgerBucket(
                    day: LocalDate(daysSinceEpoch: number), hour: nil, revision: UInt64(max(0, day[1] as Int64)),
                    visits: sums?[0] ?? 0, visitsByNeed: needs, slipsPrinted: sums?[1] ?? 0,
                    slipsNotPrinted: sums?[2] ?? 0)
            }
        }
    }
}

extension KioskDatabase {
    /// After a salvage: carries the damaged file's ledger over into this one.
    ///
    /// Counts come from the salvaged rows (the triggers counted them as they were copied), except on days whose
    /// raw rows had been purged, where the damaged file's ledger is all there is and is copied. Every bucket the
    /// damaged file knew gets a revision above its old one (so the service takes the salvaged counts), and
    /// buckets it did not know (their ledger rows were on damaged pages) a revision above every old one. The
    /// acknowledgements are kept. A ledger that cannot be read at all is skipped (its buckets restart at low
    /// revisions).
    func mergeLedger(from source: DatabaseQueue) {
        struct OldHour {
            var day: Int
            var hour: Int
            var visits: Int
            var printed: Int
            var notPrinted: Int
            var revision: Int64
            var acked: Int64
        }
        guard
            let (hours, needs, days) = try? source.read({ db in
                guard try db.tableExists("ledger_hour") else {
                    return ([OldHour](), [Row](), [Row]())
                }
                let hours = try Row.fetchAll(db, sql: "SELECT * FROM ledger_hour").map { row in
                    OldHour(
                        day: row["local_day"], hour: row["local_hour"], visits: row["visits"],
                        printed: row["slips_printed"], notPrinted: row["slips_not_printed"],
                        revision: row["revision"], acked: row["acked_revision"])
                }
                let needs = try Row.fetchAll(db, sql: "SELECT * FROM ledger_need")
                let days = try Row.fetchAll(db, sql: "SELECT local_day, acked_revision, purged FROM ledger_day")
                return (hours, needs, days)
            }), !hours.isEmpty || !days.isEmpty
        else { return }
        let purged = Set(days.filter { ($0["purged"] as Int) == 1 }.map { $0["local_day"] as Int })
        let highest = hours.map(\.revision).max() ?? 0
        try? queue.write { db in
            var known = Set<Int>()
            for old in hours {
                known.insert(old.day * 24 + old.hour)
                let wasPurged = purged.contains(old.day)
                try db.execute(
                    sql: """
                        INSERT INTO ledger_hour (local_day, local_hour, visits, slips_printed, slips_not_printed,
                                                 revision, acked_revision)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                        ON CONFLICT (local_day, local_hour) DO UPDATE SET
                            visits = CASE WHEN ?8 THEN excluded.visits ELSE visits END,
                            slips_printed = CASE WHEN ?8 THEN excluded.slips_printed ELSE slips_printed END,
                            slips_not_printed = CASE WHEN ?8 THEN excluded.slips_not_printed ELSE slips_not_printed END,
                            revision = max(revision, excluded.revision),
                            acked_revision = max(acked_revision, excluded.acked_revision)
                        """,
                    arguments: [
                        old.day, old.hour, wasPurged ? old.visits : 0, wasPurged ? old.printed : 0,
                        wasPurged ? old.notPrinted : 0, wasPurged ? old.revision : old.revision + 1, old.acked,
                        wasPurged,
                    ])
            }
            for row in needs where purged.contains(row["local_day"] as Int) {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO ledger_need (local_day, local_hour, need, visits) VALUES (?, ?, ?, ?)",
                    arguments: [
                        row["local_day"] as Int, row["local_hour"] as Int, row["need"] as String, row["visits"] as Int,
                    ])
            }
            for row in try Row.fetchAll(db, sql: "SELECT local_day, local_hour FROM ledger_hour") {
                let day: Int = row[0]
                let hour: Int = row[1]
                guard !known.contains(day * 24 + hour) else { continue }
                try db.execute(
                    sql: "UPDATE ledger_hour SET revision = max(revision, ?) WHERE local_day = ? AND local_hour = ?",
                    arguments: [highest + 1, day, hour])
            }
            for row in days {
                try db.execute(
                    sql: """
                        INSERT INTO ledger_day (local_day, acked_revision, purged) VALUES (?3, ?1, ?2)
                        ON CONFLICT (local_day) DO UPDATE SET acked_revision = max(acked_revision, excluded.acked_revision),
                            purged = max(purged, excluded.purged)
                        """,
                    arguments: [row["acked_revision"] as Int64, row["purged"] as Int, row["local_day"] as Int])
            }
        }
    }
}
