import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// What happened to a damaged database at start.
public struct RecoveryReport: Hashable, Sendable, CustomStringConvertible {
    /// Where the damaged file was moved.
    public var movedTo: String
    /// Why it was taken for damaged.
    public var problem: String
    /// Rows copied into the fresh database, by table.
    public var salvaged: [String: Int]

    public var salvagedPresses: Int { salvaged["press"] ?? 0 }

    public var description: String {
        "the database was damaged (\(problem)); it was moved to \(movedTo) and a fresh one started with "
            + "\(salvagedPresses) presses and \(salvaged["visit"] ?? 0) visits salvaged"
    }
}

extension RecoveryReport {
    /// One report for several kept files (their rows all salvaged into the one database); nil for none.
    init?(merging reports: [RecoveryReport]) {
        guard let first = reports.first else { return nil }
        guard reports.count > 1 else {
            self = first
            return
        }
        movedTo = reports.map(\.movedTo).joined(separator: " and ")
        problem = reports.map(\.problem).joined(separator: "; ")
        salvaged = reports.reduce(into: [:]) { total, report in total.merge(report.salvaged, uniquingKeysWith: +) }
    }
}

extension KioskDatabase {
    /// The key of the alert a replaced (or damaged) database raises until staff acknowledge it.
    public static let damageAlertKey = "database"

    /// Opens the database at `path` like ``init(path:busyTimeout:)`` for the kiosk, telling damage from trouble.
    ///
    /// Only damage replaces the file: SQLite saying the file is not a sound database (`SQLITE_CORRUPT`,
    /// `SQLITE_NOTADB`) or a check finding problems. Then a fresh database is built beside it
    /// (`hubkiosk.sqlite.salvaging`), every row that can still be read is copied into it, an alert that stays
    /// until staff acknowledge it is stored in it, and it is synced to the disk; only then is the damaged file
    /// kept under a new name (`.damaged-…`) and the fresh one put in its place (renames, the folder synced), and
    /// the kept file marked as salvaged (`.damaged-….salvaged`). A power cut at any point leaves the old file or
    /// the complete new one: a leftover `.salvaging` file is discarded and the salvage done again, and a kept
    /// damaged file without its marker is salvaged (and alerted) at the next start. Every other failure (a full
    /// disk, permissions, a read-only file system, a lock, SQLite's `-shm` file, memory, I/O) is thrown as it is
    /// and leaves the database and its kept files as they were.
    ///
    /// The whole file is checked (`PRAGMA quick_check`) here only when a check while the kiosk ran found damage
    /// (``ShutdownState/damaged``); otherwise the kiosk checks it in the background once it serves
    /// (``backgroundCheck()``), so start-up does not grow with the database.
    public static func openRecovering(
        path: String, busyTimeout: TimeInterval = 5
    ) throws(StoreError) -> (KioskDatabase, RecoveryReport?) {
        try openRecovering(path: path, busyTimeout: busyTimeout, stop: { _ in })
    }

    /// ``openRecovering(path:busyTimeout:)``, calling `stop` after each step of a replacement: a test throws
    /// there to stop the work as a power cut would (nothing after it runs, nothing is cleaned up).
    static func openRecovering(
        path: String, busyTimeout: TimeInterval, stop: (RecoveryStep) throws(StoreError) -> Void
    ) throws(StoreError) -> (KioskDatabase, RecoveryReport?) {
        let files = RecoveryFiles(path: path)
        try files.discardBuilding()
        // A start that stopped after keeping the damaged file under its new name but before the fresh one was in
        // place: finish moving it aside, and salvage it below.
        for kept in files.unsalvaged where files.isLinked(kept) { try files.finishMovingAside(kept) }
        var reports: [RecoveryReport] = []
        var opened: KioskDatabase?
        if let problem = try openUnlessDamaged(path: path, busyTimeout: busyTimeout, into: &opened) {
            reports.append(try replace(files, problem: problem, busyTimeout: busyTimeout, stop: stop))
        }
        let database: KioskDatabase
        if let opened { database = opened } else { database = try KioskDatabase(path: path, busyTimeout: busyTimeout) }
        // Kept damaged files whose rows never reached the database (a start stopped, or an older daemon moved
        // them first): salvaged now. Rows already there are not copied twice.
        let leftovers = files.unsalvaged.filter { kept in !reports.contains { $0.movedTo == kept } }
        for kept in leftovers {
            reports.append(
                RecoveryReport(
                    movedTo: kept, problem: "kept by an earlier start that did not finish salvaging it",
                    salvaged: database.salvage(from: kept)))
        }
        guard let report = RecoveryReport(merging: reports) else { return (database, nil) }
        if !leftovers.isEmpty {
            do {
                try database.queue.write { db in try KioskDatabase.persistLeftoverAlert(report, db) }
            } catch {
                throw StoreError(error, path: path)
            }
            for kept in leftovers { try files.markSalvaged(kept) }
        }
        return (database, report)
    }

