import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// A step of replacing a damaged database, after which a test may stop the work as a power cut would.
enum RecoveryStep: Sendable, CaseIterable {
    /// The fresh file is complete (rows salvaged, alert stored, synced) at its temporary path; nothing moved yet.
    case built
    /// The damaged file has its kept name too (a hard link) and its `-wal` moved beside it; the fresh file not in
    /// place yet.
    case linked
    /// The fresh file is in place; the kept file is not marked as salvaged yet.
    case replaced
}

/// The files beside a database that recovery reads and writes.
struct RecoveryFiles {
    let path: String

    /// Where the fresh database is built before it takes the database's place.
    var building: String { path + ".salvaging" }

    var folder: String {
        (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
    }

    /// The marker saying that a kept damaged file's rows are in the database.
    static func marker(of kept: String) -> String { kept + ".salvaged" }

    /// A new name for the damaged file: `hubkiosk.sqlite.damaged-<seconds>`, not taken yet.
    func keptName(at date: Date) -> String {
        let base = path + ".damaged-\(Int(date.timeIntervalSince1970))"
        var name = base
        var attempt = 1
        while exists(name) {
            attempt += 1
            name = base + "-\(attempt)"
        }
        return name
    }

    /// The kept damaged files beside the database whose rows were never salvaged (no marker), oldest first.
    var unsalvaged: [String] {
        let prefix = (path as NSString).lastPathComponent + ".damaged-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return
            names
            .filter { name in
                name.hasPrefix(prefix) && !["-wal", "-shm", "-journal", ".salvaged"].contains { name.hasSuffix($0) }
            }
            .sorted()
            .map { (folder as NSString).appendingPathComponent($0) }
            .filter { !exists(RecoveryFiles.marker(of: $0)) }
    }

    /// A fresh file left by a start that stopped before it was in place: removed, the salvage is done again.
    func discardBuilding() throws(StoreError) {
        for file in [building, building + "-wal", building + "-shm", building + "-journal"] where exists(file) {
            guard unlink(file) == 0 || errno == ENOENT else {
                throw failure(file, "a fresh database left by an interrupted salvage cannot be removed")
            }
        }
    }

    /// Whether `kept` is the database file itself under a second name (a start stopped at ``RecoveryStep/linked``).
    func isLinked(_ kept: String) -> Bool {
        var database = stat()
        var other = stat()
        guard lstat(path, &database) == 0, lstat(kept, &other) == 0 else { return false }
        return database.st_dev == other.st_dev && database.st_ino == other.st_ino
    }

    /// Finishes moving the damaged file aside after a start stopped at ``RecoveryStep/linked``: its `-wal` goes
    /// beside the kept name (unless it is there already), and the database's own name is removed.
    func finishMovingAside(_ kept: String) throws(StoreError) {
        if exists(path + "-wal") && !exists(kept + "-wal") { try rename(path + "-wal", to: kept + "-wal") }
        if exists(path + "-shm") { _ = unlink(path + "-shm") }
        guard unlink(path) == 0 else { throw failure(path, "cannot be removed (it is kept as \(kept))") }
        try syncFolder()
    }

    /// Gives the damaged database at ``path`` its kept name too, and moves its `-wal` beside it (the fresh file
    /// must not find it); the database's name still holds the damaged file until ``putInPlace()``.
    func link(to kept: String) throws(StoreError) {
        guard Glibc.link(path, kept) == 0 else {
            throw failure(kept, "the damaged file cannot be kept under this name")
        }
        if exists(path + "-wal") { try rename(path + "-wal", to: kept + "-wal") }
        if exists(path + "-shm") { _ = unlink(path + "-shm") }
        try syncFolder()
    }

    /// Moves the fresh file into the database's place (atomically) and syncs the folder.
    func putInPlace() throws(StoreError) {
        try rename(building, to: path)
        try syncFolder()
    }

    /// Marks `kept` as salvaged: its rows are in the database at ``path``.
    func markSalvaged(_ kept: String) throws(StoreError) {
        let marker = RecoveryFiles.marker(of: kept)
        let descriptor = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, KioskDatabase.fileMode)
        guard descriptor >= 0 else { throw failure(marker, "cannot be created") }
        let text = Array("the rows of \((kept as NSString).lastPathComponent) were salvaged into \(path)\n".utf8)
        let written = text.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        _ = Glibc.close(descriptor)
        guard written == text.count, synced else { throw failure(marker, "cannot be written") }
        try syncFolder()
    }

    /// Writes the file's data to the disk.
    func sync(_ file: String) throws(StoreError) {
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(file, "cannot be opened to sync it") }
        defer { _ = Glibc.close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure(file, "cannot be synced to the disk") }
    }

    /// Writes the folder's entries (renames, new files) to the disk.
    func syncFolder() throws(StoreError) {
        try sync(folder)
    }

    private func rename(_ from: String, to: String) throws(StoreError) {
        guard Glibc.rename(from, to) == 0 else { throw failure(from, "cannot be moved to \(to)") }
    }

    private func exists(_ file: String) -> Bool {
        var info = stat()
        return lstat(file, &info) == 0
    }

    private func failure(_ file: String, _ what: String) -> StoreError {
        let code = errno
        let kind: StoreError.Code =
            switch code {
            case ENOSPC, EDQUOT: .full
            default: .readOnly
            }
        return StoreError(code: kind, path: file, message: "\(what) (\(String(cString: strerror(code))))")
    }
}

extension KioskDatabase {
    /// The damaged files kept beside the database at `path` whose rows were never salvaged into it (a start was
    /// interrupted, or an older daemon moved them aside first): the next start salvages them and alerts staff.
    public static func unsalvagedFiles(beside path: String) -> [String] {
        RecoveryFiles(path: path).unsalvaged
    }

    /// The fresh database an interrupted salvage left beside the database at `path`, if any: the next start
    /// discards it and salvages again.
    public static func interruptedSalvage(beside path: String) -> String? {
        let building = RecoveryFiles(path: path).building
        return FileManager.default.fileExists(atPath: building) ? building : nil
    }
}
