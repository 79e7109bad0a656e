import Foundation
import GRDB
import KioskApp
import KioskConfig
import KioskControl
import KioskCore
import KioskRuntime
import KioskSimulator
import KioskStore
import KioskTestSupport
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Start-up against a database in trouble, the alert of a replaced database, the storage error in status, and
/// the modes of what the daemon creates.
@Suite("Database at start-up")
struct DatabaseStartupTests {
    static let logger: Logger = {
        var logger = Logger(label: "t")
        logger.logLevel = .critical
        return logger
    }()

    /// A database of `visits` counted visits, stopped cleanly.
    static func filled(_ path: String, visits: Int = 200) async throws {
        let database = try KioskDatabase(path: path)
        var records: [KioskRecord] = []
        for i in 0..<visits {
            let visit = UUID()
            let wall = WallClockReading(
                date: Date(timeIntervalSince1970: 1_795_435_200 + Double(i * 120)), synchronized: true)
            let local = HubTimeZone.london.local(of: wall.date)
            let mono = MonotonicInstant(nanoseconds: Int64(i) * 1_000_000_000)
            records.append(
                .visitStarted(
                    VisitEntry(
                        id: visit, startedAt: wall, startedMonotonic: mono, bootID: "b", localDay: local.date,
                        localHour: local.time.hour)))
            records.append(
                .press(
                    PressEntry(
                        id: UUID(), button: "food", need: "food", at: wall, monotonic: mono, bootID: "b", flags: [],
                        visitID: visit, countsVisit: true, countsNeed: true)))
        }
        try database.commitSync(records, timeZone: .london)
        try await database.markCleanShutdown()
        try database.close()
    }

