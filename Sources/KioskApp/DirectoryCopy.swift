import Foundation
import KioskConfig
import KioskCore
import KioskDirectory
import KioskRuntime

/// What the kiosk knows of its directory's source, kept in `<state>/directory/state.json` beside the copy in use
/// (`current.json`), so that a kiosk that restarts offline prints from its last good copy and knows how old it is.
public struct DirectoryState: Codable, Sendable, Equatable {
    /// Where the copy came from: the feed's address, the directory file, or `import of …`.
    public var origin: String
    /// The source configured when the copy was taken: a copy of another source is not used.
    public var source: String
    public var format: String
    public var services: Int
    /// When the source was last checked and the copy found current (a 304 counts).
    public var checkedAt: Date?
    /// When the copy last changed.
    public var changedAt: Date?
    public var etag: String?
    public var lastModified: String?
    public var lastAttempt: Date?
    public var lastError: String?
    public var failures: Int
    /// Why a newer copy waits for staff, and what to run.
    public var heldBack: String?
    /// The configured source `current.json` is a copy for (written with it): a copy of another source is not used.
    public var copySource: String?

    public init(
        origin: String, source: String, format: String, services: Int, checkedAt: Date? = nil,
        changedAt: Date? = nil, etag: String? = nil, lastModified: String? = nil, lastAttempt: Date? = nil,
        lastError: String? = nil, failures: Int = 0, heldBack: String? = nil, copySource: String? = nil
    ) {
        self.origin = origin
        self.source = source
        self.format = format
        self.services = services
        self.checkedAt = checkedAt
        self.changedAt = changedAt
        self.etag = etag
        self.lastModified = lastModified
        self.lastAttempt = lastAttempt
        self.lastError = lastError
        self.failures = failures
        self.heldBack = heldBack
        self.copySource = copySource
    }
}

/// The directory's files in the state directory.
public struct DirectoryFiles: Sendable {
    public let folder: String

    public init(stateDirectory: String) {
        folder = (stateDirectory as NSString).appendingPathComponent("directory")
    }

    public var copyPath: String { (folder as NSString).appendingPathComponent("current.json") }
    public var statePath: String { (folder as NSString).appendingPathComponent("state.json") }

    /// The state, if there is one that can be read.
    public func readState() -> DirectoryState? {
        guard let data = FileManager.default.contents(atPath: statePath) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(DirectoryState.self, from: data)
    }

    /// Writes the copy (if given) and then the state, each whole or not at all. Run as root (`sudo hubkiosk …`),
    /// pass the state directory's owner as `owner`, so that the daemon's user can read and replace them.
    public func write(
        copy: [UInt8]?, state: DirectoryState, owner: (uid_t, gid_t)? = nil
    ) throws(DirectoryFileError) {
        if mkdir(folder, 0o750) != 0 && errno != EEXIST {
            throw DirectoryFileError("cannot create \(folder): \(String(cString: strerror(errno)))")
        }
        if let owner { chown(folder, owner.0, owner.1) }
        if let copy { try Self.write(copy, to: copyPath, owner: owner) }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(state)
        } catch {
            throw DirectoryFileError("cannot encode the directory state: \(error)")
        }
        try Self.write(Array(data), to: statePath, owner: owner)
    }

    static func write(_ bytes: [UInt8], to target: String, owner: (uid_t, gid_t)?) throws(DirectoryFileError) {
        do {
            try AtomicFile.write(bytes, to: target, mode: 0o640, owner: owner)
        } catch {
            throw DirectoryFileError(error.description)
        }
    }
}

public struct DirectoryFileError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// The directory a kiosk starts with, and what it knows of it.
public struct InitialDirectory: Sendable {
    public var directory: ServiceDirectory
    public var warnings: [DirectoryProblem]
    public var state: DirectoryState
    /// Whether it is the copy in the state directory (the source could not be used, or is a feed).
    public var fromCopy: Bool
    /// Said once in the log and to staff: why the source itself is not in use.
    public var notice: String?
    /// The file's bytes, read and checked, when the copy in the state directory is not already of them: the
    /// updater keeps them as the last good copy (nil: nothing to write at start).
    public var copyToSave: [UInt8]?
}

extension KioskConfiguration {
    /// What `[directory]` says the source is, as it is written in the state: the feed's address, or the file.
    public var directorySourceName: String { directorySource.url?.absoluteString ?? directoryFile }
}

