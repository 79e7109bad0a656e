import ESCPOS
import Foundation
import KioskConfig
import KioskCore
import KioskDirectory

/// A checked configuration and directory, and where the kiosk keeps its state. Loading touches nothing.
public struct KioskSetup: Sendable {
    public var configuration: KioskConfiguration
    public var directory: ServiceDirectory
    public var directoryWarnings: [DirectoryProblem]
    public var stateDirectory: String
    /// Where the directory in use came from and how current it is.
    public var directoryState: DirectoryState
    /// Why the configured source itself is not in use (a feed not pulled yet, a file with errors), if so.
    public var directoryNotice: String?
    /// The directory file's checked bytes, to keep as its last good copy (nil when the copy is already of them).
    public var directoryCopyToSave: [UInt8]?

    public init(
        configuration: KioskConfiguration,
        directory: ServiceDirectory,
        directoryWarnings: [DirectoryProblem],
        stateDirectory: String,
        directoryState: DirectoryState? = nil,
        directoryNotice: String? = nil
    ) {
        self.configuration = configuration
        self.directory = directory
        self.directoryWarnings = directoryWarnings
        self.stateDirectory = stateDirectory
        self.directoryState =
            directoryState
            ?? DirectoryState(
                origin: configuration.directoryFile, source: configuration.directorySourceName,
                format: configuration.directoryFormat.rawValue, services: directory.services.count)
        self.directoryNotice = directoryNotice
    }

    /// Loads `configPath` and the directory it names; resolves the state directory (`--state-dir`, then
    /// `$STATE_DIRECTORY`, then the file's `state_dir`). The directory is the one the daemon would start with
    /// (``DirectoryFiles/initial(for:)``: a feed's last good copy, or a file, falling back to its last good copy if
    /// it has errors); with `fileOnly` a file's errors stop the load whatever copy there is (`--check`).
    public static func load(
        configPath: String,
        stateDirectoryFlag: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        fileOnly: Bool = false
    ) throws(StartupError) -> KioskSetup {
        let configuration: KioskConfiguration
        do {
            configuration = try ConfigLoader.load(path: configPath)
        } catch {
            throw StartupError(error)
        }
        let stateDirectory = configuration.resolveStateDirectory(flag: stateDirectoryFlag, environment: environment)
        let initial: InitialDirectory
        do {
            if fileOnly && configuration.directorySource.url == nil {
                let loaded = try DirectoryLoader.load(
                    path: configuration.directoryFile, format: configuration.directoryFormat,
                    needs: configuration.layout.needs)
                initial = InitialDirectory(
                    directory: loaded.directory, warnings: loaded.warnings,
                    state: DirectoryState(
                        origin: configuration.directoryFile, source: configuration.directorySourceName,
                        format: configuration.directoryFormat.rawValue, services: loaded.directory.services.count),
                    fromCopy: false)
            } else {
                initial = try DirectoryFiles(stateDirectory: stateDirectory).initial(for: configuration)
            }
        } catch {
            throw StartupError(error)
        }
        var setup = KioskSetup(
            configuration: configuration, directory: initial.directory,
            directoryWarnings: initial.warnings
                + initial.directory.unprintableTextWarnings(codePage: configuration.printerProfile.codePage),
            stateDirectory: stateDirectory, directoryState: initial.state, directoryNotice: initial.notice)
        setup.directoryCopyToSave = initial.copyToSave
        return setup
    }

    /// The directory's warnings, one line each in the form compilers use (`directory.json:12: warning: service
    /// "svc-1", attributes: …`, `directory.json: warning: need talk: …` without a line), for `--check`.
    public func warningLines() -> [String] {
        let file = configuration.directoryFile
        return directoryWarnings.map { problem in
            var location = problem.serviceID.map { "service \"\($0)\"" } ?? ""
            if !problem.field.isEmpty { location += location.isEmpty ? problem.field : ", \(problem.field)" }
            return "\(file)\(problem.line.map { ":\($0)" } ?? ""): \(problem.severity.rawValue): "
                + (location.isEmpty ? "" : location + ": ") + problem.message
        }
    }

    /// The database file.
    public var databasePath: String { (stateDirectory as NSString).appendingPathComponent("hubkiosk.sqlite") }

    /// Where the simulator writes what it prints.
    public var simulatorOutput: String { (stateDirectory as NSString).appendingPathComponent("simulator") }
}
