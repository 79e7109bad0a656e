import GRDB

extension KioskDatabase {
    /// Append-only: never edit a migration that has shipped; add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: visits, presses, needs, slips") { db in
            try db.execute(
                sql: """
                    -- A visit starts at the first press after the kiosk was idle.
                    CREATE TABLE visit (
                        id TEXT PRIMARY KEY NOT NULL,          -- random UUIDv4
                        started_at REAL NOT NULL,              -- wall clock, Unix seconds
                        started_mono INTEGER NOT NULL,         -- nanoseconds since boot
                        boot_id TEXT NOT NULL,
                        clock_synced INTEGER NOT NULL,         -- 1 if the wall clock was synchronised
                        time_approximate INTEGER NOT NULL DEFAULT 0,
                        local_day INTEGER NOT NULL,            -- days since 1970-01-01 in the hub's time zone
                        local_hour INTEGER NOT NULL,
                        ended_at REAL,                         -- wall time of its last press, once it ended
                        counted INTEGER NOT NULL DEFAULT 0     -- 1 if a press in it broke no rule
                    ) WITHOUT ROWID;
                    CREATE INDEX visit_counted_day ON visit(counted, local_day);

                    -- Every press is stored; presses that break the rules are flagged and counted nowhere.
                    CREATE TABLE press (
                        id TEXT PRIMARY KEY NOT NULL,          -- random UUIDv4
                        button TEXT NOT NULL,
                        need TEXT,                             -- NULL for the check-in button
                        pressed_at REAL NOT NULL,              -- wall clock, Unix seconds
                        mono_ns INTEGER NOT NULL,              -- nanoseconds since boot
                        boot_id TEXT NOT NULL,
                        clock_synced INTEGER NOT NULL,
                        time_approximate INTEGER NOT NULL DEFAULT 0,
                        flags INTEGER NOT NULL,                -- 1 duplicate, 2 repeat, 4 burst, 8 stuck
                        visit_id TEXT NOT NULL REFERENCES visit(id),
                        local_day INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX press_visit ON press(visit_id);
                    CREATE INDEX press_day ON press(local_day);

                    -- The needs a counted visit recorded, once each, with the press that counted it.
                    CREATE TABLE visit_need (
                        visit_id TEXT NOT NULL REFERENCES visit(id),
                        need TEXT NOT NULL,
                        press_id TEXT NOT NULL REFERENCES press(id),
                        local_day INTEGER NOT NULL,            -- copied from the visit for fast tallies
                        PRIMARY KEY (visit_id, need)
                    ) WITHOUT ROWID;
                    CREATE INDEX visit_need_day ON visit_need(local_day, need);

                    -- Slips asked for, and whether they printed.
                    CREATE TABLE slip (
                        id TEXT PRIMARY KEY NOT NULL,
                        origin TEXT NOT NULL,                  -- kiosk | staff
                        needs TEXT NOT NULL,                   -- need codes, comma-separated
                        press_id TEXT,
                        requested_at REAL NOT NULL,
                        local_day INTEGER NOT NULL,
                        status TEXT NOT NULL DEFAULT 'pending', -- pending | printed | not_printed
                        reason TEXT,
                        finished_at REAL
                    ) WITHOUT ROWID;
                    CREATE INDEX slip_day ON slip(local_day);
                    """)
        }
        migrator.registerMigration("v2: clock correction") { db in
            try db.execute(
                sql: """
                    -- Presses made before the clock was synchronised get their wall time recomputed from the monotonic
                    -- clock when it syncs in the same boot (time_corrected = 1); from a boot that never synced they
                    -- are kept and marked time_approximate = 1.
                    ALTER TABLE press ADD COLUMN time_corrected INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE visit ADD COLUMN time_corrected INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE slip ADD COLUMN boot_id TEXT;
                    ALTER TABLE slip ADD COLUMN requested_mono INTEGER;
                    ALTER TABLE slip ADD COLUMN clock_synced INTEGER NOT NULL DEFAULT 1;
                    ALTER TABLE slip ADD COLUMN time_corrected INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX press_unsynchronized ON press(boot_id) WHERE clock_synced = 0 AND time_corrected = 0;
                    CREATE INDEX visit_unsynchronized ON visit(boot_id) WHERE clock_synced = 0 AND time_corrected = 0;
                    """)
        }
        migrator.registerMigration("v3: kiosk state (how it last shut down) and staff alerts that outlive a restart") {
            db in
            try db.execute(
                sql: """
                    -- key 'shutdown': 'running' while a daemon has the file open, 'clean' once it closed it after its
                    -- last write, 'damaged' when a check found damage (the next start checks and salvages).
                    CREATE TABLE kiosk_state (
                        key TEXT PRIMARY KEY NOT NULL,
                        value TEXT NOT NULL
                    ) WITHOUT ROWID;
                    -- Alerts that stay until staff acknowledge them, across restarts (a damaged database replaced).
                    CREATE TABLE staff_alert (
                        key TEXT PRIMARY KEY NOT NULL,
                        message TEXT NOT NULL,
                        raised_at REAL NOT NULL                -- wall clock, Unix seconds
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v4: ids and boot ids as 16-byte blobs instead of 36-character text") { db in
            // Every row is copied into tables of the same columns and keys, converting each id with
            // hubkiosk_key (a UUID's text to its 16 bytes; any other text is kept), then the old tables are dropped.
            db.add(function: KioskDatabase.storedKeyFunction)
            try db.execute(
                sql: """
                    CREATE TABLE visit_v4 (
                        id BLOB PRIMARY KEY NOT NULL,          -- random UUIDv4, 16 bytes
                        started_at REAL NOT NULL,              -- wall clock, Unix seconds
                        started_mono INTEGER NOT NULL,         -- nanoseconds since boot
                        boot_id BLOB NOT NULL,                 -- 16 bytes (text if not a UUID)
                        clock_synced INTEGER NOT NULL,         -- 1 if the wall clock was synchronised
                        time_approximate INTEGER NOT NULL DEFAULT 0,
                        local_day INTEGER NOT NULL,            -- days since 1970-01-01 in the hub's time zone
                        local_hour INTEGER NOT NULL,
                        ended_at REAL,                         -- wall time of its last press, once it ended
                        counted INTEGER NOT NULL DEFAULT 0,    -- 1 if a press in it broke no rule
                        time_corrected INTEGER NOT NULL DEFAULT 0
                    ) WITHOUT ROWID;
                    INSERT INTO visit_v4
                        SELECT hubkiosk_key(id), started_at, started_mono, hubkiosk_key(boot_id), clock_synced,
                               time_approximate, local_day, local_hour, ended_at, counted, time_corrected
                        FROM visit;

                    CREATE TABLE press_v4 (
                        id BLOB PRIMARY KEY NOT NULL,          -- random UUIDv4, 16 bytes
                        button TEXT NOT NULL,
                        need TEXT,                             -- NULL for the check-in button
                        pressed_at REAL NOT NULL,              -- wall clock, Unix seconds
                        mono_ns INTEGER NOT NULL,              -- nanoseconds since boot
                        boot_id BLOB NOT NULL,
                        clock_synced INTEGER NOT NULL,
                        time_approximate INTEGER NOT NULL DEFAULT 0,
                        flags INTEGER NOT NULL,                -- 1 duplicate, 2 repeat, 4 burst, 8 stuck
                        visit_id BLOB NOT NULL REFERENCES visit(id),
                        local_day INTEGER NOT NULL,
                        time_corrected INTEGER NOT NULL DEFAULT 0
                    ) WITHOUT ROWID;
                    INSERT INTO press_v4
                        SELECT hubkiosk_key(id), button, need, pressed_at, mono_ns, hubkiosk_key(boot_id),
                               clock_synced, time_approximate, flags, hubkiosk_key(visit_id), local_day,
                               time_corrected
                        FROM press;

                    CREATE TABLE visit_need_v4 (
                        visit_id BLOB NOT NULL REFERENCES visit(id),
                        need TEXT NOT NULL,
                        press_id BLOB NOT NULL REFERENCES press(id),
                        local_day INTEGER NOT NULL,            -- copied from the visit for fast tallies
                        PRIMARY KEY (visit_id, need)
                    ) WITHOUT ROWID;
                    INSERT INTO visit_need_v4
                        SELECT hubkiosk_key(visit_id), need, hubkiosk_key(press_id), local_day FROM visit_need;

                    CREATE TABLE slip_v4 (
                        id BLOB PRIMARY KEY NOT NULL,
                        origin TEXT NOT NULL,                  -- kiosk | staff
                        needs TEXT NOT NULL,                   -- need codes, comma-separated
                        press_id BLOB,
                        requested_at REAL NOT NULL,
                        local_day INTEGER NOT NULL,
                        status TEXT NOT NULL DEFAULT 'pending', -- pending | printed | not_printed
                        reason TEXT,
                        finished_at REAL,
                        boot_id BLOB,
                        requested_mono INTEGER,
                        clock_synced INTEGER NOT NULL DEFAULT 1,
                        time_corrected INTEGER NOT NULL DEFAULT 0
                    ) WITHOUT ROWID;
                    INSERT INTO slip_v4
                        SELECT hubkiosk_key(id), origin, needs, hubkiosk_key(press_id), requested_at, local_day,
                               status, reason, finished_at, hubkiosk_key(boot_id), requested_mono, clock_synced,
                               time_corrected
                        FROM slip;

                    DROP TABLE visit_need;
                    DROP TABLE slip;
                    DROP TABLE press;
                    DROP TABLE visit;
                    ALTER TABLE visit_v4 RENAME TO visit;
                    ALTER TABLE press_v4 RENAME TO press;
                    ALTER TABLE visit_need_v4 RENAME TO visit_need;
                    ALTER TABLE slip_v4 RENAME TO slip;

                    CREATE INDEX visit_counted_day ON visit(counted, local_day);
                    CREATE INDEX visit_unsynchronized ON visit(boot_id) WHERE clock_synced = 0 AND time_corrected = 0;
                    CREATE INDEX press_visit ON press(visit_id);
                    CREATE INDEX press_day ON press(local_day);
                    CREATE INDEX press_unsynchronized ON press(boot_id) WHERE clock_synced = 0 AND time_corrected = 0;
                    CREATE INDEX visit_need_day ON visit_need(local_day, need);
                    CREATE INDEX slip_day ON slip(local_day);
                    """)
        }
        migrator.registerMigration("v5: tally ledger per local day and hour, kept after raw rows are purged") { db in
            // visit_need and slip get the local hour of their bucket. A need is counted in its visit's hour (as
            // it is in its visit's day), so visit_need copies the visit's local_hour. A slip is counted in the hour
            // it was asked for; the hub's time zone is not known here, so its hour is worked out from a visit's
            // stored local day and hour and its UTC time (``fillMissingHours(_:)``: the UTC offset, to the whole
            // hour, of the visit of the slip's press, else of the visit nearest in time): exact in every zone whose
            // offset is a whole number of hours, within the day in any. New slips store the hour computed from the
            // time zone when they are written. slip.time_approximate marks, as for visits and presses, slips of a
            // boot whose clock never synchronised.
            try db.execute(
                sql: """
                    ALTER TABLE visit_need ADD COLUMN local_hour INTEGER;
                    UPDATE visit_need SET local_hour = (SELECT v.local_hour FROM visit v WHERE v.id = visit_need.visit_id);
                    ALTER TABLE slip ADD COLUMN local_hour INTEGER;
                    ALTER TABLE slip ADD COLUMN time_approximate INTEGER NOT NULL DEFAULT 0;
                    UPDATE slip SET time_approximate = 1
                    WHERE clock_synced = 0 AND time_corrected = 0
                      AND boot_id IN (SELECT boot_id FROM visit WHERE time_approximate = 1);
                    """)
            try KioskDatabase.fillMissingHours(db)
            try db.execute(sql: KioskDatabase.ledgerSchemaSQL)
            // The ledger starts from the rows there are, every bucket at revision 1.
            try db.execute(
                sql: """
                    INSERT INTO ledger_hour (local_day, local_hour, visits, slips_printed, slips_not_printed, revision)
                    SELECT local_day, local_hour, SUM(visits), SUM(printed), SUM(not_printed), 1 FROM (
                        SELECT local_day, local_hour, COUNT(*) AS visits, 0 AS printed, 0 AS not_printed
                        FROM visit WHERE counted = 1 GROUP BY local_day, local_hour
                        UNION ALL
                        SELECT local_day, local_hour, 0, SUM(status = 'printed'), SUM(status = 'not_printed')
                        FROM slip WHERE local_hour IS NOT NULL GROUP BY local_day, local_hour
                        UNION ALL
                        SELECT local_day, local_hour, 0, 0, 0
                        FROM visit_need WHERE local_hour IS NOT NULL GROUP BY local_day, local_hour
                    ) GROUP BY local_day, local_hour;
                    INSERT INTO ledger_need (local_day, local_hour, need, visits)
                    SELECT local_day, local_hour, need, COUNT(*) FROM visit_need WHERE local_hour IS NOT NULL
                    GROUP BY local_day, local_hour, need;
                    """)
            try db.execute(sql: KioskDatabase.ledgerTriggerSQL)
        }
        // Salvaged rows may lack their parents (a press whose visit was on a damaged page): they are kept, so a
        // migration does not refuse a salvaged file.
        return migrator.disablingDeferredForeignKeyChecks()
    }
}