extension DirectoryFiles {
    /// The directory to start with under `configuration`:
    /// - a feed: the copy of its last good pull; without one, the `[kiosk] directory` file if the configuration
    ///   names one and it has no errors, else none (slips ask visitors to see staff) until the first pull;
    /// - a file: the file, unless a copy imported since it last changed is newer; if the file has errors (a typo
    ///   since the last start), the last good copy, with a notice; with no copy, the file's errors stop the start.
    public func initial(for configuration: KioskConfiguration) throws(DirectoryError) -> InitialDirectory {
        let needs = configuration.layout.needs
        let source = configuration.directorySourceName
        let state = readState().flatMap { $0.source == source ? $0 : nil }
        func copy() -> InitialDirectory? {
            guard let state, state.copySource == source, FileManager.default.fileExists(atPath: copyPath) else {
                return nil
            }
            let format = DirectoryFormat(name: state.format) ?? .auto
            let result = DirectoryLoader.check(path: copyPath, format: format, needs: needs)
            guard result.errors.isEmpty else { return nil }
            return InitialDirectory(directory: result.directory, warnings: [], state: state, fromCopy: true)
        }
        if configuration.directorySource.url != nil {
            if let copy = copy() { return copy }
            let file = configuration.directoryFile
            var fresh = DirectoryState(
                origin: source, source: source, format: configuration.directoryFormat.rawValue, services: 0)
            // Kept from the state: when the feed was last tried, and why it failed.
            fresh.lastAttempt = state?.lastAttempt
            fresh.lastError = state?.lastError
            fresh.failures = state?.failures ?? 0
            var notice = "no directory yet: slips ask visitors to see staff until the first pull of \(source)"
            if configuration.directoryFileIsExplicit && FileManager.default.fileExists(atPath: file) {
                let result = DirectoryLoader.check(path: file, format: configuration.directoryFormat, needs: needs)
                if result.errors.isEmpty {
                    var state = fresh
                    state.origin = file
                    state.services = result.directory.services.count
                    state.changedAt = Self.modified(file)
                    state.checkedAt = Self.modified(file)
                    return InitialDirectory(
                        directory: result.directory, warnings: result.warnings, state: state, fromCopy: false,
                        notice: "no copy of the feed yet: using \(file) until the first pull")
                }
                // A broken fallback never stops a kiosk whose directory comes from a feed.
                notice +=
                    " (\(file), the fallback, has \(result.errors.count) errors: `hubkiosk directory check \(file)`)"
            }
            return InitialDirectory(
                directory: ServiceDirectory(services: []), warnings: [], state: fresh, fromCopy: false,
                notice: notice)
        }
        let file = configuration.directoryFile
        let modified = Self.modified(file)
        if let state, state.origin != file, let changed = state.changedAt, let modified, changed > modified,
            let copy = copy()
        {
            // Imported after the file last changed: the import stands.
            return copy
        }
        do {
            let loaded = try DirectoryLoader.loadKeepingBytes(
                path: file, format: configuration.directoryFormat, needs: needs)
            var fileState = DirectoryState(
                origin: file, source: source, format: configuration.directoryFormat.rawValue,
                services: loaded.directory.services.count, checkedAt: modified, changedAt: modified)
            // A file's "checked" is when it was edited, or when staff reloaded it since.
            if let state, state.origin == file, let checked = state.checkedAt, checked > (modified ?? .distantPast) {
                fileState.checkedAt = checked
            }
            fileState.copySource = state?.copySource
            // The copy is of this very file when the state says so and the file has not changed since (seconds:
            // the state keeps whole seconds): then there is nothing to write at start.
            let current =
                state?.copySource == source && state?.origin == file && state?.services == fileState.services
                && abs((state?.changedAt ?? .distantPast).timeIntervalSince(modified ?? .distantFuture)) < 1
                && FileManager.default.fileExists(atPath: copyPath)
            var initial = InitialDirectory(
                directory: loaded.directory, warnings: loaded.warnings, state: fileState, fromCopy: false)
            if !current { initial.copyToSave = loaded.bytes }
            return initial
        } catch {
            guard var copy = copy() else { throw error }
            copy.notice =
                "\(file) has \(error.problems.filter { $0.severity == .error }.count) errors (`hubkiosk directory "
                + "check \(file)` lists them); printing from the last good copy (\(copy.state.services) services) "
                + "until it is fixed and reloaded"
            copy.state.lastError = "\(file) has errors"
            return copy
        }
    }

    static func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
