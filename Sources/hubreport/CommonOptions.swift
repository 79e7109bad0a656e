import ArgumentParser
import Foundation
import HubReport
import KioskConfig

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
            "The SQLite database (default: [service] database in the configuration, then "
                + "$STATE_DIRECTORY/hubreport.sqlite, then ./hubreport.sqlite).", valueName: "PATH"))
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

    /// The database path the options and `configuration` name.
    func databasePath(_ configuration: ReportConfiguration) -> String {
        if let database { return database }
        if let configured = configuration.database { return configured }
        if let state = ProcessInfo.processInfo.environment["STATE_DIRECTORY"], !state.isEmpty {
            let first = state.split(separator: ":").first.map(String.init) ?? state
            return (first as NSString).appendingPathComponent("hubreport.sqlite")
        }
        return "hubreport.sqlite"
    }

    /// Opens the store the options name.
    func openStore(_ configuration: ReportConfiguration) throws -> SQLiteReportStore {
        do {
            return try SQLiteReportStore(path: databasePath(configuration))
        } catch {
            throw ToolFailure(message: "\(error)", exitCode: 73)
        }
    }
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
