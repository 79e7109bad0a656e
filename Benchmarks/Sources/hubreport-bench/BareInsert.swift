import Foundation
import GRDBSQLite
import HubReportAPI
import KioskCore

/// The floor of an ingest: the same rows written straight into the same engine's tables, in one transaction.
enum BareInsert {
    /// Stored revisions are the revision with its top bit flipped (hubreport's `StoredRevision`).
    static func stored(_ revision: UInt64) -> Int64 { Int64(bitPattern: revision ^ (1 << 63)) }

    /// SQLite: prepared `INSERT`s through the C API in one `BEGIN IMMEDIATE … COMMIT`, with the service's pragmas
    /// (WAL, `synchronous = FULL`, foreign keys on). The file already has the schema and the hubs.
    static func sqlite(path: String, workload: Workload) throws -> Duration {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK else {
            throw BenchError("cannot open \(path)")
        }
        defer { sqlite3_close(db) }
        func exec(_ sql: String) throws {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
                throw BenchError("\(sql): \(String(cString: sqlite3_errmsg(db)))")
            }
        }
        func prepare(_ sql: String) throws -> OpaquePointer? {
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
                throw BenchError("\(sql): \(String(cString: sqlite3_errmsg(db)))")
            }
            return statement
        }
        try exec("PRAGMA journal_mode = WAL")
        try exec("PRAGMA synchronous = FULL")
        try exec("PRAGMA foreign_keys = ON")
        let bucket = try prepare(
            """
            INSERT INTO bucket (hub_id, day, hour, revision, visits, slips_printed, slips_not_printed)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        let need = try prepare("INSERT INTO bucket_need (hub_id, day, hour, need, visits) VALUES (?, ?, ?, ?, ?)")
        defer {
            sqlite3_finalize(bucket)
            sqlite3_finalize(need)
        }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        var elapsed = Duration.zero
        let clock = ContinuousClock()
        let start = clock.now
        try exec("BEGIN IMMEDIATE")
        for hub in 0..<workload.hubs {
            // Generating the rows is not the engine's work: it is left out of the time.
            let generated = clock.now
            let buckets = workload.buckets(hub: hub)
            elapsed -= clock.now - generated
            let id = workload.hubID(hub)
            for row in buckets {
                let day = Int64(row.key.date.daysSinceEpoch)
                let hour = Int64(row.key.hour ?? -1)
                sqlite3_bind_text(bucket, 1, id, -1, transient)
                sqlite3_bind_int64(bucket, 2, day)
                sqlite3_bind_int64(bucket, 3, hour)
                sqlite3_bind_int64(bucket, 4, stored(row.revision))
                sqlite3_bind_int64(bucket, 5, Int64(row.counts.visits))
                sqlite3_bind_int64(bucket, 6, Int64(row.counts.slipsPrinted))
                sqlite3_bind_int64(bucket, 7, Int64(row.counts.slipsNotPrinted))
                guard sqlite3_step(bucket) == SQLITE_DONE else { throw BenchError("insert bucket failed") }
                sqlite3_reset(bucket)
                for (code, visits) in row.counts.visitsByNeed {
                    sqlite3_bind_text(need, 1, id, -1, transient)
                    sqlite3_bind_int64(need, 2, day)
                    sqlite3_bind_int64(need, 3, hour)
                    sqlite3_bind_text(need, 4, code.rawValue, -1, transient)
                    sqlite3_bind_int64(need, 5, Int64(visits))
                    guard sqlite3_step(need) == SQLITE_DONE else { throw BenchError("insert need failed") }
                    sqlite3_reset(need)
                }
            }
        }
        try exec("COMMIT")
        elapsed += clock.now - start
        return elapsed
    }

    /// PostgreSQL: `psql` loading both tables with `COPY … FROM STDIN` in one transaction. The file of rows is written
    /// first; the time is the whole `psql` command. The schema already has its tables and the hubs.
    static func postgres(
        psql: [String], schema: String, workload: Workload, directory: String
    ) throws -> (Duration, peakKilobytes: Int) {
        let file = directory + "/bare-copy.sql"
        _ = FileManager.default.createFile(atPath: file, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: file) else { throw BenchError("cannot write \(file)") }
        var needs = ""
        handle.write(
            Data(
                """
                BEGIN;
                COPY \(schema).bucket (hub_id, day, hour, revision, visits, slips_printed, slips_not_printed) FROM STDIN;

                """.utf8))
        for hub in 0..<workload.hubs {
            let id = workload.hubID(hub)
            var text = ""
            for row in workload.buckets(hub: hub) {
                let day = row.key.date.daysSinceEpoch
                let hour = row.key.hour ?? -1
                let counts = row.counts
                text +=
                    "\(id)\t\(day)\t\(hour)\t\(stored(row.revision))\t\(counts.visits)\t\(counts.slipsPrinted)\t\(counts.slipsNotPrinted)\n"
                for (code, visits) in counts.visitsByNeed {
                    needs += "\(id)\t\(day)\t\(hour)\t\(code.rawValue)\t\(visits)\n"
                }
            }
            handle.write(Data(text.utf8))
        }
        handle.write(Data("\\.\nCOPY \(schema).bucket_need (hub_id, day, hour, need, visits) FROM STDIN;\n".utf8))
        handle.write(Data(needs.utf8))
        handle.write(Data("\\.\nCOMMIT;\n".utf8))
        try handle.close()
        let run = try CommandRun.run(
            psql[0], Array(psql.dropFirst()) + ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", file],
            outputFile: directory + "/bare-copy.out")
        try? FileManager.default.removeItem(atPath: file)
        return (.milliseconds(run.milliseconds), run.peakKilobytes)
    }
}
