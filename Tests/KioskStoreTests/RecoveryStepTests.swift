import Foundation
import GRDB
import KioskTestSupport
import Testing

@testable import KioskStore

#if canImport(Glibc)
    import Glibc
#endif

/// Replacing a damaged database stopped after each of its steps, as a power cut would: the old file or the
/// complete new one is left, and the next start has every salvageable count and the alert.
@Suite("Replacing a damaged database, interrupted")
struct RecoveryStepTests {
    struct PowerCut: Error {}

    /// A database of 3000 presses with a page overwritten in the middle, which a check found damaged.
    static func damagedDatabase(_ path: String) async throws {
        try await OpenFaultTests.filledDatabase(path, visits: 3000)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: UInt64(size / 2 / 4096 * 4096))
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 4096))
        try handle.close()
        let database = try KioskDatabase(path: path)
        try await database.markDamaged()
        try database.close()
    }

    static func files(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    @Test("An uninterrupted replacement: the kept file is marked, nothing is left to salvage")
    func uninterrupted() async throws {
        let dir = TemporaryDirectory()
        let path = dir.file("hubkiosk.sqlite")
        try await Self.damagedDatabase(path)
        let (database, report) = try KioskDatabase.openRecovering(path: path)
        let recovered = try #require(report)
        #expect(recovered.salvagedPresses > 2000)
        #expect(try database.totals().presses == recovered.salvagedPresses)
        #expect(FileManager.default.fileExists(atPath: recovered.movedTo + ".salvaged"))
        #expect(KioskDatabase.unsalvagedFiles(beside: path).isEmpty)
        #expect(!Self.files(dir.path).contains { $0.hasSuffix(".salvaging") })
    }

    @Test(
        "Stopped after each step: the old file or the complete new one, and the next start has every count",
        arguments: RecoveryStep.allCases)
    func interrupted(step: RecoveryStep) async throws {
        // What an uninterrupted replacement salvages from the same damaged file.
        let reference = TemporaryDirectory()
        try await Self.damagedDatabase(reference.file("hubkiosk.sqlite"))
        let damagedBytes = try #require(FileManager.default.contents(atPath: reference.file("hubkiosk.sqlite")))
        let (expected, expectedReport) = try KioskDatabase.openRecovering(path: reference.file("hubkiosk.sqlite"))
        let expectedIDs = try expected.pressIDs()
        #expect(try #require(expectedReport).salvagedPresses == expectedIDs.count)
        #expect(expectedIDs.count > 2000)

        let dir = TemporaryDirectory()
        let path = dir.file("hubkiosk.sqlite")
        _ = FileManager.default.createFile(atPath: path, contents: damagedBytes)
        #expect(throws: StoreError.self) {
            _ = try KioskDatabase.openRecovering(path: path, busyTimeout: 5) {
                (reached: RecoveryStep) throws(StoreError) in
                if reached == step { throw StoreError(code: .other, path: path, message: "power cut") }
            }
        }
        let kept = Self.files(dir.path).filter { $0.contains(".damaged-") && !$0.hasSuffix("-wal") }
        switch step {
        case .built, .linked:
            // The old state: the damaged file is still the database.
            #expect(FileManager.default.contents(atPath: path) == damagedBytes)
            #expect(kept.count == (step == .built ? 0 : 1), "\(Self.files(dir.path))")
        case .replaced:
            // The complete new state: every salvaged row and the alert in place; only the marker is missing.
            let database = try KioskDatabase.openReadOnly(path: path)
            #expect(try database.pressIDs() == expectedIDs)
            #expect(try database.persistedAlerts().map(\.key) == [KioskDatabase.damageAlertKey])
            try database.close()
            #expect(kept.count == 1)
            #expect(KioskDatabase.unsalvagedFiles(beside: path).count == 1, "no marker yet")
        }

        // The next start.
        let (database, report) = try KioskDatabase.openRecovering(path: path)
        #expect(report != nil, "the kept file is salvaged and told about")
        #expect(try database.pressIDs() == expectedIDs, "every salvageable press, none twice")
        #expect(try database.totals().presses == expectedIDs.count)
        let alerts = try database.persistedAlerts()
        #expect(alerts.map(\.key) == [KioskDatabase.damageAlertKey])
        #expect(alerts.first?.message.contains("\(expectedIDs.count) presses") == true, "\(alerts)")
        #expect(try database.integrityProblems().isEmpty)
        #expect(KioskDatabase.unsalvagedFiles(beside: path).isEmpty)
        #expect(KioskDatabase.interruptedSalvage(beside: path) == nil)
        let keptAfter = Self.files(dir.path).filter {
            $0.contains(".damaged-") && !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") && !$0.hasSuffix(".salvaged")
        }
        #expect(keptAfter.count == 1, "one kept damaged file: \(Self.files(dir.path))")
        for name in keptAfter {
            #expect(FileManager.default.contents(atPath: dir.file(name)) == damagedBytes, "kept byte for byte")
        }

        // And the one after: nothing more to salvage, no new alert text.
        try database.close()
        let (again, second) = try KioskDatabase.openRecovering(path: path)
        #expect(second == nil)
        #expect(try again.persistedAlerts().map(\.message) == alerts.map(\.message))
    }

    @Test("A kept damaged file without its marker (moved aside by an older daemon): salvaged and alerted")
    func unmarkedKeptFile() async throws {
        let dir = TemporaryDirectory()
        let path = dir.file("hubkiosk.sqlite")
        try await Self.damagedDatabase(path)
        let kept = path + ".damaged-1795435200"
        #expect(rename(path, kept) == 0)
        // The next start used to run on an empty database with no alert.
        let (database, report) = try KioskDatabase.openRecovering(path: path)
        let recovered = try #require(report)
        #expect(recovered.movedTo == kept)
        #expect(recovered.salvagedPresses > 2000)
        #expect(try database.totals().presses == recovered.salvagedPresses)
        #expect(try database.persistedAlerts().map(\.key) == [KioskDatabase.damageAlertKey])
        #expect(KioskDatabase.unsalvagedFiles(beside: path).isEmpty)
    }

    @Test("A leftover .salvaging file is discarded and the salvage done again")
    func leftoverBuilding() async throws {
        let dir = TemporaryDirectory()
        let path = dir.file("hubkiosk.sqlite")
        try await Self.damagedDatabase(path)
        _ = FileManager.default.createFile(atPath: path + ".salvaging", contents: Data(repeating: 0x42, count: 5000))
        #expect(KioskDatabase.interruptedSalvage(beside: path) == path + ".salvaging")
        let (database, report) = try KioskDatabase.openRecovering(path: path)
        let recovered = try #require(report)
        #expect(recovered.salvagedPresses > 2000)
        #expect(try database.totals().presses == recovered.salvagedPresses)
        #expect(KioskDatabase.interruptedSalvage(beside: path) == nil)
    }
}