    static func damaged(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.contains("damaged") }
    }

    /// Runs hubkioskd through `/bin/sh -c script` (the script ends in `exec "$0" "$@"`), expecting it to stop.
    static func daemon(script: String, state: String, prefix: [String] = []) async throws -> ToolRun {
        let daemon = Repository.buildDirectory.appendingPathComponent("hubkioskd").path
        try #require(FileManager.default.isExecutableFile(atPath: daemon), "hubkioskd is built beside the tests")
        return try await offPool {
            let process = Process()
            let command = prefix + ["/bin/sh"]
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments =
                Array(command.dropFirst()) + [
                    "-c", script, daemon, "--config", Repository.exampleConfig, "--state-dir", state, "--log-level",
                    "error",
                ]
            process.environment = ["PATH": "/usr/bin:/bin", "RUNTIME_DIRECTORY": state + "/run"]
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return ToolRun(
                status: process.terminationStatus, stdout: "", stderr: String(decoding: stderr, as: UTF8.self))
        }
    }

    @Test("A full disk at start (SQLite cannot grow its -shm file): start-up stops, the database is untouched")
    func fullDiskAtStart() async throws {
        let state = TemporaryDirectory()
        let path = state.file("hubkiosk.sqlite")
        try await Self.filled(path)
        let before = try #require(FileManager.default.contents(atPath: path))
        // A file-size limit of 8 KB makes every write past it fail as on a full disk (EFBIG instead of ENOSPC);
        // SQLite's -shm file needs 32 KB. SIGXFSZ is ignored so that the write fails instead of killing.
        let run = try await Self.daemon(script: "trap '' XFSZ; ulimit -f 16; exec \"$0\" \"$@\"", state: state.path)
        #expect(run.status == 73, "\(run.stderr)")
        #expect(run.stderr.contains("nothing was changed"), "\(run.stderr)")
        #expect(run.stderr.contains("free space") && run.stderr.contains("-shm"), "says what to do: \(run.stderr)")
        #expect(FileManager.default.contents(atPath: path) == before, "the database file is as it was")
        #expect(Self.damaged(state.path).isEmpty, "nothing was moved aside")
        // Space again: the next start has every count, and no alert.
        let (database, report) = try KioskDatabase.openRecovering(path: path)
        #expect(report == nil)
        #expect(try database.totals().visits == 200)
        #expect(try database.persistedAlerts().isEmpty)
    }

    @Test("A damaged file and no room to build the fresh one: nothing is moved, the next start salvages and alerts")
    func damagedWithoutRoom() async throws {
        let state = TemporaryDirectory()
        let path = state.file("hubkiosk.sqlite")
        let damaged = Data(repeating: 0x42, count: 50_000)
        _ = FileManager.default.createFile(atPath: path, contents: damaged)
        // The fresh database is built beside the damaged one first; its -shm file does not fit under the limit.
        let run = try await Self.daemon(script: "trap '' XFSZ; ulimit -f 16; exec \"$0\" \"$@\"", state: state.path)
        #expect(run.status != 0, "\(run.stderr)")
        #expect(run.stderr.contains("nothing was changed"), "\(run.stderr)")
        #expect(FileManager.default.contents(atPath: path) == damaged, "the damaged file is still the database")
        #expect(Self.damaged(state.path).isEmpty, "nothing was moved aside")
        #expect(KioskDatabase.interruptedSalvage(beside: path) == nil, "the unfinished fresh file is removed")
        // Room again: the next start replaces it and stores the alert.
        let (database, report) = try KioskDatabase.openRecovering(path: path)
        let recovered = try #require(report)
        #expect(FileManager.default.contents(atPath: recovered.movedTo) == damaged)
        #expect(try database.persistedAlerts().map(\.key) == [KioskDatabase.damageAlertKey])
        #expect(KioskDatabase.unsalvagedFiles(beside: path).isEmpty)
    }

    @Test("doctor names a kept damaged file that was never salvaged, and a leftover fresh file")
    func doctorUnsalvaged() async throws {
        let state = TemporaryDirectory()
        let path = state.file("hubkiosk.sqlite")
        try await Self.filled(path, visits: 1)
        _ = FileManager.default.createFile(
            atPath: path + ".damaged-1795435200", contents: Data(repeating: 0x42, count: 5000))
        _ = FileManager.default.createFile(atPath: path + ".salvaging", contents: Data(repeating: 0x42, count: 5000))
        let doctor = try await ToolRun.run(
            "hubkiosk", ["doctor", "--config", Repository.exampleConfig, "--state-dir", state.path],
            environment: ["PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": state.file("run")])
        #expect(doctor.status != 0, "\(doctor.stdout)")
        #expect(
            doctor.stdout.contains(".damaged-1795435200 was kept aside as damaged but its rows were never salvaged"),
            "\(doctor.stdout)")
        #expect(doctor.stdout.contains(".salvaging was left by an interrupted salvage"), "\(doctor.stdout)")
    }

    @Test("A database the daemon's user cannot write (run as nobody): start-up stops, the database is untouched")
    func notWritable() async throws {
        let dir = TemporaryDirectory()
        chmod(dir.path, 0o755)
        let stateDirectory = dir.file("state")
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: false)
        let path = (stateDirectory as NSString).appendingPathComponent("hubkiosk.sqlite")
        try await Self.filled(path)
        let before = try #require(FileManager.default.contents(atPath: path))
        let prefix: [String]
        if getuid() == 0 {
            // Root ignores file modes: run the daemon as nobody, with what it needs before the database (its lock
            // file, the simulator's folder) open to it.
            prefix = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
            chmod(stateDirectory, 0o755)
            chmod(path, 0o644)
            for folder in ["simulator", "simulator/slips", "run"] {
                let full = (stateDirectory as NSString).appendingPathComponent(folder)
                try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
                chmod(full, 0o777)
            }
            let lock = (stateDirectory as NSString).appendingPathComponent("hubkioskd.lock")
            _ = FileManager.default.createFile(atPath: lock, contents: nil)
            chmod(lock, 0o666)
        } else {
            prefix = []
            chmod(path, 0o444)
            chmod(stateDirectory, 0o555)
        }
        defer { chmod(stateDirectory, 0o755) }
        let run = try await Self.daemon(script: "exec \"$0\" \"$@\"", state: stateDirectory, prefix: prefix)
        #expect(run.status == 73, "\(run.stderr)")
        #expect(run.stderr.contains("nothing was changed"), "\(run.stderr)")
        #expect(run.stderr.contains("can write"), "says what to check: \(run.stderr)")
        #expect(FileManager.default.contents(atPath: path) == before)
        #expect(Self.damaged(stateDirectory).isEmpty)
        chmod(stateDirectory, 0o755)
        chmod(path, 0o640)
        let (database, report) = try KioskDatabase.openRecovering(path: path)
        #expect(report == nil)
        #expect(try database.totals().visits == 200)
    }

    @Test("A replaced database's alert stays through restarts (status and LED) until staff acknowledge it")
    func alertSurvivesRestarts() async throws {
        let state = TemporaryDirectory()
        _ = FileManager.default.createFile(
            atPath: state.file("hubkiosk.sqlite"), contents: Data(repeating: 0x42, count: 50_000))
        let setup = try KioskSetup.load(configPath: Repository.exampleConfig, stateDirectoryFlag: state.path)
        func start() throws -> (Kiosk, Task<Void, any Error>) {
            let kiosk = try Kiosk(
                setup: setup, clock: ManualClock(), control: false, runtimeLink: false, logger: Self.logger)
            let service = kiosk.service
            return (kiosk, Task { try await service.run() })
        }
        func databaseAlerts(_ kiosk: Kiosk) async throws -> [StaffAlert] {
            try await kiosk.service.status().alerts.filter { $0.key == KioskDatabase.damageAlertKey }
        }
        for round in 0..<3 {
            let (kiosk, running) = try start()
            #expect((kiosk.recovery != nil) == (round == 0))
            await kiosk.service.flush()
            #expect(try await databaseAlerts(kiosk).count == 1, "round \(round)")
            #expect(kiosk.simulator?.indicator.pattern(of: .staffAlert) == .error)
            // A stored press does not clear it (it clears a storage error).
            let id = try #require(kiosk.simulator?.buttons.down("money"))
            guard case .acknowledged = await kiosk.service.result(forEvent: id) else {
                Issue.record("press not stored")
                return
            }
            #expect(try await databaseAlerts(kiosk).count == 1)
            running.cancel()
            _ = try? await running.value
        }
        do {
            let (kiosk, running) = try start()
            await kiosk.service.flush()
            await kiosk.service.acknowledgeAlerts()
            #expect(try await databaseAlerts(kiosk).isEmpty)
            running.cancel()
            _ = try? await running.value
        }
        let (kiosk, running) = try start()
        await kiosk.service.flush()
        #expect(try await databaseAlerts(kiosk).isEmpty, "acknowledged for good")
        #expect(kiosk.simulator?.indicator.pattern(of: .staffAlert) != .error)
        running.cancel()
        _ = try? await running.value
    }

    @Test("The storage error stays in status through inputs with nothing to store, until a write succeeds")
    func storageErrorStays() async throws {
        let kiosk = try InProcessKiosk()
        let service = kiosk.kiosk.service
        let buttons = try #require(kiosk.kiosk.simulator?.buttons)
        let database = kiosk.kiosk.database
        try database.setMaximumPageCount(Int(try database.pragma("page_count")!)! + 2)
        var failed = false
        for _ in 0..<2000 where !failed {
            await kiosk.driver.finish()
            kiosk.clock.advance(by: .seconds(61))
            let id = try #require(buttons.down("food"))
            if case .failed = await service.result(forEvent: id) {
                // Held down until space is back: a release is an input that may store (and clear the error).
                failed = true
                break
            }
            kiosk.clock.advance(by: .milliseconds(100))
            if let release = buttons.edge("food", .up) { _ = await service.result(forEvent: release.id) }
        }
        try #require(failed)
        let error = try #require(try await service.status().lastStorageError)
        #expect(error.contains("full"))
        // Inputs that store nothing: a printer reading, a flush, staff acknowledging alerts.
        await service.refreshPrinterStatus()
        #expect(try await service.status().lastStorageError == error)
        await service.flush()
        #expect(try await service.status().lastStorageError == error)
        await service.acknowledgeAlerts()
        #expect(try await service.status().lastStorageError == error)
        // Space again: the next press is stored, and only that clears it.
        try database.setMaximumPageCount(1_000_000)
        kiosk.clock.advance(by: .milliseconds(100))
        if let release = buttons.edge("food", .up) { _ = await service.result(forEvent: release.id) }
        await kiosk.driver.finish()
        kiosk.clock.advance(by: .seconds(61))
        let id = try #require(buttons.down("money"))
        guard case .acknowledged = await service.result(forEvent: id) else {
            Issue.record("press not stored with space again")
            return
        }
        #expect(try await service.status().lastStorageError == nil)
        try await kiosk.stop()
    }

    @Test("hubkioskd started under umask 0: folders 0750, the database, -wal, -shm, lock and slips 0640")
    func modes() async throws {
        let daemon = Repository.buildDirectory.appendingPathComponent("hubkioskd").path
        try #require(FileManager.default.isExecutableFile(atPath: daemon), "hubkioskd is built beside the tests")
        let dir = TemporaryDirectory()
        // An existing state directory made with a loose mode holding a database of loose mode, and one the daemon
        // makes itself.
        let existing = dir.file("existing")
        mkdir(existing, 0o777)
        chmod(existing, 0o777)
        try await Self.filled(existing + "/hubkiosk.sqlite", visits: 1)
        chmod(existing + "/hubkiosk.sqlite", 0o666)
        for (index, stateDirectory) in [existing, dir.file("new/state")].enumerated() {
            let runtime = dir.file("run\(index)")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = [
                "-c", "umask 0; exec \"$0\" \"$@\"", daemon, "--config", Repository.exampleConfig, "--state-dir",
                stateDirectory, "--log-level", "error",
            ]
            process.environment = ["PATH": "/usr/bin:/bin", "RUNTIME_DIRECTORY": runtime]
            process.standardError = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            defer {
                // SIGKILL: it inherits the test process's blocked signals, SIGTERM among them.
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            func mode(_ name: String) -> mode_t? {
                let path = (stateDirectory as NSString).appendingPathComponent(name)
                let attributes = try? FileManager.default.attributesOfItem(atPath: path)
                return (attributes?[.posixPermissions] as? NSNumber).map { mode_t($0.uint32Value & 0o7777) }
            }
            @Sendable func slips() -> [String] {
                (try? FileManager.default.contentsOfDirectory(
                    atPath: (stateDirectory as NSString).appendingPathComponent("simulator/slips"))) ?? []
            }
            let socket = (runtime as NSString).appendingPathComponent(ControlAPI.socketName)
            var pressStatus: Int?
            _ = await waitUntil(seconds: 90) {
                pressStatus = try? await ControlClient(socketPath: socket, timeout: .seconds(5)).request(
                    "POST", "/sim/press", body: Data(#"{"button": "food"}"#.utf8)
                ).0
                return pressStatus != nil
            }
            let pressed = pressStatus == 200
            try #require(pressed, "the daemon did not store a press through \(socket)")
            // The press is stored (and answered) before its slip is written: wait for the slip's file.
            let printed = try await offPool { () -> Bool in
                let deadline = Date().addingTimeInterval(30)
                while Date() < deadline, slips().isEmpty { usleep(20_000) }
                return !slips().isEmpty
            }
            #expect(printed, "a slip was written")
            #expect(mode("") == 0o750, "\(stateDirectory)")
            for file in ["hubkiosk.sqlite", "hubkiosk.sqlite-wal", "hubkiosk.sqlite-shm", "hubkioskd.lock"] {
                #expect(mode(file) == 0o640, "\(file): \(mode(file).map { String($0, radix: 8) } ?? "missing")")
            }
            #expect(mode("simulator") == 0o750)
            #expect(mode("simulator/slips") == 0o750)
            for slip in slips() { #expect(mode("simulator/slips/" + slip) == 0o640, "\(slip)") }
        }
    }
}
