import ArgumentParser
import Foundation
import GRDBSQLite
import KioskControl
import KioskCore
import KioskStore

import struct KioskTestSupport.SplitMix64

/// Start-up with a big database (five years of a busy hub: a million presses) and where its bytes go.
///
/// Start-up: the database step of the old start-up (open and `PRAGMA quick_check` over the whole file) beside the
/// new one (`openRecovering`, whose check runs in the background once the kiosk serves), both beside a bare SQLite
/// open with no check; then the real daemon's ready time with that database beside an empty one. Bytes: the file
/// per press, and per table and index from SQLite's `dbstat`.
struct StorageBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage", abstract: "Start-up with a 1,000,000-press database; bytes per press by table.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Presses in the database.")
    var presses = 1_000_000

    @Option(help: "Runs of each measurement (the median is reported).")
    var runs = 5

    @Option(help: "The daemon to time to ready.")
    var daemon = ".build/release/hubkioskd"

    @Flag(help: "Keep the generated database (its path is printed).")
    var keep = false

    func run() async throws {
        let directory = URL(fileURLWithPath: common.dir).appendingPathComponent("storage-\(getpid())")
            .standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: directory) } }
        let state = directory + "/big"
        let empty = directory + "/empty"
        for folder in [state, empty] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let path = state + "/hubkiosk.sqlite"
        let generated = try StorageFill.fill(path: path, presses: presses)
        print(
            "Generated \(generated.presses) presses, \(generated.visits) visits, \(generated.slips) slips in "
                + "\(f(generated.seconds, 1)) s")
        // Bytes per press: the same rows in the layout before v4 (text ids), then as stored now.
        let legacy = directory + "/legacy.sqlite"
        try LegacyLayout.write(from: path, to: legacy)
        print("\nBefore (layout up to v3: ids and boot ids as 36-character text), the same rows:")
        try StorageFill.report(path: legacy, presses: generated.presses)
        print("\nAfter (v4: ids and boot ids as 16 bytes):")
        try StorageFill.report(path: path, presses: generated.presses)
        // The one-time migration of that file, and that it keeps every count.
        let reference = try KioskDatabase.openReadOnly(path: legacy)
        let (totalsBefore, tallyBefore) = (
            try reference.totals(), try reference.tallyReport(hubID: "h", needs: [], grouping: .month)
        )
        try reference.close()
        let migrationStart = ContinuousClock.now
        let migrated = try KioskDatabase(path: legacy)
        let migration = ContinuousClock.now - migrationStart
        let same =
            try migrated.totals() == totalsBefore
            && migrated.tallyReport(hubID: "h", needs: [], grouping: .month) == tallyBefore
        try migrated.close()
        print(
            "\nMigration v3 -> v4 of \(generated.presses) presses: \(f(migration.milliseconds / 1000, 1)) s, counts \(same ? "identical" : "DIFFERENT")"
        )
        unlink(legacy)

        // The database step of start-up, in this process, the file cached (each run after one warm-up).
        var bare: [Double] = []
        var before: [Double] = []
        var after: [Double] = []
        var background: [Double] = []
        let clock = ContinuousClock()
        for run in 0...runs {
            var start = clock.now
            try StorageFill.bareOpen(path: path)
            let bareTime = (clock.now - start).milliseconds

            start = clock.now
            let old = try KioskDatabase(path: path)
            _ = try old.quickCheck()
            try old.close()
            let beforeTime = (clock.now - start).milliseconds

            start = clock.now
            let (database, _) = try KioskDatabase.openRecovering(path: path)
            let afterTime = (clock.now - start).milliseconds
            start = clock.now
            _ = try await database.backgroundCheck()
            let backgroundTime = (clock.now - start).milliseconds
            try await database.markCleanShutdown()
            try database.close()
            if run == 0 { continue }
            bare.append(bareTime)
            before.append(beforeTime)
            after.append(afterTime)
            background.append(backgroundTime)
        }
        print("\nThe database step of start-up, \(generated.presses) presses, file cached, \(runs) runs each")
        print(Summary.header)
        print(Summary(milliseconds: bare).row("reference: bare SQLite open, no check"))
        print(Summary(milliseconds: before).row("before: open + PRAGMA quick_check (every start)"))
        print(Summary(milliseconds: after).row("after: openRecovering (check in the background)"))
        print(Summary(milliseconds: background).row("(the background check, while the kiosk serves)"))

        // The real daemon: until its control socket answers, with the big database and with none.
        if FileManager.default.isExecutableFile(atPath: daemon) {
            var big: [Double] = []
            var none: [Double] = []
            for run in 0...runs {
                let bigTime = try await readyTime(state: state)
                try? FileManager.default.removeItem(atPath: empty)
                try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
                let noneTime = try await readyTime(state: empty)
                if run == 0 { continue }
                big.append(bigTime)
                none.append(noneTime)
            }
            print("\nhubkioskd until its control socket answers, \(runs) runs each")
            print(Summary.header)
            print(Summary(milliseconds: none).row("reference: a new, empty database"))
            print(Summary(milliseconds: big).row("after: \(generated.presses) presses"))
            print(
                "ready-time ratio (big / empty): \(f(Summary(milliseconds: big).p50 / Summary(milliseconds: none).p50, 2))×"
            )
        } else {
            print("\n(\(daemon) not built: no daemon ready times)")
        }
        if keep { print("database kept: \(path)") }
    }

    /// Starts the daemon on `state`, waits until it answers, stops it with SIGTERM; returns the milliseconds to ready.
    private func readyTime(state: String) async throws -> Double {
        let config = URL(fileURLWithPath: common.config).standardizedFileURL.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: daemon)
        process.arguments = ["--config", config, "--state-dir", state, "--log-level", "error"]
        process.environment = ["RUNTIME_DIRECTORY": state + "/run"]
        let socket = state + "/hubkioskd.sock"
        let clock = ContinuousClock()
        let started = clock.now
        try process.run()
        while (try? await ControlClient(socketPath: socket, timeout: .seconds(1)).request("GET", "/info")) == nil {
            guard clock.now - started < .seconds(60), process.isRunning else {
                process.terminate()
                throw BenchError("the daemon did not start")
            }
            usleep(2_000)
        }
        let ready = (clock.now - started).milliseconds
        process.terminate()
        process.waitUntilExit()
        return ready
    }
}

