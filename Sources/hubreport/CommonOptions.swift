import ArgumentParser
import Foundation
import HubReport
import KioskConfig
import Logging

/// `--config` and `--database`, taken by every subcommand.
struct CommonOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The configuration file (default: $HUBREPORT_CONFIG, then \(CommonOptions.systemConfig) if it exists, "
                + "else the built-in example partnership).", valueName: "FILE"))
    var config: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "An SQLite file, or PostgreSQL as postgres://USER@HOST:PORT/DATABASE[?schema=NAME&sslmode=…] "
                + "(password from $PGPASSWORD) (default: [service] database in the configuration, then "
                + "$STATE_DIRECTORY/hubreport.sqlite, then ./hubreport.sqlite).", valueName: "PATH-or-URL"))
    var database: String?

    static let systemConfig = "/etc/hubreport/hubreport.toml"

    /// The configuration the options name.
    func loadConfiguration() throws -> ReportConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let path: String?
        if let config {
            path = config
        } else if let fromEnvironment = environment["HUBREPORT_CONFIG"], !fromEnvironment.isEmpty {
            path = fromEnvironment
        } else if FileManager.default.fileExists(atPath: CommonOptions.systemConfig) {
            path = CommonOptions.systemConfig
        } else {
            path = nil
        }
        guard let path else { return .builtIn }
        do {
            return try ReportConfiguration.load(path: path)
        } catch {
            throw ToolFailure(message: "configuration problem:\n\(error)", exitCode: 78)
        }
    }

    /// The database the options and `configuration` name, as given.
    func databaseText(_ configuration: ReportConfiguration) -> String {
        if let database { return database }
        if let configured = configuration.database { return configured }
        if let state = ProcessInfo.processInfo.environment["STATE_DIRECTORY"], !state.isEmpty {
            let first = state.split(separator: ":").first.map(String.init) ?? state
            return (first as NSString).appendingPathComponent("hubreport.sqlite")
        }
        return "hubreport.sqlite"
    }

    /// The database the options and `configuration` name: an SQLite file or a PostgreSQL URL.
    func databaseLocation(_ configuration: ReportConfiguration) throws -> DatabaseLocation {
        do {
            return try DatabaseLocation(parsing: databaseText(configuration))
        } catch {
            throw ToolFailure(message: "--database: \(error)", exitCode: 64)
        }
    }

    /// Runs `body` with the store the options name, opened and migrated; closed when `body` returns.
    func withStore<T: Sendable>(
        _ configuration: ReportConfiguration, logger: Logger = CommonOptions.quietLogger,
        _ body: (any ReportStore & ReportAccounts, DatabaseLocation) async throws -> T
    ) async throws -> T {
        let location = try databaseLocation(configuration)
        return try await location.withStore(logger: logger) { try await body($0, location) }
    }

    /// The connection pool's logger for one-shot commands: silent, so that `--json` output stays JSON.
    static let quietLogger = Logger(label: "hubreport", factory: { _ in SwiftLogNoOpLogHandler() })
}

/// A failure the tool reports in one message and an exit status (78 configuration, 73 database, 64 usage).
struct ToolFailure: Error, CustomStringConvertible {
    var message: String
    var exitCode: Int32

    var description: String { message }
}

extension AsyncParsableCommand {
    /// Runs `body`, turning a ``ToolFailure`` or a store error into a message on standard error and an exit status.
    func reportingFailures(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as ToolFailure {
            FileHandle.standardError.write(Data("hubreport: \(failure.message)\n".utf8))
            throw ExitCode(failure.exitCode)
        } catch let error as ReportStoreError {
            FileHandle.standardError.write(Data("hubreport: \(error)\n".utf8))
            throw ExitCode(error.code == .invalidValue || error.code == .notEnrolled ? 64 : 73)
        }
    }
}
