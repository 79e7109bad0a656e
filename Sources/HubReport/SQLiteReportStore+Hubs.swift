import Foundation
import GRDB
import HubReportAPI
import KioskCore

extension SQLiteReportStore: ReportStore {
    public func addHub(
        id: String, name: String, codeHash: Data, now: Int64, expiresAt: Int64
    ) async throws -> HubRecord {
        try HubName.check(id: id, name: name, database: path)
        let database = path
        return try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO hub (id, name, created_at) VALUES (?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name
                    """, arguments: [id, name, now])
            try db.execute(
                sql:
                    "UPDATE enrolment_code SET withdrawn_at = ? WHERE hub_id = ? AND used_at IS NULL AND withdrawn_at IS NULL",
                arguments: [now, id])
            try db.execute(
                sql: "INSERT INTO enrolment_code (code_sha256, hub_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [codeHash, id, now, expiresAt])
            guard let hub = try SQLiteReportStore.hub(id: id, in: db) else {
                throw ReportStoreError(code: .other, database: database, message: "hub \"\(id)\" was not stored")
            }
            return hub
        }
    }

    public func enrol(
        codeHash: Data, publicKey: HubPublicKey, kioskVersion: String, now: Int64
    ) async throws -> EnrolmentOutcome {
        try await write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT hub_id, expires_at, used_at, withdrawn_at FROM enrolment_code WHERE code_sha256 = ?",
                    arguments: [codeHash])
            else { return .unknownCode }
            let hubID: String = row["hub_id"]
            if (row["used_at"] as Int64?) != nil { return .used(hubID: hubID) }
            if (row["withdrawn_at"] as Int64?) != nil { return .unknownCode }
            if (row["expires_at"] as Int64) < now { return .expired(hubID: hubID) }
            try db.execute(
                sql: "UPDATE enrolment_code SET used_at = ? WHERE code_sha256 = ?", arguments: [now, codeHash])
            try db.execute(
                sql: """
                    UPDATE hub SET public_key = ?, enrolled_at = ?, revoked_at = NULL, kiosk_version = ?
                    WHERE id = ?
                    """, arguments: [publicKey.rawRepresentation, now, kioskVersion, hubID])
            guard let hub = try SQLiteReportStore.hub(id: hubID, in: db) else { return .unknownCode }
            return .enrolled(hub)
        }
    }

    public func revokeHub(id: String, now: Int64) async throws -> HubRecord? {
        try await write { db in
            guard try SQLiteReportStore.hub(id: id, in: db) != nil else { return nil }
            try db.execute(
                sql: "UPDATE hub SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?", arguments: [now, id])
            try db.execute(
                sql:
                    "UPDATE enrolment_code SET withdrawn_at = ? WHERE hub_id = ? AND used_at IS NULL AND withdrawn_at IS NULL",
                arguments: [now, id])
            return try SQLiteReportStore.hub(id: id, in: db)
        }
    }

    public func hubs() async throws -> [HubRecord] {
        try await read { db in
            let ids = try String.fetchAll(db, sql: "SELECT id FROM hub ORDER BY id")
            return try ids.compactMap { try SQLiteReportStore.hub(id: $0, in: db) }
        }
    }

    public func ping() async throws {
        _ = try await read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    // MARK: - HubKeyLookup

    public func publicKey(forHub keyID: String) async throws -> HubKeyLookupResult {
        try await read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT public_key, revoked_at FROM hub WHERE id = ?", arguments: [keyID])
            else { return .unknown }
            if (row["revoked_at"] as Int64?) != nil { return .revoked }
            guard let raw = row["public_key"] as Data?, let key = try? HubPublicKey(rawRepresentation: raw) else {
                return .unknown
            }
            return .active(key)
        }
    }

    // MARK: - NonceStore

    public func record(nonce: String, keyID: String, expiresAt: Int64, now: Int64) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM nonce WHERE expires_at < ?", arguments: [now])
            let seen =
                try Int.fetchOne(
                    db, sql: "SELECT 1 FROM nonce WHERE hub_id = ? AND nonce = ?", arguments: [keyID, nonce]) != nil
            if seen { return false }
            try db.execute(
                sql: "INSERT INTO nonce (hub_id, nonce, expires_at) VALUES (?, ?, ?)",
                arguments: [keyID, nonce, expiresAt])
            return true
        }
    }

    /// How many nonces are remembered (for tests).
    public func nonceCount() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM nonce") ?? 0 }
    }

    // MARK: - Rows

    static func hub(id: String, in db: Database) throws -> HubRecord? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM hub WHERE id = ?", arguments: [id]) else {
            return nil
        }
        let publicKey = (row["public_key"] as Data?).flatMap { try? HubPublicKey(rawRepresentation: $0) }
        let revokedAt: Int64? = row["revoked_at"]
        let state: HubRecord.State = revokedAt != nil ? .revoked : publicKey != nil ? .enrolled : .pending
        let health = KioskHealth(
            stored: row["kiosk_version"], printer: row["printer"], openAlerts: row["open_alerts"],
            backlog: row["backlog"])
        let needs = try String.fetchAll(
            db, sql: "SELECT need FROM hub_need WHERE hub_id = ? ORDER BY need", arguments: [id])
        return HubRecord(
            id: id, name: row["name"], state: state, publicKey: publicKey, createdAt: row["created_at"],
            enrolledAt: row["enrolled_at"], revokedAt: revokedAt, lastSyncAt: row["last_sync_at"],
            kioskVersion: row["kiosk_version"], health: health,
            granularity: (row["granularity"] as String?).flatMap(TallyGranularity.init(rawValue:)),
            needCodes: needs.map { NeedCode($0) })
    }
}

/// The rule for a hub's display name.
public enum HubName {
    public static let maxLength = 100

    /// 1–100 characters, none of them a control character.
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.count <= maxLength
            && !name.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}
