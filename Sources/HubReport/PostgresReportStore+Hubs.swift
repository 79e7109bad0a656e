import Foundation
import HubReportAPI
import KioskCore
import Logging
import PostgresNIO

extension PostgresReportStore: ReportStore {
    public func addHub(
        id: String, name: String, codeHash: Data, now: Int64, expiresAt: Int64
    ) async throws -> HubRecord {
        try HubName.check(id: id, name: name, database: location.description)
        let (logger, database) = (self.logger, location.description)
        return try await transaction { connection in
            // The upsert locks the hub's row: two `hub add`s of one hub at once leave one valid code.
            try await connection.run(
                """
                INSERT INTO hub (id, name, created_at) VALUES (\(id), \(name), \(now))
                ON CONFLICT (id) DO UPDATE SET name = excluded.name
                """, logger: logger)
            try await connection.run(
                """
                UPDATE enrolment_code SET withdrawn_at = \(now)
                WHERE hub_id = \(id) AND used_at IS NULL AND withdrawn_at IS NULL
                """, logger: logger)
            try await connection.run(
                """
                INSERT INTO enrolment_code (code_sha256, hub_id, created_at, expires_at)
                VALUES (\(codeHash), \(id), \(now), \(expiresAt))
                """, logger: logger)
            guard let hub = try await PostgresReportStore.hub(id: id, in: connection, logger: logger) else {
                throw ReportStoreError(code: .other, database: database, message: "hub \"\(id)\" was not stored")
            }
            return hub
        }
    }

    public func enrol(
        codeHash: Data, publicKey: HubPublicKey, kioskVersion: String, now: Int64
    ) async throws -> EnrolmentOutcome {
        let logger = self.logger
        return try await transaction { connection in
            // The hub's row first, then the code's (the order of `hub add`), FOR UPDATE: a code enrols once even
            // when two kiosks send it at once.
            guard
                let owner = try await connection.rows(
                    "SELECT hub_id FROM enrolment_code WHERE code_sha256 = \(codeHash)", logger: logger
                ).first
            else { return .unknownCode }
            try await connection.run(
                "SELECT 1 FROM hub WHERE id = \(try owner.decode(String.self)) FOR UPDATE", logger: logger)
            guard
                let row = try await connection.rows(
                    """
                    SELECT hub_id, expires_at, used_at, withdrawn_at FROM enrolment_code
                    WHERE code_sha256 = \(codeHash) FOR UPDATE
                    """, logger: logger
                ).first
            else { return .unknownCode }
            let (hubID, expiresAt, usedAt, withdrawnAt) = try row.decode((String, Int64, Int64?, Int64?).self)
            if usedAt != nil { return .used(hubID: hubID) }
            if withdrawnAt != nil { return .unknownCode }
            if expiresAt < now { return .expired(hubID: hubID) }
            try await connection.run(
                "UPDATE enrolment_code SET used_at = \(now) WHERE code_sha256 = \(codeHash)", logger: logger)
            try await connection.run(
                """
                UPDATE hub SET public_key = \(publicKey.rawRepresentation), enrolled_at = \(now), revoked_at = NULL,
                               kiosk_version = \(kioskVersion)
                WHERE id = \(hubID)
                """, logger: logger)
            guard let hub = try await PostgresReportStore.hub(id: hubID, in: connection, logger: logger) else {
                return .unknownCode
            }
            return .enrolled(hub)
        }
    }

    public func revokeHub(id: String, now: Int64) async throws -> HubRecord? {
        let logger = self.logger
        return try await transaction { connection in
            guard try await !connection.rows("SELECT 1 FROM hub WHERE id = \(id) FOR UPDATE", logger: logger).isEmpty
            else { return nil }
            try await connection.run(
                "UPDATE hub SET revoked_at = coalesce(revoked_at, \(now)) WHERE id = \(id)", logger: logger)
            try await connection.run(
                """
                UPDATE enrolment_code SET withdrawn_at = \(now)
                WHERE hub_id = \(id) AND used_at IS NULL AND withdrawn_at IS NULL
                """, logger: logger)
            return try await PostgresReportStore.hub(id: id, in: connection, logger: logger)
        }
    }

