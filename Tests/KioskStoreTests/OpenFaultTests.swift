import Foundation
import GRDB
import KioskCore
import KioskTestSupport
import Testing

@testable import KioskStore

#if canImport(Glibc)
    import Glibc
#endif

/// Every way opening the database can fail. Only damage may replace the file; every other condition stops with
/// a message and leaves every file as it was.
@Suite("Opening the database: damage or trouble")
struct OpenFaultTests {
    /// A database with `visits` counted visits, closed cleanly (no -wal or -shm left).
    static func filledDatabase(_ path: String, visits: Int = 200) async throws {
        let database = try KioskDatabase(path: path)
        var f = RecordFactory()
        var records: [KioskRecord] = []
        for _ in 0..<visits {
            let visit = UUID()
            records += [
                f.visit(visit), f.press(UUID(), visit: visit, need: "food", countsVisit: true, countsNeed: true),
            ]
            f.wall += 120
        }
        try database.commitSync(records, timeZone: .london)
        try await database.markCleanShutdown()
        try database.close()
    }

    /// What is in a folder, with each file's bytes.
    static func snapshot(_ folder: String) -> [String: Data] {
        var files: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            let path = (folder as NSString).appendingPathComponent(name)
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
            files[name] = isFolder.boolValue ? Data("folder".utf8) : FileManager.default.contents(atPath: path)
        }
        return files
    }

    /// Opens as the kiosk does and expects a non-damage error, with every file left as it was.
    static func expectTrouble(
        _ path: String, codes: Set<StoreError.Code>, busyTimeout: TimeInterval = 5,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> StoreError? {
        let folder = (path as NSString).deletingLastPathComponent
        let before = snapshot(folder)
        var thrown: StoreError?
        do {
            _ = try KioskDatabase.openRecovering(path: path, busyTimeout: busyTimeout)
            Issue.record("opened", sourceLocation: sourceLocation)
        } catch {
            thrown = error
            #expect(codes.contains(error.code), "\(error)", sourceLocation: sourceLocation)
            #expect(!error.isDamage, sourceLocation: sourceLocation)
            #expect(!error.hint.isEmpty, sourceLocation: sourceLocation)
        }
        // The files that were there are as they were; nothing was moved aside. SQLite may have left an empty
        // -wal or -shm file of its own.
        let after = snapshot(folder)
        for (name, bytes) in before {
            #expect(after[name] == bytes, "\(name) is as it was", sourceLocation: sourceLocation)
        }
        for (name, bytes) in after where before[name] == nil {
            #expect(
                (name.hasSuffix("-wal") || name.hasSuffix("-shm")) && bytes.isEmpty, "\(name) appeared",
                sourceLocation: sourceLocation)
        }
        return thrown
    }

    @Test("Every SQLite result code: only SQLITE_CORRUPT and SQLITE_NOTADB are damage")
    func everyResultCode() {
        // Primary codes 1-28 and every extended code of the I/O, CANTOPEN, BUSY, LOCKED, READONLY families.
        var codes = (1...28).map { ResultCode(rawValue: Int32($0)) }
        for primary: Int32 in [5, 6, 8, 10, 11, 14, 26] {
            for extended: Int32 in 1...40 { codes.append(ResultCode(rawValue: primary | (extended << 8))) }
        }
        for result in codes {
            let error = StoreError(DatabaseError(resultCode: result, message: "m"), path: "/x")
            let damage = result.primaryResultCode == .SQLITE_CORRUPT || result.primaryResultCode == .SQLITE_NOTADB
            #expect(error.isDamage == damage, "\(result.rawValue)")
        }
        for (result, code) in [
            (ResultCode.SQLITE_FULL, StoreError.Code.full), (.SQLITE_IOERR_SHMOPEN, .io), (.SQLITE_IOERR_SHMSIZE, .io),
            (.SQLITE_IOERR_WRITE, .io), (.SQLITE_CANTOPEN, .cannotOpen), (.SQLITE_BUSY, .busy),
            (.SQLITE_LOCKED, .busy), (.SQLITE_READONLY, .readOnly), (.SQLITE_PERM, .readOnly),
            (.SQLITE_NOMEM, .noMemory),
        ] {
            #expect(StoreError(DatabaseError(resultCode: result), path: "/x").code == code, "\(result.rawValue)")
        }
        for code in StoreError.Code.allCases {
            #expect(!StoreError(code: code, path: "/x", message: "m").hint.isEmpty)
        }
    }

    @Test("A folder where the database file should be: a clear error, the folder kept")
    func folderInstead() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("hubkiosk.sqlite")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let error = Self.expectTrouble(path, codes: [.cannotOpen])
        #expect(error?.message.contains("folder") == true)
    }

    @Test(
        "A folder where SQLite's -wal or -shm file should be: not damage, nothing touched",
        arguments: ["-wal", "-shm"])
    func sideFileIsFolder(suffix: String) async throws {
        let dir = TemporaryDirectory()
        let path = dir.file("hubkiosk.sqlite")
        try await Self.filledDatabase(path)
        try FileManager.default.createDirectory(atPath: path + suffix, withIntermediateDirectories: false)
        _ = Self.expectTrouble(path, codes: [.cannotOpen, .io, .readOnly])
    }

    @Test(
        "An exclusive lock held by another process: busy, not damage, nothing touched",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs the sqlite3 tool"))
    func lockedByAnother() async throws {
        let dir = TemporaryDirectory()
        let path = dir.file("hubkiosk.sqlite")
        try await Self.filledDatabase(path)
        // Another process takes an exclusive lock and keeps it until its standard input closes.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        holder.arguments = [path]
        let input = Pipe()
        let output = Pipe()
        holder.standardInput = input
        holder.standardOutput = output
        try holder.run()
        input.fileHandleForWriting.write(
            Data(
                """
                PRAGMA locking_mode = EXCLUSIVE;
                BEGIN EXCLUSIVE;
                UPDATE visit SET local_hour = local_hour;
                SELECT 'locked';

                """.utf8))
        var answer = Data()
        while !String(decoding: answer, as: UTF8.self).contains("locked") {
            let chunk = output.fileHandleForReading.availableData
            try #require(!chunk.isEmpty, "sqlite3 stopped")
            answer += chunk
        }
        _ = Self.expectTrouble(path, codes: [.busy], busyTimeout: 0.05)
        try input.fileHandleForWriting.close()
        holder.waitUntilExit()
        let (database, report) = try KioskDatabase.openRecovering(path: path)
        #expect(report == nil)
        #expect(try database.totals().visits == 200, "every count is there once the lock is gone")
    }

    @Test(
        "A folder the kiosk's user cannot write, and a database it cannot read",
        .enabled(if: getuid() != 0, "root ignores file modes; DatabaseStartupTests runs the daemon as nobody"))
    func permissions() async throws {
        let dir = TemporaryDirectory()
        let state = dir.file("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false)
        let path = (state as NSString).appendingPathComponent("hubkiosk.sqlite")
        try await Self.filledDatabase(path)
        chmod(state, 0o555)
        defer { chmod(state, 0o755) }
        _ = Self.expectTrouble(path, codes: [.readOnly, .cannotOpen])
        chmod(state, 0o755)
        chmod(path, 0o000)
        defer { chmod(path, 0o640) }
        _ = Self.expectTrouble(path, codes: [.readOnly, .cannotOpen])
    }

    @Test("A full disk (the page limit reached) is full, not damage: the file stays sound, every count kept")
    func fullDisk() async throws {
        let dir = TemporaryDirectory()
        let path = dir.file("hubkiosk.sqlite")
        try await Self.filledDatabase(path)
        var stored = 200
        do {
            let database = try KioskDatabase(path: path)
            let pages = try #require(Int(try database.pragma("page_count") ?? ""))
            try database.setMaximumPageCount(pages)
            var f = RecordFactory()
            var failure: StoreError?
            for _ in 0..<500 where failure == nil {
                let visit = UUID()
                do {
                    try database.commitSync(
                        [
                            f.visit(visit),
                            f.press(UUID(), visit: visit, need: "money", countsVisit: true, countsNeed: true),
                        ], timeZone: .london)
                    stored += 1
                } catch {
                    failure = error
                }
                f.wall += 60
            }
            #expect(failure?.code == .full)
            #expect(failure?.isDamage == false)
            #expect(try database.integrityProblems().isEmpty, "a full disk leaves the file sound")
        }
        let (database, report) = try KioskDatabase.openRecovering(path: path)
        #expect(report == nil)
        #expect(try database.totals().visits == stored)
    }

    @Test("A file of garbage is damage: kept aside byte for byte, a fresh database, an alert stored in it")
    func garbage() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("hubkiosk.sqlite")
        var random = SplitMix64(seed: 7)
        let garbage = Data((0..<50_000).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        _ = FileManager.default.createFile(atPath: path, contents: garbage)
        let (database, report) = try KioskDatabase.openRecovering(path: path)
        let moved = try #require(report?.movedTo)
        #expect(FileManager.default.contents(atPath: moved) == garbage, "the old file is kept as it was")
        #expect(try database.integrityProblems().isEmpty)
        let alerts = try database.persistedAlerts()
        #expect(alerts.map(\.key) == [KioskDatabase.damageAlertKey])
        #expect(alerts.first?.message.contains("alerts ack") == true)
    }

    @Test("A truncated database and one with a damaged page: found by the check, salvaged at the next start")
    func truncatedAndDamaged() async throws {
        for damage in ["truncate", "page"] {
            let dir = TemporaryDirectory()
            let path = dir.file("hubkiosk.sqlite")
            try await Self.filledDatabase(path, visits: 3000)
            let ids = try KioskDatabase.openReadOnly(path: path).pressIDs()
            let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            let handle = try #require(FileHandle(forUpdatingAtPath: path))
            if damage == "truncate" {
                try handle.truncate(atOffset: UInt64(size / 2))
            } else {
                try handle.seek(toOffset: UInt64(size / 2 / 4096 * 4096))
                try handle.write(contentsOf: Data(repeating: 0xA5, count: 4096))
            }
            try handle.close()
            // Last stopped cleanly: the open itself does not read every page.
            var (database, report) = try KioskDatabase.openRecovering(path: path)
            if report == nil {
                let problems = try await database.backgroundCheck()
                #expect(!problems.isEmpty, "\(damage): the check finds the damage")
                try await database.markDamaged()
                try database.close()
                (database, report) = try KioskDatabase.openRecovering(path: path)
            }
            let recovered = try #require(report, "\(damage): the next start salvages")
            #expect(FileManager.default.fileExists(atPath: recovered.movedTo), "the damaged file is kept")
            #expect(try database.integrityProblems().isEmpty)
            // Every press that can still be read from the kept file is salvaged, nothing is invented; a page
            // overwritten in the middle leaves most presses readable (a truncation may take a table's root).
            let kept = try DatabaseQueue(
                path: recovered.movedTo,
                configuration: {
                    var config = Configuration()
                    config.prepareDatabase { db in try db.execute(sql: "PRAGMA writable_schema = ON") }
                    return config
                }())
            let readable = Set(
                ids.filter { id in
                    (try? kept.read { db in
                        try Row.fetchOne(
                            db, sql: "SELECT id FROM press WHERE id = ?", arguments: [KioskDatabase.storedKey(id)])
                    }) != nil
                })
            try kept.close()
            let salvaged = try database.pressIDs()
            #expect(readable.isSubset(of: salvaged), "\(damage)")
            #expect(salvaged.isSubset(of: Set(ids)), "\(damage)")
            #expect(recovered.salvaged.values.reduce(0, +) > 0, Comment(rawValue: "\(damage): \(recovered)"))
            if damage == "page" { #expect(salvaged.count > 2000) }
            #expect(try database.totals().presses == recovered.salvagedPresses)
            #expect(try database.persistedAlerts().map(\.key) == [KioskDatabase.damageAlertKey])
            // The fresh file starts unchecked-clean only after its own clean stop.
            #expect(database.lastShutdown == .unclean)
        }
    }

    @Test("A sound database that stopped uncleanly opens without a check, and its background check is clean")
    func uncleanButSound() async throws {
        let dir = TemporaryDirectory()
        let path = dir.file("hubkiosk.sqlite")
        do {
            let database = try KioskDatabase(path: path)
            var f = RecordFactory()
            let visit = UUID()
            try database.commitSync(
                [f.visit(visit), f.press(UUID(), visit: visit, need: "food", countsVisit: true, countsNeed: true)],
                timeZone: .london)
            f.wall += 1
            // No markCleanShutdown: as after a power cut.
        }
        let (database, first) = try KioskDatabase.openRecovering(path: path)
        #expect(first == nil)
        #expect(database.lastShutdown == .unclean)
        #expect(try await database.backgroundCheck().isEmpty)
        try await database.markCleanShutdown()
        try database.close()
        let (again, _) = try KioskDatabase.openRecovering(path: path)
        #expect(again.lastShutdown == .clean)
        #expect(try again.totals().visits == 1)
        // A damage finding that the check at the next start does not confirm: the file is kept, and the start
        // after that does not check first again.
        try await again.markDamaged()
        try again.close()
        let (checked, report) = try KioskDatabase.openRecovering(path: path)
        #expect(report == nil && checked.lastShutdown == .damaged)
        #expect(try checked.totals().visits == 1)
        try checked.close()
        let (last, _) = try KioskDatabase.openRecovering(path: path)
        #expect(last.lastShutdown == .unclean)
    }
}
