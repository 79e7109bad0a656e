import Foundation
import Logging
import PostgresNIO

extension PostgresReportStore: ReportAccounts {
    public func user(named name: String) async throws -> ReportUser? {
        let logger = self.logger
        return try await transaction(snapshot: true) { connection in
            try await PostgresReportStore.user(key: ReportUser.key(name), in: connection, logger: logger)
        }
    }

    public func users() async throws -> [ReportUser] {
        try await run("SELECT name, role, password_hash, created_at FROM web_user ORDER BY name_key").compactMap {
            PostgresReportStore.user(row: $0)
        }
    }

    public func issueSetupCode(
        user name: String, role: ReportRole, codeHash: Data, now: Int64, expiresAt: Int64
    ) async throws -> (user: ReportUser, created: Bool) {
        let (logger, database) = (self.logger, location.description)
        let key = ReportUser.key(name)
        return try await transaction { connection in
            // The upsert locks the user's row: two `user add`s of one name at once leave one valid code.
            let inserted = try await connection.rows(
                """
                INSERT INTO web_user (name_key, name, role, created_at) VALUES (\(key), \(name), \(role.rawValue), \(now))
                ON CONFLICT (name_key) DO UPDATE SET role = excluded.role
                RETURNING (xmax = 0)
                """, logger: logger)
            let created = try inserted.first?.decode(Bool.self) ?? false
            try await connection.run(
                """
                UPDATE setup_code SET withdrawn_at = \(now)
                WHERE name_key = \(key) AND used_at IS NULL AND withdrawn_at IS NULL
                """, logger: logger)
            try await connection.run(
                """
                INSERT INTO setup_code (code_sha256, name_key, role, created_at, expires_at)
                VALUES (\(codeHash), \(key), \(role.rawValue), \(now), \(expiresAt))
                """, logger: logger)
            guard let user = try await PostgresReportStore.user(key: key, in: connection, logger: logger) else {
                throw ReportStoreError(code: .other, database: database, message: "user \"\(name)\" was not stored")
            }
            return (user, created)
        }
    }

    public func hasOpenSetupCode(now: Int64) async throws -> Bool {
        let open = try await run(
            """
            SELECT 1 FROM setup_code WHERE used_at IS NULL AND withdrawn_at IS NULL AND expires_at > \(now) LIMIT 1
            """)
        return !open.isEmpty
    }

    public func useSetupCode(codeHash: Data, now: Int64) async throws -> SetupCodeGrant? {
        let logger = self.logger
        return try await transaction { connection in
            // FOR UPDATE: a code is used once even when two browsers send it at once.
            guard
                let row = try await connection.rows(
                    """
                    SELECT web_user.name, setup_code.role, setup_code.expires_at FROM setup_code
                    JOIN web_user USING (name_key)
                    WHERE code_sha256 = \(codeHash) AND used_at IS NULL AND withdrawn_at IS NULL
                    FOR UPDATE OF setup_code
                    """, logger: logger
                ).first
            else { return nil }
            let (name, roleText, expiresAt) = try row.decode((String, String, Int64).self)
            guard expiresAt > now, let role = ReportRole(rawValue: roleText) else { return nil }
            try await connection.run(
                "UPDATE setup_code SET used_at = \(now) WHERE code_sha256 = \(codeHash)", logger: logger)
            return SetupCodeGrant(user: name, role: role, expiresAt: expiresAt)
        }
    }

    public func setPassword(user name: String, role: ReportRole, hash: String, now: Int64) async throws {
        let key = ReportUser.key(name)
        _ = try await run(
            """
            INSERT INTO web_user (name_key, name, role, password_hash, created_at)
            VALUES (\(key), \(name), \(role.rawValue), \(hash), \(now))
            ON CONFLICT (name_key) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash
            """)
    }

    public func audit(_ entry: AuditEntry) async throws {
        _ = try await run(
            "INSERT INTO audit_log (at, user_name, action) VALUES (\(entry.time), \(entry.user), \(entry.action))")
    }

    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        try await run("SELECT at, user_name, action FROM audit_log ORDER BY id DESC LIMIT \(max(limit, 0))").map {
            let (time, user, action) = try $0.decode((Int64, String, String).self)
            return AuditEntry(time: time, user: user, action: action)
        }
    }

    static func user(key: String, in connection: PostgresConnection, logger: Logger) async throws -> ReportUser? {
        try await connection.rows(
            "SELECT name, role, password_hash, created_at FROM web_user WHERE name_key = \(key)", logger: logger
        ).first.flatMap { user(row: $0) }
    }

    static func user(row: PostgresRow) -> ReportUser? {
        guard let (name, role, hash, created) = try? row.decode((String, String, String?, Int64).self),
            let role = ReportRole(rawValue: role)
        else { return nil }
        return ReportUser(name: name, role: role, passwordHash: hash, createdAt: created)
    }
}
