import Foundation
import GRDB
import HubReportAPI
import KioskCore

extension SQLiteReportStore {
    public func merge(_ batch: TallyBatch, now: Int64) async throws -> TallyBatchResponse {
        let database = path
        return try await write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT public_key, revoked_at FROM hub WHERE id = ?", arguments: [batch.hubID]),
                (row["public_key"] as Data?) != nil, (row["revoked_at"] as Int64?) == nil
            else {
                throw ReportStoreError(
                    code: .notEnrolled, database: database, message: "hub \"\(batch.hubID)\" is not enrolled")
            }
            // Every bucket held on the batch's dates, in both forms: a date's counts come from one form only.
            var held: [BucketKey: HeldBucket] = [:]
            for date in Set(batch.buckets.map(\.key.date)) {
                for key in try SQLiteReportStore.heldKeys(hubID: batch.hubID, date: date, in: db) {
                    held[key] = try SQLiteReportStore.heldBucket(hubID: batch.hubID, key: key, in: db)
                }
            }
            let (state, response) = TallyMerge.apply(batch, to: held)
            for key in held.keys where state[key] == nil {
                try SQLiteReportStore.delete(hubID: batch.hubID, key: key, in: db)
            }
            for (key, new) in state where new != held[key] {
                try SQLiteReportStore.store(new, hubID: batch.hubID, key: key, in: db)
            }
            let accepted = Set(response.results.filter { $0.status != .rejected }.map(\.key))
            let needs = Set(batch.buckets.filter { accepted.contains($0.key) }.flatMap { $0.counts.visitsByNeed.keys })
            // The service's date, not a time: when a need was first seen must not place a visit.
            let today = Int(now.quotientAndRemainder(dividingBy: 86_400).quotient)
            for need in needs {
                try db.execute(
                    sql: "INSERT INTO hub_need (hub_id, need, first_seen_day) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    arguments: [batch.hubID, need.rawValue, today])
            }
            let health = batch.health
            try db.execute(
                sql: """
                    UPDATE hub SET last_sync_at = ?, kiosk_version = ?, printer = ?, open_alerts = ?, backlog = ?,
                                   granularity = ?
                    WHERE id = ?
                    """,
                arguments: [
                    now, health.version, health.printer.rawValue,
                    health.openAlerts.map(\.rawValue).joined(separator: ","), health.backlog,
                    batch.granularity.rawValue, batch.hubID,
                ])
            return response
        }
    }

