import Foundation
import GRDB

extension SQLiteReportStore: ReportAccounts {
    public func user(named name: String) async throws -> ReportUser? {
        try await read { db in try SQLiteReportStore.user(key: ReportUser.key(name), in: db) }
    }

    public func users() async throws -> [ReportUser] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM web_user ORDER BY name_key").compactMap {
                SQLiteReportStore.user(row: $0)
            }
        }
    }

    public func issueSetupCode(
        user name: String, role: ReportRole, codeHash: Data, now: Int64, expiresAt: Int64
    ) async throws -> (user: ReportUser, created: Bool) {
        let database = path
        let key = ReportUser.key(name)
        return try await write { db in
            let created = try SQLiteReportStore.user(key: key, in: db) == nil
            try db.execute(
                sql: """
                    INSERT INTO web_user (name_key, name, role, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (name_key) DO UPDATE SET role = excluded.role
                    """, arguments: [key, name, role.rawValue, now])
            try db.execute(
                sql: """
                    UPDATE setup_code SET withdrawn_at = ?
                    WHERE name_key = ? AND used_at IS NULL AND withdrawn_at IS NULL
                    """, arguments: [now, key])
            try db.execute(
                sql:
                    "INSERT INTO setup_code (code_sha256, name_key, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [codeHash, key, role.rawValue, now, expiresAt])
            guard let user = try SQLiteReportStore.user(key: key, in: db) else {
                throw ReportStoreError(code: .other, database: database, message: "user \"\(name)\" was not stored")
            }
            return (user, created)
        }
    }

    public func hasOpenSetupCode(now: Int64) async throws -> Bool {
        try await read { db in
            try Int.fetchOne(
                db,
                sql:
                    "SELECT 1 FROM setup_code WHERE used_at IS NULL AND withdrawn_at IS NULL AND expires_at > ? LIMIT 1",
                arguments: [now]) != nil
        }
    }

    public func useSetupCode(codeHash: Data, now: Int64) async throws -> SetupCodeGrant? {
        try await write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT web_user.name, setup_code.role, expires_at FROM setup_code
                        JOIN web_user USING (name_key)
                        WHERE code_sha256 = ? AND used_at IS NULL AND withdrawn_at IS NULL
                        """, arguments: [codeHash])
            else { return nil }
            let expiresAt: Int64 = row["expires_at"]
            guard expiresAt > now, let role = ReportRole(rawValue: row["role"]) else { return nil }
            try db.execute(
                sql: "UPDATE setup_code SET used_at = ? WHERE code_sha256 = ?", arguments: [now, codeHash])
            return SetupCodeGrant(user: row["name"], role: role, expiresAt: expiresAt)
        }
    }

    public func setPassword(user name: String, role: ReportRole, hash: String, now: Int64) async throws {
        let key = ReportUser.key(name)
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO web_user (name_key, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (name_key) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash
                    """, arguments: [key, name, role.rawValue, hash, now])
        }
    }

    public func audit(_ entry: AuditEntry) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO audit_log (at, user_name, action) VALUES (?, ?, ?)",
                arguments: [entry.time, entry.user, entry.action])
        }
    }

    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT at, user_name, action FROM audit_log ORDER BY id DESC LIMIT ?",
                arguments: [max(limit, 0)]
            ).map { AuditEntry(time: $0["at"], user: $0["user_name"], action: $0["action"]) }
        }
    }

    static func user(key: String, in db: Database) throws -> ReportUser? {
        try Row.fetchOne(db, sql: "SELECT * FROM web_user WHERE name_key = ?", arguments: [key]).flatMap {
            user(row: $0)
        }
    }

    static func user(row: Row) -> ReportUser? {
        guard let role = ReportRole(rawValue: row["role"]) else { return nil }
        return ReportUser(
            name: row["name"], role: role, passwordHash: row["password_hash"], createdAt: row["created_at"])
    }
}
