import Foundation
import HubReportAPI
import KioskCore
import Logging
import PostgresNIO

extension PostgresReportStore {
    public func merge(_ batch: TallyBatch, now: Int64) async throws -> TallyBatchResponse {
        let (logger, database) = (self.logger, location.description)
        return try await transaction { connection in
            // The hub's row, locked: merges of one hub run one after the other, as with SQLite's single writer.
            let hub = try await connection.rows(
                "SELECT public_key IS NOT NULL AND revoked_at IS NULL FROM hub WHERE id = \(batch.hubID) FOR UPDATE",
                logger: logger)
            guard let enrolled = try hub.first?.decode(Bool.self), enrolled else {
                throw ReportStoreError(
                    code: .notEnrolled, database: database, message: "hub \"\(batch.hubID)\" is not enrolled")
            }
            // Every bucket held on the batch's dates, in both forms: a date's counts come from one form only.
            let days = Set(batch.buckets.map { $0.key.date.daysSinceEpoch }).sorted()
            let held = try await PostgresReportStore.held(
                hubID: batch.hubID, days: days, in: connection, logger: logger)
            let (state, response) = TallyMerge.apply(batch, to: held)
            let removed = held.keys.filter { state[$0] == nil }
            if !removed.isEmpty {
                let (removedDays, removedHours) = (
                    removed.map { $0.date.daysSinceEpoch }, removed.map { $0.hour ?? -1 }
                )
                try await connection.run(
                    """
                    DELETE FROM bucket WHERE hub_id = \(batch.hubID)
                      AND (day, hour) IN (SELECT * FROM unnest(\(removedDays)::bigint[], \(removedHours)::bigint[]))
                    """, logger: logger)
            }
            let changed = state.filter { $0.value != held[$0.key] }.sorted { $0.key < $1.key }
            if !changed.isEmpty {
                try await PostgresReportStore.store(changed, hubID: batch.hubID, in: connection, logger: logger)
            }
            let accepted = Set(response.results.filter { $0.status != .rejected }.map(\.key))
            let needs = Set(batch.buckets.filter { accepted.contains($0.key) }.flatMap { $0.counts.visitsByNeed.keys })
            // The service's date, not a time: when a need was first seen must not place a visit.
            let today = Int(now.quotientAndRemainder(dividingBy: 86_400).quotient)
            if !needs.isEmpty {
                try await connection.run(
                    """
                    INSERT INTO hub_need (hub_id, need, first_seen_day)
                    SELECT \(batch.hubID), need, \(today) FROM unnest(\(needs.map(\.rawValue).sorted())::text[]) AS need
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
            let health = batch.health
            try await connection.run(
                """
                UPDATE hub SET last_sync_at = \(now), kiosk_version = \(health.version),
                               printer = \(health.printer.rawValue),
                               open_alerts = \(health.openAlerts.map(\.rawValue).joined(separator: ",")),
                               backlog = \(health.backlog), granularity = \(batch.granularity.rawValue)
                WHERE id = \(batch.hubID)
                """, logger: logger)
            return response
        }
    }

    public func buckets<State: Sendable>(
        _ query: BucketQuery, into initial: State, _ update: @escaping @Sendable (inout State, StoredBucket) -> Void
    ) async throws -> State {
        var conditions: [String] = []
        var binds = PostgresBindings()
        if let from = query.from {
            binds.append(from.daysSinceEpoch)
            conditions.append("day >= $\(binds.count)")
        }
        if let to = query.to {
            binds.append(to.daysSinceEpoch)
            conditions.append("day <= $\(binds.count)")
        }
        if let hubID = query.hubID {
            binds.append(hubID)
            conditions.append("hub_id = $\(binds.count)")
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        // Summing per day is plain SQL (GROUP BY); the hour column of a summed row is -1 like a day bucket.
        let hour = query.resolution == .day ? "-1::bigint" : "hour"
        let group = query.resolution == .day ? "GROUP BY hub_id, day" : "GROUP BY hub_id, day, hour"
        // One statement, the two sums joined: a bucket's rows (one per need, or one with no need) come one after
        // the other and are read as they arrive, never collected. (Two result sets cannot stream side by side on
        // one connection.)
        let sql = """
            SELECT b.hub_id, b.day, b.hour, b.revision, b.visits, b.printed, b.not_printed, n.need, n.visits
            FROM (
                SELECT hub_id, day, \(hour) AS hour, MAX(revision) AS revision, SUM(visits)::bigint AS visits,
                       SUM(slips_printed)::bigint AS printed, SUM(slips_not_printed)::bigint AS not_printed
                FROM bucket \(filter) \(group)
            ) AS b LEFT JOIN (
                SELECT hub_id, day, \(hour) AS hour, need, SUM(visits)::bigint AS visits
                FROM bucket_need \(filter) \(group), need
            ) AS n ON n.hub_id = b.hub_id AND n.day = b.day AND n.hour = b.hour
            ORDER BY b.hub_id, b.day, b.hour, n.need
            """
        let (logger, bindings) = (self.logger, binds)
        return try await transaction(snapshot: true) { connection in
            var state = initial
            var current: StoredBucket?
            for try await row in try await connection.query(
                PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
            {
                let (hub, day, hour, revision, visits, printed, notPrinted, need, needVisits) = try row.decode(
                    (String, Int, Int, Int64, Int, Int, Int, String?, Int?).self)
                let key = BucketKey(date: LocalDate(daysSinceEpoch: day), hour: hour < 0 ? nil : hour)
                if let bucket = current, bucket.key != key || !bucket.hubID.utf8.elementsEqual(hub.utf8) {
                    update(&state, bucket)
                    current = nil
                }
                if current == nil {
                    current = StoredBucket(
                        hubID: hub, key: key, revision: StoredRevision.decode(revision),
                        counts: TallyCounts(visits: visits, slipsPrinted: printed, slipsNotPrinted: notPrinted))
                }
                if let need, let needVisits { current?.counts.visitsByNeed[NeedCode(need)] = needVisits }
            }
            if let bucket = current { update(&state, bucket) }
            return state
        }
    }

    /// The buckets of `hubID` held on `days` (days since 1970), in both forms.
    static func held(
        hubID: String, days: [Int], in connection: PostgresConnection, logger: Logger
    ) async throws -> [BucketKey: HeldBucket] {
        var needs: [BucketKey: [NeedCode: Int]] = [:]
        for row in try await connection.rows(
            "SELECT day, hour, need, visits FROM bucket_need WHERE hub_id = \(hubID) AND day = ANY(\(days)::bigint[])",
            logger: logger)
        {
            let (day, hour, need, visits) = try row.decode((Int, Int, String, Int).self)
            needs[BucketKey(date: LocalDate(daysSinceEpoch: day), hour: hour < 0 ? nil : hour), default: [:]][
                NeedCode(need)] = visits
        }
        var held: [BucketKey: HeldBucket] = [:]
        for row in try await connection.rows(
            """
            SELECT day, hour, revision, visits, slips_printed, slips_not_printed FROM bucket
            WHERE hub_id = \(hubID) AND day = ANY(\(days)::bigint[]) FOR UPDATE
            """, logger: logger)
        {
            let (day, hour, revision, visits, printed, notPrinted) = try row.decode(
                (Int, Int, Int64, Int, Int, Int).self)
            let key = BucketKey(date: LocalDate(daysSinceEpoch: day), hour: hour < 0 ? nil : hour)
            held[key] = HeldBucket(
                revision: StoredRevision.decode(revision),
                counts: TallyCounts(
                    visits: visits, visitsByNeed: needs[key] ?? [:], slipsPrinted: printed, slipsNotPrinted: notPrinted)
            )
        }
        return held
    }

    /// Stores `buckets` (upserts them and replaces their needs): three statements whatever the batch's size.
    static func store(
        _ buckets: [(key: BucketKey, value: HeldBucket)], hubID: String, in connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let days = buckets.map { $0.key.date.daysSinceEpoch }
        let hours = buckets.map { $0.key.hour ?? -1 }
        try await connection.run(
            """
            INSERT INTO bucket (hub_id, day, hour, revision, visits, slips_printed, slips_not_printed)
            SELECT \(hubID), * FROM unnest(\(days)::bigint[], \(hours)::bigint[],
                \(buckets.map { StoredRevision.encode($0.value.revision) })::bigint[],
                \(buckets.map(\.value.counts.visits))::bigint[], \(buckets.map(\.value.counts.slipsPrinted))::bigint[],
                \(buckets.map(\.value.counts.slipsNotPrinted))::bigint[])
            ON CONFLICT (hub_id, day, hour) DO UPDATE SET
                revision = excluded.revision, visits = excluded.visits, slips_printed = excluded.slips_printed,
                slips_not_printed = excluded.slips_not_printed
            """, logger: logger)
        try await connection.run(
            """
            DELETE FROM bucket_need WHERE hub_id = \(hubID)
              AND (day, hour) IN (SELECT * FROM unnest(\(days)::bigint[], \(hours)::bigint[]))
            """, logger: logger)
        var needDays: [Int] = []
        var needHours: [Int] = []
        var needCodes: [String] = []
        var needVisits: [Int] = []
        for (key, bucket) in buckets {
            for (need, visits) in bucket.counts.visitsByNeed.sorted(by: { $0.key < $1.key }) {
                needDays.append(key.date.daysSinceEpoch)
                needHours.append(key.hour ?? -1)
                needCodes.append(need.rawValue)
                needVisits.append(visits)
            }
        }
        guard !needCodes.isEmpty else { return }
        try await connection.run(
            """
            INSERT INTO bucket_need (hub_id, day, hour, need, visits)
            SELECT \(hubID), * FROM unnest(\(needDays)::bigint[], \(needHours)::bigint[], \(needCodes)::text[],
                \(needVisits)::bigint[])
            """, logger: logger)
    }
}