/// The benchmark's database: visits of one to three needs, a slip for each need, now and then a flagged press.
enum StorageFill {
    static func fill(
        path: String, presses target: Int
    ) throws -> (presses: Int, visits: Int, slips: Int, seconds: Double) {
        let started = Date()
        let database = try KioskDatabase(path: path)
        let zone = HubTimeZone.london
        var random = SplitMix64(seed: 5)
        let needs: [NeedCode] = ["money", "food", "housing", "wellbeing", "social", "caring", "work", "talk"]
        let boot = UUID().uuidString.lowercased()
        var presses = 0
        var visits = 0
        var slips = 0
        var batch: [KioskRecord] = []
        var mono = MonotonicInstant(nanoseconds: 1_000_000_000)
        var date = Date(timeIntervalSince1970: 1_640_995_200)  // 2022-01-01: five years up to now
        while presses < target {
            date += 150
            mono = mono + .seconds(150)
            let wall = WallClockReading(date: date, synchronized: true)
            let local = zone.local(of: date)
            let visit = UUID()
            visits += 1
            batch.append(
                .visitStarted(
                    VisitEntry(
                        id: visit, startedAt: wall, startedMonotonic: mono, bootID: boot, localDay: local.date,
                        localHour: local.time.hour)))
            var chosen: [NeedCode] = []
            let count = Int(random.next() % 3) + 1
            while chosen.count < count {
                let need = needs[Int(random.next() % UInt64(needs.count))]
                if !chosen.contains(need) { chosen.append(need) }
            }
            for (i, need) in chosen.enumerated() {
                let press = UUID()
                batch.append(
                    .press(
                        PressEntry(
                            id: press, button: ButtonID(need.rawValue), need: need, at: wall, monotonic: mono,
                            bootID: boot, flags: [], visitID: visit, countsVisit: i == 0, countsNeed: true)))
                let job = SlipJob(
                    id: UUID(), needs: [need], origin: .kiosk, pressID: press, requestedAt: mono, requestedWall: wall,
                    bootID: boot)
                batch.append(.slipRequested(job))
                batch.append(.slipFinished(id: job.id, result: .printed, at: wall))
                presses += 1
                slips += 1
            }
            if random.next() % 10 == 0 {
                batch.append(
                    .press(
                        PressEntry(
                            id: UUID(), button: "food", need: "food", at: wall, monotonic: mono, bootID: boot,
                            flags: [.burst], visitID: visit, countsVisit: false, countsNeed: false)))
                presses += 1
            }
            batch.append(.visitEnded(id: visit, lastPressAt: wall))
            if batch.count > 20_000 {
                try database.commitSync(batch, timeZone: zone)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try database.commitSync(batch, timeZone: zone)
        try database.close()
        return (presses, visits, slips, Date().timeIntervalSince(started))
    }

    /// Opens the file with the plain sqlite3 C API and reads its schema, as any open must: no check.
    static func bareOpen(path: String) throws {
        var db: OpaquePointer?
        defer { sqlite3_close(db) }
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK,
            sqlite3_exec(db, "PRAGMA journal_mode = WAL; SELECT count(*) FROM sqlite_master", nil, nil, nil)
                == SQLITE_OK
        else { throw BenchError("cannot open \(path)") }
    }

    /// Prints the file's bytes per press, and each table's and index's (SQLite's dbstat).
    static func report(path: String, presses: Int) throws {
        let database = try KioskDatabase.openReadOnly(path: path)
        let space = try database.spaceByTable()
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print(
            "\nDatabase file: \(f(Double(size) / 1_048_576, 1)) MB, \(f(Double(size) / Double(presses), 1)) bytes per press"
        )
        print("| table or index | MB | bytes per press | of which payload |\n|---|---:|---:|---:|")
        for entry in space where entry.bytes > 8192 {
            print(
                "| \(entry.name) | \(f(Double(entry.bytes) / 1_048_576, 1)) | \(f(Double(entry.bytes) / Double(presses), 1)) "
                    + "| \(f(Double(entry.payload) / Double(presses), 1)) |")
        }
    }
}

/// The same rows in the layout before migration v4 (ids as 36-character text), for bytes per press before and
/// after from one run, and for timing the migration.
enum LegacyLayout {
    /// `expression` (a stored id) as the text HubKiosk up to v3 stored.
    static func text(_ column: String) -> String {
        let hex = "hex(\(column))"
        let uuid =
            "lower(substr(\(hex),1,8)||'-'||substr(\(hex),9,4)||'-'||substr(\(hex),13,4)||'-'||substr(\(hex),17,4)"
            + "||'-'||substr(\(hex),21))"
        return "CASE WHEN typeof(\(column)) = 'blob' AND length(\(column)) = 16 THEN \(uuid) ELSE \(column) END"
    }

    /// Copies the database at `path` to `copy` in the v3 layout (and marks v4 as not applied there).
    static func write(from path: String, to copy: String) throws {
        unlink(copy)
        var db: OpaquePointer?
        defer { sqlite3_close(db) }
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK else {
            throw BenchError("cannot open \(path)")
        }
        func exec(_ sql: String) throws {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
                throw BenchError("\(String(cString: sqlite3_errmsg(db)))")
            }
        }
        try exec("VACUUM INTO '\(copy)'")
        sqlite3_close(db)
        db = nil
        guard sqlite3_open_v2(copy, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK else {
            throw BenchError("cannot open \(copy)")
        }
        try exec(
            """
            BEGIN;
            CREATE TABLE visit_old (
                id TEXT PRIMARY KEY NOT NULL, started_at REAL NOT NULL, started_mono INTEGER NOT NULL,
                boot_id TEXT NOT NULL, clock_synced INTEGER NOT NULL, time_approximate INTEGER NOT NULL DEFAULT 0,
                local_day INTEGER NOT NULL, local_hour INTEGER NOT NULL, ended_at REAL,
                counted INTEGER NOT NULL DEFAULT 0, time_corrected INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
            INSERT INTO visit_old SELECT \(text("id")), started_at, started_mono, \(text("boot_id")), clock_synced,
                time_approximate, local_day, local_hour, ended_at, counted, time_corrected FROM visit;
            CREATE TABLE press_old (
                id TEXT PRIMARY KEY NOT NULL, button TEXT NOT NULL, need TEXT, pressed_at REAL NOT NULL,
                mono_ns INTEGER NOT NULL, boot_id TEXT NOT NULL, clock_synced INTEGER NOT NULL,
                time_approximate INTEGER NOT NULL DEFAULT 0, flags INTEGER NOT NULL,
                visit_id TEXT NOT NULL REFERENCES visit(id), local_day INTEGER NOT NULL,
                time_corrected INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
            INSERT INTO press_old SELECT \(text("id")), button, need, pressed_at, mono_ns, \(text("boot_id")),
                clock_synced, time_approximate, flags, \(text("visit_id")), local_day, time_corrected FROM press;
            CREATE TABLE visit_need_old (
                visit_id TEXT NOT NULL REFERENCES visit(id), need TEXT NOT NULL,
                press_id TEXT NOT NULL REFERENCES press(id), local_day INTEGER NOT NULL,
                PRIMARY KEY (visit_id, need)) WITHOUT ROWID;
            INSERT INTO visit_need_old SELECT \(text("visit_id")), need, \(text("press_id")), local_day FROM visit_need;
            CREATE TABLE slip_old (
                id TEXT PRIMARY KEY NOT NULL, origin TEXT NOT NULL, needs TEXT NOT NULL, press_id TEXT,
                requested_at REAL NOT NULL, local_day INTEGER NOT NULL, status TEXT NOT NULL DEFAULT 'pending',
                reason TEXT, finished_at REAL, boot_id TEXT, requested_mono INTEGER,
                clock_synced INTEGER NOT NULL DEFAULT 1, time_corrected INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
            INSERT INTO slip_old SELECT \(text("id")), origin, needs, \(text("press_id")), requested_at, local_day,
                status, reason, finished_at, \(text("boot_id")), requested_mono, clock_synced, time_corrected FROM slip;
            DROP TABLE visit_need; DROP TABLE slip; DROP TABLE press; DROP TABLE visit;
            ALTER TABLE visit_old RENAME TO visit; ALTER TABLE press_old RENAME TO press;
            ALTER TABLE visit_need_old RENAME TO visit_need; ALTER TABLE slip_old RENAME TO slip;
            CREATE INDEX visit_counted_day ON visit(counted, local_day);
            CREATE INDEX press_visit ON press(visit_id);
            CREATE INDEX press_day ON press(local_day);
            CREATE INDEX visit_need_day ON visit_need(local_day, need);
            CREATE INDEX slip_day ON slip(local_day);
            CREATE INDEX press_unsynchronized ON press(boot_id) WHERE clock_synced = 0 AND time_corrected = 0;
            CREATE INDEX visit_unsynchronized ON visit(boot_id) WHERE clock_synced = 0 AND time_corrected = 0;
            DELETE FROM grdb_migrations WHERE identifier LIKE 'v4:%';
            COMMIT;
            VACUUM;
            """)
    }
}
