import Foundation
import GRDB
import KioskCore

/// What a clock correction changed.
public struct ClockCorrection: Hashable, Sendable {
    public var presses: Int
    public var visits: Int
    public var slips: Int
}

extension KioskDatabase {
    /// The clock has just been synchronised: gives every row of boot `bootID` recorded before that its true wall
    /// time, computed from its monotonic time (`wall` is the synchronised time at `now`), and moves it to its true
    /// local day.
    public func correctTimes(
        bootID: String,
        now: MonotonicInstant,
        wall: Date,
        timeZone: HubTimeZone
    ) async throws(StoreError) -> ClockCorrection {
        try await write { db in
            func corrected(_ mono: Int64) -> Date {
                wall.addingTimeInterval(-Double(now.nanoseconds - mono) / 1e9)
            }
            var presses = 0
            for row in try Row.fetchAll(
                db, sql: "SELECT id, mono_ns FROM press WHERE boot_id = ? AND clock_synced = 0 AND time_corrected = 0",
                arguments: [KioskDatabase.storedKey(bootID)])
            {
                let date = corrected(row["mono_ns"])
                try db.execute(
                    sql: "UPDATE press SET pressed_at = ?, local_day = ?, time_corrected = 1 WHERE id = ?",
                    arguments: [date.timeIntervalSince1970, timeZone.localDate(of: date).daysSinceEpoch, row["id"]])
                presses += 1
            }
            var visits = 0
            for row in try Row.fetchAll(
                db,
                sql: "SELECT id, started_mono FROM visit WHERE boot_id = ? AND clock_synced = 0 AND time_corrected = 0",
                arguments: [KioskDatabase.storedKey(bootID)])
            {
                let date = corrected(row["started_mono"])
                let local = timeZone.local(of: date)
                let id: DatabaseValue = row["id"]
                try db.execute(
                    sql: """
                        UPDATE visit SET started_at = ?, local_day = ?, local_hour = ?, time_corrected = 1,
                            ended_at = CASE WHEN ended_at IS NULL THEN NULL
                                            ELSE (SELECT MAX(pressed_at) FROM press WHERE visit_id = ?4) END
                        WHERE id = ?4
                        """,
                    arguments: [date.timeIntervalSince1970, local.date.daysSinceEpoch, local.time.hour, id])
                try db.execute(
                    sql: "UPDATE visit_need SET local_day = ?, local_hour = ? WHERE visit_id = ?",
                    arguments: [local.date.daysSinceEpoch, local.time.hour, id])
                visits += 1
            }
            var slips = 0
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT id, requested_mono FROM slip
                    WHERE boot_id = ? AND clock_synced = 0 AND time_corrected = 0 AND requested_mono IS NOT NULL
                    """, arguments: [KioskDatabase.storedKey(bootID)])
            {
                let date = corrected(row["requested_mono"])
                let local = timeZone.local(of: date)
                try db.execute(
                    sql: """
                        UPDATE slip SET requested_at = ?, local_day = ?, local_hour = ?, time_corrected = 1 WHERE id = ?
                        """,
                    arguments: [date.timeIntervalSince1970, local.date.daysSinceEpoch, local.time.hour, row["id"]])
                slips += 1
            }
            return ClockCorrection(presses: presses, visits: visits, slips: slips)
        }
    }

    /// Marks the rows of earlier boots whose clock never synchronised as approximate (they are kept and counted).
    /// Returns how many presses were marked.
    @discardableResult
    public func markApproximate(exceptBoot bootID: String) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE visit SET time_approximate = 1
                    WHERE boot_id != ? AND clock_synced = 0 AND time_corrected = 0 AND time_approximate = 0
                    """, arguments: [KioskDatabase.storedKey(bootID)])
            try db.execute(
                sql: """
                    UPDATE press SET time_approximate = 1
                    WHERE boot_id != ? AND clock_synced = 0 AND time_corrected = 0 AND time_approximate = 0
                    """, arguments: [KioskDatabase.storedKey(bootID)])
            let presses = db.changesCount
            // Slips too (from v5): their times can then be coarsened like the other rows of the boot.
            try db.execute(
                sql: """
                    UPDATE slip SET time_approximate = 1
                    WHERE boot_id != ? AND clock_synced = 0 AND time_corrected = 0 AND time_approximate = 0
                    """, arguments: [KioskDatabase.storedKey(bootID)])
            return presses
        }
    }
}