    /// Opens the database at `path` into `opened` and returns nil, or returns what makes it damaged (`opened`
    /// stays nil). There is nothing to open when the file is missing.
    private static func openUnlessDamaged(
        path: String, busyTimeout: TimeInterval, into opened: inout KioskDatabase?
    ) throws(StoreError) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        do {
            let database = try KioskDatabase(path: path, busyTimeout: busyTimeout)
            guard database.lastShutdown == .damaged else {
                opened = database
                return nil
            }
            let problems = try database.quickCheck()
            if problems.isEmpty {
                // Sound after all: later starts need not check first again.
                try database.clearDamageFinding()
                opened = database
                return nil
            }
            try? database.close()
            return problems.prefix(3).joined(separator: "; ")
        } catch {
            guard error.isDamage else { throw error }
            return error.message
        }
    }

    /// Builds the fresh database beside the damaged one at `files.path`, then puts it in its place.
    private static func replace(
        _ files: RecoveryFiles, problem: String, busyTimeout: TimeInterval,
        stop: (RecoveryStep) throws(StoreError) -> Void
    ) throws(StoreError) -> RecoveryReport {
        let path = files.path
        let kept = files.keptName(at: Date())
        let report: RecoveryReport
        do throws(StoreError) {
            let fresh = try KioskDatabase(path: files.building, busyTimeout: busyTimeout)
            report = RecoveryReport(movedTo: kept, problem: problem, salvaged: fresh.salvage(from: path))
            do {
                try fresh.queue.write { db in try KioskDatabase.persistAlert(report, db) }
            } catch {
                try? fresh.close()
                throw StoreError(error, path: files.building)
            }
            // Closing checkpoints the -wal into the file and removes it.
            try fresh.close()
            try files.sync(files.building)
        } catch {
            try? files.discardBuilding()
            throw StoreError(
                code: error.code, path: path,
                message: "the file is damaged (\(problem)) and a fresh one cannot be built beside it: "
                    + "\(error.path): \(error.message); nothing was changed")
        }
        try stop(.built)
        try files.link(to: kept)
        try stop(.linked)
        try files.putInPlace()
        try stop(.replaced)
        try files.markSalvaged(kept)
        return report
    }

    /// Checks the whole file (`PRAGMA quick_check`) on a connection of its own while the kiosk runs: presses
    /// are stored meanwhile. Returns the problems found (empty when sound); cancelling the task interrupts the
    /// check and returns no problems. A failure to read that is not damage (I/O) is thrown.
    public func backgroundCheck() async throws(StoreError) -> [String] {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        config.label = "hubkiosk-check"
        let checker: DatabaseQueue
        do {
            checker = try DatabaseQueue(path: path, configuration: config)
        } catch {
            let failure = StoreError(error, path: path)
            if failure.isDamage { return [failure.message] }
            throw failure
        }
        defer { try? checker.close() }
        do {
            let rows = try await withTaskCancellationHandler {
                try await checker.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
            } onCancel: {
                checker.interrupt()
            }
            return rows == ["ok"] ? [] : rows
        } catch {
            if Task.isCancelled { return [] }
            let failure = StoreError(error, path: path)
            if failure.isDamage { return [failure.message] }
            throw failure
        }
    }

    /// `PRAGMA quick_check`: an empty list when the file is sound.
    public func quickCheck() throws(StoreError) -> [String] {
        let rows = try readSync { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
        return rows == ["ok"] ? [] : rows
    }

    /// Copies every readable row of the kiosk's tables from the database at `damaged`.
    ///
    /// Each table is read in key order from both ends, in chunks that shrink around a damaged page, so that
    /// everything up to it from either side is kept; then the table's indexes are read for the keys of rows that
    /// lie between damaged pages, and those rows are fetched one by one. Only rows on damaged pages are lost.
    func salvage(from damaged: String) -> [String: Int] {
        var config = Configuration()
        config.foreignKeysEnabled = false
        // A file shorter than its header says (truncated) is refused as a whole otherwise; nothing is written to it.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA writable_schema = ON") }
        guard let source = try? DatabaseQueue(path: damaged, configuration: config) else { return [:] }
        defer { try? source.close() }
        let tables: [(name: String, key: [String], indexes: [String])] = [
            ("visit", ["id"], ["visit_counted_day"]),
            ("press", ["id"], ["press_visit", "press_day"]),
            ("visit_need", ["visit_id", "need"], ["visit_need_day"]),
            ("slip", ["id"], ["slip_day"]),
        ]
        var counts: [String: Int] = [:]
        // Salvaged rows may lack their parents (a press whose visit was on a damaged page): keep them anyway.
        try? queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA foreign_keys = OFF") }
        defer { try? queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA foreign_keys = ON") } }
        for table in tables {
            guard let columns = try? queue.read({ db in try db.columns(in: table.name).map(\.name) }),
                let available = try? source.read({ db in try db.columns(in: table.name).map(\.name) })
            else { continue }
            let shared = columns.filter { available.contains($0) }
            guard table.key.allSatisfy(shared.contains) else { continue }
            let salvager = TableSalvager(
                source: source, destination: queue, table: table.name, columns: shared, key: table.key)
            var copied = salvager.copyInKeyOrder(ascending: true) + salvager.copyInKeyOrder(ascending: false)
            for index in table.indexes { copied += salvager.copyByKeys(from: index) }
            counts[table.name] = copied
        }
        // The ledger counted the copied rows as they were inserted (its triggers); rows from a file older than
        // the ledger get their hours first, then the damaged file's revisions and acknowledgements are carried
        // over so that no revision is reused.
        try? queue.write { db in try KioskDatabase.fillMissingHours(db) }
        mergeLedger(from: source)
        return counts
    }
}

/// Copies the readable rows of one table out of a damaged database.
struct TableSalvager {
    let source: DatabaseQueue
    let destination: DatabaseQueue
    let table: String
    let columns: [String]
    let key: [String]

    private var list: String { columns.joined(separator: ", ") }
    private var keyTuple: String { "(" + key.joined(separator: ", ") + ")" }
    private var keyPlaceholders: String { "(" + key.map { _ in "?" }.joined(separator: ", ") + ")" }
    private var keyIndexes: [Int] { key.compactMap { columns.firstIndex(of: $0) } }

    /// The columns that hold ids: a file from before v4 stores them as text, which is converted to the stored form.
    static let idColumns: Set<String> = ["id", "visit_id", "press_id", "boot_id"]

    private func converted(_ values: [DatabaseValue], names: [String]) -> [DatabaseValue] {
        zip(values, names).map { value, name in
            TableSalvager.idColumns.contains(name) ? KioskDatabase.storedKey(value) : value
        }
    }

    /// Inserts rows that are not there yet; returns how many were new.
    private func insert(_ rows: [[DatabaseValue]]) -> Int {
        let sql =
            "INSERT OR IGNORE INTO \(table) (\(list)) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
        return
            (try? destination.write { db -> Int in
                var count = 0
                for values in rows {
                    try db.execute(sql: sql, arguments: StatementArguments(converted(values, names: columns)))
                    count += db.changesCount
                }
                return count
            }) ?? 0
    }

    /// Reads from one end towards the other. A chunk that meets a damaged page is read again in smaller pieces,
    /// down to single rows, so that every row before the damaged page is kept.
    func copyInKeyOrder(ascending: Bool) -> Int {
        let order = ascending ? "ASC" : "DESC"
        let comparison = ascending ? ">" : "<"
        let orderBy = key.map { "\($0) \(order)" }.joined(separator: ", ")
        var after: [DatabaseValue]?
        var size = 1000
        var copied = 0
        while true {
            let chunk: [[DatabaseValue]]
            do {
                chunk = try source.read { db in
                    let condition = after == nil ? "" : "WHERE \(keyTuple) \(comparison) \(keyPlaceholders)"
                    return try Row.fetchAll(
                        db, sql: "SELECT \(list) FROM \(table) \(condition) ORDER BY \(orderBy) LIMIT \(size)",
                        arguments: StatementArguments(after ?? [])
                    ).map { row in columns.map { row[$0] } }
                }
            } catch {
                if size == 1 { break }  // the next row is on a damaged page
                size = max(1, size / 4)
                continue
            }
            guard let last = chunk.last else { break }
            copied += insert(chunk)
            after = keyIndexes.map { last[$0] }
        }
        return copied
    }

    /// Reads the keys an index holds (as far as the index can be read), and fetches each row not copied yet.
    func copyByKeys(from index: String) -> Int {
        var keys: [[DatabaseValue]] = []
        try? source.read { db in
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT \(key.joined(separator: ", ")) FROM \(table) INDEXED BY \(index)")
            while let row = try cursor.next() { keys.append(key.map { row[$0] }) }
        }
        let present: Set<[DatabaseValue]> =
            (try? destination.read { db in
                Set(
                    try Row.fetchAll(db, sql: "SELECT \(key.joined(separator: ", ")) FROM \(table)").map { row in
                        key.map { row[$0] }
                    })
            }) ?? []
        var rows: [[DatabaseValue]] = []
        for value in keys where !present.contains(converted(value, names: key)) {
            let row = try? source.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT \(list) FROM \(table) WHERE \(keyTuple) = \(keyPlaceholders)",
                    arguments: StatementArguments(value))
            }
            if let row = row ?? nil { rows.append(columns.map { row[$0] }) }
        }
        return insert(rows)
    }
}
