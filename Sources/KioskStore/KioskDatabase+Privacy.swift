import Foundation
import GRDB
import KioskCore

extension KioskDatabase {
    /// How old a settled row must be before its exact times can go: twice the longest window of the press rules
    /// (a visit's idle timeout, the same-button and burst windows, the stuck limit, the slip interval), so that
    /// the rules and a visit's end never need a time that was coarsened.
    public static func coarseningAge(for rules: PressRules) -> TimeInterval {
        let windows = [
            rules.visitIdle, rules.sameButtonWindow, rules.burstWindow, rules.stuckAfter, rules.slipInterval,
        ]
        let longest =
            windows.map { duration in
                Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            }.max() ?? 0
        return 2 * longest
    }

    /// Visits coarsened per transaction: a first pass over a year of rows does not hold the writer for long.
    static let coarseningBatch = 200

    /// Privacy at rest: the rows of visits that are over and whose clock is settled keep their times only to the
    /// start of their hour, and lose their monotonic times. Returns the rows changed.
    ///
    /// A visit is over once its end (or, if it never got one, its last press) is more than `olderThan` before
    /// `now`; its clock is settled when it was synchronised, corrected, or marked approximate (a boot that never
    /// synchronised and is over), and the same holds for each of its presses. Then `visit.started_at` and
    /// `ended_at` and `press.pressed_at` become the start of their UTC hour (the start of their local hour
    /// bucket in every zone whose offset is a whole number of hours) and `started_mono` and `mono_ns` zero.
    /// Slips that finished (or stayed pending for a day) and are settled likewise: `requested_at` and
    /// `finished_at` to the hour, `requested_mono` zero. Counts, days and hours are not changed: the ledger is
    /// untouched. Rows whose clock is not settled keep their monotonic times, which a clock correction needs.
    /// Pass at least ``coarseningAge(for:)``.
    @discardableResult
    public func coarsenSettledRows(now: Date, olderThan: TimeInterval) throws(StoreError) -> Int {
        let cutoff = now.timeIntervalSince1970 - max(0, olderThan)
        func hour(_ column: String) -> String { "(CAST(\(column) / 3600 AS INTEGER) - (\(column) < 0)) * 3600" }
        let settled = "(clock_synced = 1 OR time_corrected = 1 OR time_approximate = 1)"
        let lastTime = "coalesce(ended_at, (SELECT MAX(pressed_at) FROM press WHERE visit_id = visit.id), started_at)"
        var changed = 0
        while true {
            let batch = try writeSync { db -> Int in
                let visits = try DatabaseValue.fetchAll(
                    db,
                    sql: """
                        SELECT id FROM visit
                        WHERE started_mono != 0 AND started_at < ?1 AND \(settled) AND \(lastTime) < ?1
                          AND NOT EXISTS (SELECT 1 FROM press p WHERE p.visit_id = visit.id
                                          AND p.clock_synced = 0 AND p.time_corrected = 0 AND p.time_approximate = 0)
                        LIMIT \(KioskDatabase.coarseningBatch)
                        """, arguments: [cutoff])
                var rows = 0
                for id in visits {
                    try db.cachedStatement(
                        sql: "UPDATE press SET pressed_at = \(hour("pressed_at")), mono_ns = 0 WHERE visit_id = ?"
                    ).execute(arguments: [id])
                    rows += db.changesCount
                    try db.cachedStatement(
                        sql: """
                            UPDATE visit SET ended_at = \(hour(lastTime)), started_at = \(hour("started_at")),
                                started_mono = 0
                            WHERE id = ?
                            """
                    ).execute(arguments: [id])
                    rows += db.changesCount
                }
                return visits.isEmpty ? -1 : rows
            }
            if batch < 0 { break }
            changed += batch
        }
        changed += try writeSync { db -> Int in
            try db.execute(
                sql: """
                    UPDATE slip SET requested_at = \(hour("requested_at")), finished_at = \(hour("finished_at")),
                        requested_mono = 0
                    WHERE coalesce(requested_mono, -1) != 0 AND requested_at < ?1 AND \(settled)
                      AND ((status != 'pending' AND coalesce(finished_at, requested_at) < ?1)
                           OR requested_at < ?1 - 86400)
                    """, arguments: [cutoff])
            return db.changesCount
        }
        if changed > 0 {
            // The old page images still sit in the write-ahead log: copy it in and cut it to nothing. Best effort
            // (a reader in the way): the next pass tries again, and the log is reused from its start anyway.
            try? queue.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        }
        return changed
    }
}