    public func buckets<State: Sendable>(
        _ query: BucketQuery, into initial: State, _ update: @escaping @Sendable (inout State, StoredBucket) -> Void
    ) async throws -> State {
        try await read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let from = query.from {
                conditions.append("day >= ?")
                arguments += [from.daysSinceEpoch]
            }
            if let to = query.to {
                conditions.append("day <= ?")
                arguments += [to.daysSinceEpoch]
            }
            if let hubID = query.hubID {
                conditions.append("hub_id = ?")
                arguments += [hubID]
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            // Summing per day is plain SQL (GROUP BY); the hour column of a summed row is -1 like a day bucket.
            let hour = query.resolution == .day ? "-1" : "hour"
            let keys = query.resolution == .day ? "hub_id, day" : "hub_id, day, hour"
            // Both cursors in the same order, merged as they are read: no bucket or need row is held past its own
            // bucket, so the memory is the caller's state, whatever the number of buckets.
            let bucketRows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT hub_id, day, \(hour) AS hour, MAX(revision) AS revision, SUM(visits) AS visits,
                           SUM(slips_printed) AS slips_printed, SUM(slips_not_printed) AS slips_not_printed
                    FROM bucket \(filter) GROUP BY \(keys) ORDER BY \(keys)
                    """, arguments: arguments)
            let needRows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT hub_id, day, \(hour) AS hour, need, SUM(visits) AS visits
                    FROM bucket_need \(filter) GROUP BY \(keys), need ORDER BY \(keys), need
                    """, arguments: arguments)
            func nextNeed() throws -> (key: SummedKey, need: NeedCode, visits: Int)? {
                guard let row = try needRows.next() else { return nil }
                return (
                    SummedKey(hub: row["hub_id"], day: row["day"], hour: row["hour"]), NeedCode(row["need"] as String),
                    row["visits"]
                )
            }
            var state = initial
            var need = try nextNeed()
            while let row = try bucketRows.next() {
                let key = SummedKey(hub: row["hub_id"], day: row["day"], hour: row["hour"])
                var needs: [NeedCode: Int] = [:]
                // Need rows of an earlier key have no bucket (the foreign key forbids them): skipped, never matched.
                while let next = need, !(key < next.key) {
                    if next.key == key { needs[next.need] = next.visits }
                    need = try nextNeed()
                }
                update(
                    &state,
                    StoredBucket(
                        hubID: key.hub,
                        key: BucketKey(date: LocalDate(daysSinceEpoch: key.day), hour: key.hour < 0 ? nil : key.hour),
                        revision: SQLiteReportStore.revision(stored: row["revision"]),
                        counts: TallyCounts(
                            visits: row["visits"], visitsByNeed: needs, slipsPrinted: row["slips_printed"],
                            slipsNotPrinted: row["slips_not_printed"])))
            }
            return state
        }
    }

    /// A summed bucket's key, ordered as SQLite's `ORDER BY hub_id, day, hour` orders it (text by its UTF-8 bytes,
    /// the BINARY collation).
    struct SummedKey: Equatable, Comparable {
        var hub: String
        var day: Int
        var hour: Int

        static func == (lhs: SummedKey, rhs: SummedKey) -> Bool {
            lhs.day == rhs.day && lhs.hour == rhs.hour && lhs.hub.utf8.elementsEqual(rhs.hub.utf8)
        }

        static func < (lhs: SummedKey, rhs: SummedKey) -> Bool {
            if !lhs.hub.utf8.elementsEqual(rhs.hub.utf8) { return lhs.hub.utf8.lexicographicallyPrecedes(rhs.hub.utf8) }
            return (lhs.day, lhs.hour) < (rhs.day, rhs.hour)
        }
    }

    static func heldBucket(hubID: String, key: BucketKey, in db: Database) throws -> HeldBucket? {
        let arguments: StatementArguments = [hubID, key.date.daysSinceEpoch, key.hour ?? -1]
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT revision, visits, slips_printed, slips_not_printed FROM bucket
                        WHERE hub_id = ? AND day = ? AND hour = ?
                        """), arguments: arguments)
        else { return nil }
        var needs: [NeedCode: Int] = [:]
        let needRows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT need, visits FROM bucket_need WHERE hub_id = ? AND day = ? AND hour = ?"),
            arguments: arguments)
        for need in needRows { needs[NeedCode(need["need"] as String)] = need["visits"] }
        return HeldBucket(
            revision: revision(stored: row["revision"]),
            counts: TallyCounts(
                visits: row["visits"], visitsByNeed: needs, slipsPrinted: row["slips_printed"],
                slipsNotPrinted: row["slips_not_printed"]))
    }

    /// The keys of the buckets held for `date`: its day bucket, or its hour buckets.
    static func heldKeys(hubID: String, date: LocalDate, in db: Database) throws -> [BucketKey] {
        try Int.fetchAll(
            db.cachedStatement(sql: "SELECT hour FROM bucket WHERE hub_id = ? AND day = ?"),
            arguments: [hubID, date.daysSinceEpoch]
        ).map { BucketKey(date: date, hour: $0 < 0 ? nil : $0) }
    }

    /// Removes a bucket that another form of its date replaced.
    static func delete(hubID: String, key: BucketKey, in db: Database) throws {
        let arguments: StatementArguments = [hubID, key.date.daysSinceEpoch, key.hour ?? -1]
        try db.cachedStatement(sql: "DELETE FROM bucket_need WHERE hub_id = ? AND day = ? AND hour = ?")
            .execute(arguments: arguments)
        try db.cachedStatement(sql: "DELETE FROM bucket WHERE hub_id = ? AND day = ? AND hour = ?")
            .execute(arguments: arguments)
    }

    static func store(_ bucket: HeldBucket, hubID: String, key: BucketKey, in db: Database) throws {
        let day = key.date.daysSinceEpoch
        let hour = key.hour ?? -1
        try db.cachedStatement(
            sql: """
                INSERT INTO bucket (hub_id, day, hour, revision, visits, slips_printed, slips_not_printed)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (hub_id, day, hour) DO UPDATE SET
                    revision = excluded.revision, visits = excluded.visits, slips_printed = excluded.slips_printed,
                    slips_not_printed = excluded.slips_not_printed
                """
        ).execute(arguments: [
            hubID, day, hour, storedRevision(bucket.revision), bucket.counts.visits, bucket.counts.slipsPrinted,
            bucket.counts.slipsNotPrinted,
        ])
        try db.cachedStatement(sql: "DELETE FROM bucket_need WHERE hub_id = ? AND day = ? AND hour = ?")
            .execute(arguments: [hubID, day, hour])
        for (need, visits) in bucket.counts.visitsByNeed {
            try db.cachedStatement(
                sql: "INSERT INTO bucket_need (hub_id, day, hour, need, visits) VALUES (?, ?, ?, ?, ?)"
            ).execute(arguments: [hubID, day, hour, need.rawValue, visits])
        }
    }
}
