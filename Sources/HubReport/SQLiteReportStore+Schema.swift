import GRDB

extension SQLiteReportStore {
    /// Append-only: never edit a migration that has shipped; add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: hubs, enrolment codes, nonces, buckets") { db in
            try db.execute(
                sql: """
                    -- A hub of the partnership. Only its public key is kept: a leak of this file lets no one sync.
                    CREATE TABLE hub (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        public_key BLOB,                    -- ed25519, 32 raw bytes; NULL until enrolled
                        created_at INTEGER NOT NULL,        -- Unix seconds
                        enrolled_at INTEGER,
                        revoked_at INTEGER,
                        last_sync_at INTEGER,
                        kiosk_version TEXT,
                        printer TEXT,                       -- the kiosk's last health report
                        open_alerts TEXT,                   -- alert kinds, comma-separated
                        backlog INTEGER,
                        granularity TEXT                    -- hour | day, as the last batch said
                    );

                    -- One-time enrolment codes, as SHA-256 of the normalised code (never the code itself).
                    CREATE TABLE enrolment_code (
                        code_sha256 BLOB PRIMARY KEY NOT NULL,
                        hub_id TEXT NOT NULL REFERENCES hub(id),
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL,
                        used_at INTEGER,
                        withdrawn_at INTEGER                -- replaced by a newer code, or the hub revoked
                    );
                    CREATE INDEX enrolment_code_hub ON enrolment_code(hub_id);

                    -- Nonces of verified signatures, until their signature window is over.
                    CREATE TABLE nonce (
                        hub_id TEXT NOT NULL,
                        nonce TEXT NOT NULL,
                        expires_at INTEGER NOT NULL,
                        PRIMARY KEY (hub_id, nonce)
                    );
                    CREATE INDEX nonce_expiry ON nonce(expires_at);

                    -- The highest revision of each bucket a hub sent, with its exact counts.
                    CREATE TABLE bucket (
                        hub_id TEXT NOT NULL REFERENCES hub(id),
                        day INTEGER NOT NULL,               -- days since 1970-01-01 in the hub's calendar
                        hour INTEGER NOT NULL,              -- 0-23; -1 for a day bucket
                        revision INTEGER NOT NULL,          -- revision - 2^63 (see storedRevision)
                        visits INTEGER NOT NULL,
                        slips_printed INTEGER NOT NULL,
                        slips_not_printed INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        PRIMARY KEY (hub_id, day, hour)
                    );
                    CREATE INDEX bucket_day ON bucket(day);

                    -- Visits per need of each bucket, every code kept (the partnership's and unknown ones).
                    CREATE TABLE bucket_need (
                        hub_id TEXT NOT NULL,
                        day INTEGER NOT NULL,
                        hour INTEGER NOT NULL,
                        need TEXT NOT NULL,
                        visits INTEGER NOT NULL,
                        PRIMARY KEY (hub_id, day, hour, need),
                        FOREIGN KEY (hub_id, day, hour) REFERENCES bucket(hub_id, day, hour) ON DELETE CASCADE
                    );

                    -- Every need code each hub has sent, so unknown codes can be reported.
                    CREATE TABLE hub_need (
                        hub_id TEXT NOT NULL REFERENCES hub(id),
                        need TEXT NOT NULL,
                        first_seen_at INTEGER NOT NULL,
                        PRIMARY KEY (hub_id, need)
                    );
                    """)
        }
        migrator.registerMigration("v2: nothing finer than a bucket") { db in
            // A bucket's last update (to the second, every sync) and a need's first sighting (to the second) could
            // place a visit within minutes; a bucket keeps only its counts, a need the date it was first seen.
            try db.execute(
                sql: """
                    ALTER TABLE bucket DROP COLUMN updated_at;
                    ALTER TABLE hub_need ADD COLUMN first_seen_day INTEGER NOT NULL DEFAULT 0;
                    UPDATE hub_need SET first_seen_day = first_seen_at / 86400;
                    ALTER TABLE hub_need DROP COLUMN first_seen_at;
                    """)
        }
        migrator.registerMigration("v3: users of the pages, setup codes, audit log") { db in
            try db.execute(
                sql: """
                    -- People who sign in to the pages. Only a bcrypt hash of a password, never the password.
                    CREATE TABLE web_user (
                        name_key TEXT PRIMARY KEY NOT NULL,     -- the name in lower case: names match without case
                        name TEXT NOT NULL,
                        role TEXT NOT NULL CHECK (role IN ('coordinator', 'viewer')),
                        password_hash TEXT,                     -- NULL until a setup code was used
                        created_at INTEGER NOT NULL
                    );

                    -- One-time setup codes from `hubreport user add`, as SHA-256 of the normalised code.
                    CREATE TABLE setup_code (
                        code_sha256 BLOB PRIMARY KEY NOT NULL,
                        name_key TEXT NOT NULL REFERENCES web_user(name_key),
                        role TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL,
                        used_at INTEGER,
                        withdrawn_at INTEGER                    -- replaced by a newer code for the same user
                    );
                    CREATE INDEX setup_code_user ON setup_code(name_key);

                    -- Who did what: sign-ins, exact exports, enrolments.
                    CREATE TABLE audit_log (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        at INTEGER NOT NULL,
                        user_name TEXT NOT NULL,
                        action TEXT NOT NULL
                    );
                    """)
        }
        return migrator
    }
}
