import Foundation
import GRDB
import KioskCore

extension KioskDatabase {
    /// Commits the records of one kiosk input in a single `BEGIN IMMEDIATE` transaction.
    ///
    /// When this returns the records are on disk (`synchronous = FULL`); when it throws, none of them is stored.
    public func commit(_ records: [KioskRecord], timeZone: HubTimeZone) async throws(StoreError) {
        guard !records.isEmpty else { return }
        try await write { db in try KioskDatabase.apply(records, timeZone: timeZone, in: db) }
    }

    /// The same as ``commit(_:timeZone:)``, blocking the calling thread.
    public func commitSync(_ records: [KioskRecord], timeZone: HubTimeZone) throws(StoreError) {
        guard !records.isEmpty else { return }
        do {
            try queue.write { db in try KioskDatabase.apply(records, timeZone: timeZone, in: db) }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    static func apply(_ records: [KioskRecord], timeZone: HubTimeZone, in db: Database) throws {
        for record in records {
            switch record {
            case .visitStarted(let visit):
                try db.cachedStatement(
                    sql: """
                        INSERT INTO visit (id, started_at, started_mono, boot_id, clock_synced, local_day, local_hour)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """
                ).execute(arguments: [
                    storedKey(visit.id), visit.startedAt.date.timeIntervalSince1970,
                    visit.startedMonotonic.nanoseconds, storedKey(visit.bootID), visit.startedAt.synchronized,
                    visit.localDay.daysSinceEpoch, visit.localHour,
                ])
            case .press(let press):
                try insert(press, timeZone: timeZone, in: db)
            case .visitEnded(let id, let lastPressAt):
                // The last stored press's time, which a clock correction may have fixed since it was pressed.
                try db.cachedStatement(
                    sql: """
                        UPDATE visit SET ended_at = coalesce((SELECT MAX(pressed_at) FROM press WHERE visit_id = ?1), ?2)
                        WHERE id = ?1
                        """
                ).execute(arguments: [storedKey(id), lastPressAt.date.timeIntervalSince1970])
            case .pressStuck(let id):
                try markStuck(storedKey(id), in: db)
            case .slipRequested(let job):
                let local = timeZone.local(of: job.requestedWall.date)
                try db.cachedStatement(
                    sql: """
                        INSERT INTO slip (id, origin, needs, press_id, requested_at, local_day, local_hour, boot_id,
                                          requested_mono, clock_synced)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """
                ).execute(arguments: [
                    storedKey(job.id), job.origin.rawValue,
                    job.needs.map(\.rawValue).joined(separator: ","), job.pressID.map(storedKey),
                    job.requestedWall.date.timeIntervalSince1970, local.date.daysSinceEpoch, local.time.hour,
                    storedKey(job.bootID), job.requestedAt.nanoseconds, job.requestedWall.synchronized,
                ])
            case .slipFinished(let id, let result, let at):
                let (status, reason): (String, String?) =
                    switch result {
                    case .printed: ("printed", nil)
                    case .notPrinted(let reason): ("not_printed", reason)
                    }
                try db.cachedStatement(sql: "UPDATE slip SET status = ?, reason = ?, finished_at = ? WHERE id = ?")
                    .execute(arguments: [status, reason, at.date.timeIntervalSince1970, storedKey(id)])
            }
        }
    }

    private static func insert(_ press: PressEntry, timeZone: HubTimeZone, in db: Database) throws {
        let id = storedKey(press.id)
        let visitID = storedKey(press.visitID)
        try db.cachedStatement(
            sql: """
                INSERT INTO press (id, button, need, pressed_at, mono_ns, boot_id, clock_synced, flags, visit_id,
                                   local_day)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            id, press.button.rawValue, press.need?.rawValue, press.at.date.timeIntervalSince1970,
            press.monotonic.nanoseconds, storedKey(press.bootID), press.at.synchronized, press.flags.rawValue, visitID,
            timeZone.localDate(of: press.at.date).daysSinceEpoch,
        ])
        if press.countsVisit {
            try db.cachedStatement(sql: "UPDATE visit SET counted = 1 WHERE id = ?").execute(arguments: [visitID])
        }
        if press.countsNeed, let need = press.need {
            try db.cachedStatement(
                sql: """
                    INSERT INTO visit_need (visit_id, need, press_id, local_day, local_hour)
                    SELECT id, ?, ?, local_day, local_hour FROM visit WHERE id = ?
                    """
            ).execute(arguments: [need.rawValue, id, visitID])
        }
    }

    /// Flags a press as a stuck button and recounts its visit from the stored presses.
    private static func markStuck(_ id: DatabaseValue, in db: Database) throws {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT visit_id, need FROM press WHERE id = ?", arguments: [id])
        else { return }
        let visitID: DatabaseValue = row["visit_id"]
        let need: String? = row["need"]
        let misuse = PressFlags.misuse.rawValue
        try db.execute(
            sql: "UPDATE press SET flags = flags | ? WHERE id = ?", arguments: [PressFlags.stuck.rawValue, id])
        try db.execute(sql: "DELETE FROM visit_need WHERE press_id = ?", arguments: [id])
        if let need {
            // Another press of the same need in the visit that broke no rule keeps the need counted.
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO visit_need (visit_id, need, press_id, local_day, local_hour)
                    SELECT p.visit_id, p.need, p.id, v.local_day, v.local_hour
                    FROM press p JOIN visit v ON v.id = p.visit_id
                    WHERE p.visit_id = ? AND p.need = ? AND p.flags & ? = 0
                    ORDER BY p.mono_ns LIMIT 1
                    """, arguments: [visitID, need, misuse])
        }
        try db.execute(
            sql: """
                UPDATE visit SET counted = EXISTS (SELECT 1 FROM press WHERE visit_id = ?1 AND flags & ?2 = 0)
                WHERE id = ?1
                """, arguments: [visitID, misuse])
    }
}
