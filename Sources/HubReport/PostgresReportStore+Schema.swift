import PostgresNIO

extension PostgresReportStore {
    /// One step of the schema. Append-only: never edit a migration that has shipped; add a new one.
    struct Migration: Sendable {
        var version: Int
        var name: String
        var statements: [String]
    }

    /// The schema, in order. Version 1 is the SQLite store's schema after its second migration (nothing finer than
    /// a bucket), in PostgreSQL's types.
    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "hubs, enrolment codes, nonces, buckets",
            statements: [
                """
                CREATE TABLE hub (
                    id text PRIMARY KEY,
                    name text NOT NULL,
                    public_key bytea,                   -- ed25519, 32 raw bytes; NULL until enrolled
                    created_at bigint NOT NULL,         -- Unix seconds
                    enrolled_at bigint,
                    revoked_at bigint,
                    last_sync_at bigint,
                    kiosk_version text,
                    printer text,                       -- the kiosk's last health report
                    open_alerts text,                   -- alert kinds, comma-separated
                    backlog bigint,
                    granularity text                    -- hour | day, as the last batch said
                )
                """,
                """
                CREATE TABLE enrolment_code (           -- SHA-256 of the normalised code, never the code
                    code_sha256 bytea PRIMARY KEY,
                    hub_id text NOT NULL REFERENCES hub(id),
                    created_at bigint NOT NULL,
                    expires_at bigint NOT NULL,
                    used_at bigint,
                    withdrawn_at bigint
                )
                """,
                "CREATE INDEX enrolment_code_hub ON enrolment_code(hub_id)",
                """
                CREATE TABLE nonce (
                    hub_id text NOT NULL,
                    nonce text NOT NULL,
                    expires_at bigint NOT NULL,
                    PRIMARY KEY (hub_id, nonce)
                )
                """,
                "CREATE INDEX nonce_expiry ON nonce(expires_at)",
                """
                CREATE TABLE bucket (
                    hub_id text NOT NULL REFERENCES hub(id),
                    day bigint NOT NULL,                -- days since 1970-01-01 in the hub's calendar
                    hour bigint NOT NULL,               -- 0-23; -1 for a day bucket
                    revision bigint NOT NULL,           -- revision - 2^63 (see storedRevision)
                    visits bigint NOT NULL,
                    slips_printed bigint NOT NULL,
                    slips_not_printed bigint NOT NULL,
                    PRIMARY KEY (hub_id, day, hour)
                )
                """,
                "CREATE INDEX bucket_day ON bucket(day)",
                """
                CREATE TABLE bucket_need (
                    hub_id text NOT NULL,
                    day bigint NOT NULL,
                    hour bigint NOT NULL,
                    need text NOT NULL,
                    visits bigint NOT NULL,
                    PRIMARY KEY (hub_id, day, hour, need),
                    FOREIGN KEY (hub_id, day, hour) REFERENCES bucket(hub_id, day, hour) ON DELETE CASCADE
                )
                """,
                """
                CREATE TABLE hub_need (
                    hub_id text NOT NULL REFERENCES hub(id),
                    need text NOT NULL,
                    first_seen_day bigint NOT NULL,     -- a date, never a time
                    PRIMARY KEY (hub_id, need)
                )
                """,
            ]),
        Migration(
            version: 2, name: "users of the pages, setup codes, audit log",
            statements: [
                """
                CREATE TABLE web_user (                 -- only a bcrypt hash of a password, never the password
                    name_key text PRIMARY KEY,          -- the name in lower case: names match without case
                    name text NOT NULL,
                    role text NOT NULL CHECK (role IN ('coordinator', 'viewer')),
                    password_hash text,                 -- NULL until a setup code was used
                    created_at bigint NOT NULL
                )
                """,
                """
                CREATE TABLE setup_code (               -- SHA-256 of the normalised code, never the code
                    code_sha256 bytea PRIMARY KEY,
                    name_key text NOT NULL REFERENCES web_user(name_key),
                    role text NOT NULL,
                    created_at bigint NOT NULL,
                    expires_at bigint NOT NULL,
                    used_at bigint,
                    withdrawn_at bigint
                )
                """,
                "CREATE INDEX setup_code_user ON setup_code(name_key)",
                """
                CREATE TABLE audit_log (                -- sign-ins, exact exports, enrolments
                    id bigserial PRIMARY KEY,
                    at bigint NOT NULL,
                    user_name text NOT NULL,
                    action text NOT NULL
                )
                """,
            ]),
    ]

    /// Creates the schema if missing and applies the migrations it lacks, in one transaction under an advisory lock
    /// (two services starting at once migrate once). Refuses a database written by a newer `hubreport`.
    func migrate() async throws(ReportStoreError) {
        let schema = location.schema
        let database = location.description
        let logger = self.logger
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                on: PostgresClient.defaultEventLoopGroup.next(), configuration: connectionConfiguration, id: 0,
                logger: logger)
        } catch {
            throw ReportStoreError(postgres: error, database: database)
        }
        do {
            try await migrate(on: connection, schema: schema, database: database)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw ReportStoreError(postgres: error, database: database)
        }
    }

    func migrate(on connection: PostgresConnection, schema: String, database: String) async throws {
        let logger = self.logger
        try await connection.withTransaction(logger: logger) { connection in
            // A number of hubreport's own, so that two services starting at once migrate one after the other.
            try await connection.run("SELECT pg_advisory_xact_lock(7447100)", logger: logger)
            try await connection.run(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"), logger: logger)
            try await connection.run(
                PostgresQuery(
                    unsafeSQL: """
                        CREATE TABLE IF NOT EXISTS \(schema).hubreport_migration (
                            version integer PRIMARY KEY, name text NOT NULL)
                        """), logger: logger)
            let applied = Set(
                try await connection.rows(
                    PostgresQuery(unsafeSQL: "SELECT version FROM \(schema).hubreport_migration"), logger: logger
                ).map { try $0.decode(Int.self) })
            let known = Set(PostgresReportStore.migrations.map(\.version))
            guard applied.isSubset(of: known) else {
                throw ReportStoreError(
                    code: .newerSchema, database: database,
                    message: "written by a newer hubreport (schema versions \(applied.subtracting(known).sorted()))")
            }
            for migration in PostgresReportStore.migrations where !applied.contains(migration.version) {
                try await connection.run(PostgresQuery(unsafeSQL: "SET LOCAL search_path TO \(schema)"), logger: logger)
                for statement in migration.statements {
                    try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.run(
                    "INSERT INTO hubreport_migration (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger)
            }
        }
    }
}
