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

    public init(
        configuration: KioskConfiguration,
        directory: ServiceDirectory,
        directoryWarnings: [DirectoryProblem],
        stateDirectory: String
    ) {
        self.configuration = configuration
        self.directory = directory
        self.directoryWarnings = directoryWarnings
        self.stateDirectory = stateDirectory
    }

    /// Loads `configPath` and the directory it names; resolves the state directory (`--state-dir`, then
    /// `$STATE_DIRECTORY`, then the file's `state_dir`).
    public static func load(
        configPath: String,
        stateDirectoryFlag: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(StartupError) -> KioskSetup {
        let configuration: KioskConfiguration
        do {
            configuration = try ConfigLoader.load(path: configPath)
        } catch {
            throw StartupError(error)
        }
        let loaded: (directory: ServiceDirectory, warnings: [DirectoryProblem])
        do {
            loaded = try DirectoryLoader.load(
                path: configuration.directoryFile, format: configuration.directoryFormat,
                needs: configuration.layout.needs)
        } catch {
            throw StartupError(error)
        }
        return KioskSetup(
            configuration: configuration, directory: loaded.directory,
            directoryWarnings: loaded.warnings
                + loaded.directory.unprintableTextWarnings(codePage: configuration.printerProfile.codePage),
            stateDirectory: configuration.resolveStateDirectory(flag: stateDirectoryFlag, environment: environment))
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