    public func hubs() async throws -> [HubRecord] {
        let logger = self.logger
        return try await transaction(snapshot: true) { connection in
            let ids = try await connection.rows("SELECT id FROM hub ORDER BY id", logger: logger).map {
                try $0.decode(String.self)
            }
            var hubs: [HubRecord] = []
            for id in ids {
                if let hub = try await PostgresReportStore.hub(id: id, in: connection, logger: logger) {
                    hubs.append(hub)
                }
            }
            return hubs
        }
    }

    /// `SELECT 1`, or `.unreachable` after 5 s: while the server is away the pool keeps retrying to connect, and
    /// `/healthz` must answer 503 meanwhile rather than wait for it.
    public func ping() async throws {
        let database = location.description
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await self.run("SELECT 1") }
            group.addTask {
                try await Task.sleep(for: .seconds(5))
                throw ReportStoreError(
                    code: .unreachable, database: database, message: "PostgreSQL did not answer in 5 s")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    // MARK: - HubKeyLookup

    public func publicKey(forHub keyID: String) async throws -> HubKeyLookupResult {
        guard
            let row = try await run("SELECT public_key, revoked_at FROM hub WHERE id = \(keyID)").first
        else { return .unknown }
        let (raw, revokedAt) = try row.decode((Data?, Int64?).self)
        if revokedAt != nil { return .revoked }
        guard let raw, let key = try? HubPublicKey(rawRepresentation: raw) else { return .unknown }
        return .active(key)
    }

    // MARK: - NonceStore

    public func record(nonce: String, keyID: String, expiresAt: Int64, now: Int64) async throws -> Bool {
        let logger = self.logger
        return try await transaction { connection in
            // Rows another request is pruning are left to it: no waiting, no deadlock between two prunes.
            try await connection.run(
                """
                DELETE FROM nonce WHERE ctid IN (
                    SELECT ctid FROM nonce WHERE expires_at < \(now) FOR UPDATE SKIP LOCKED)
                """, logger: logger)
            // The primary key decides between two requests with one nonce at once: one inserts, the other is a replay.
            let inserted = try await connection.rows(
                """
                INSERT INTO nonce (hub_id, nonce, expires_at) VALUES (\(keyID), \(nonce), \(expiresAt))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger)
            return !inserted.isEmpty
        }
    }

    /// How many nonces are remembered (for tests).
    public func nonceCount() async throws -> Int {
        try await run("SELECT count(*) FROM nonce").first?.decode(Int.self) ?? 0
    }

    // MARK: - Rows

    static func hub(id: String, in connection: PostgresConnection, logger: Logger) async throws -> HubRecord? {
        guard
            let row = try await connection.rows(
                """
                SELECT name, public_key, created_at, enrolled_at, revoked_at, last_sync_at, kiosk_version, printer,
                       open_alerts, backlog, granularity
                FROM hub WHERE id = \(id)
                """, logger: logger
            ).first
        else { return nil }
        let (
            name, rawKey, createdAt, enrolledAt, revokedAt, lastSyncAt, kioskVersion, printer, openAlerts, backlog,
            granularity
        ) = try row.decode(
            (String, Data?, Int64, Int64?, Int64?, Int64?, String?, String?, String?, Int?, String?).self)
        let needs = try await connection.rows(
            "SELECT need FROM hub_need WHERE hub_id = \(id) ORDER BY need", logger: logger
        ).map { try $0.decode(String.self) }
        let publicKey = rawKey.flatMap { try? HubPublicKey(rawRepresentation: $0) }
        let state: HubRecord.State = revokedAt != nil ? .revoked : publicKey != nil ? .enrolled : .pending
        return HubRecord(
            id: id, name: name, state: state, publicKey: publicKey, createdAt: createdAt, enrolledAt: enrolledAt,
            revokedAt: revokedAt, lastSyncAt: lastSyncAt, kioskVersion: kioskVersion,
            health: KioskHealth(stored: kioskVersion, printer: printer, openAlerts: openAlerts, backlog: backlog),
            granularity: granularity.flatMap(TallyGranularity.init(rawValue:)), needCodes: needs.map { NeedCode($0) })
    }
}
