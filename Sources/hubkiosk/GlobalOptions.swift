import ArgumentParser
import Foundation
import KioskConfig
import KioskControl
import KioskCore
import KioskStore

/// `--config` and `--state-dir`, and how every command finds the configuration, the database and the daemon.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The configuration file.",
            discussion: "Default: $HUBKIOSK_CONFIG, then /etc/hubkiosk/kiosk.toml, then the running daemon's."))
    var config: String?

    @Option(
        name: .customLong("state-dir"),
        help: "The kiosk's state directory (default: $STATE_DIRECTORY, then the configuration's state_dir).")
    var stateDirectory: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The configuration file named by a flag, the environment or the default path, if any.
    var configPath: String? {
        if let config { return config }
        if let fromEnvironment = environment["HUBKIOSK_CONFIG"], !fromEnvironment.isEmpty { return fromEnvironment }
        if FileManager.default.fileExists(atPath: KioskConfiguration.defaultPath) {
            return KioskConfiguration.defaultPath
        }
        return nil
    }

    /// The configuration: the named file, else the one the running daemon uses.
    func configuration() throws -> KioskConfiguration {
        if let path = configPath {
            do {
                return try ConfigLoader.load(path: path)
            } catch {
                throw ToolError("configuration problem:\n\(error)")
            }
        }
        if let info = daemonInfo() {
            do {
                return try ConfigLoader.load(path: info.configFile)
            } catch {
                throw ToolError("configuration problem:\n\(error)")
            }
        }
        throw ToolError(
            "no configuration: pass --config with your kiosk.toml (Simulator/kiosk.toml in the source tree), "
                + "set HUBKIOSK_CONFIG, or start the daemon")
    }

    /// The state directory: the flag, `$STATE_DIRECTORY`, the configuration's, or the running daemon's.
    func resolvedStateDirectory(_ configuration: KioskConfiguration?) -> String? {
        if let stateDirectory { return KioskConfiguration.absoluteStateDirectory(stateDirectory) }
        if let fromSystemd = environment["STATE_DIRECTORY"], !fromSystemd.isEmpty {
            return String(fromSystemd.split(separator: ":").first ?? "")
        }
        if configPath != nil, let configuration {
            return configuration.resolveStateDirectory(flag: nil, environment: environment)
        }
        return daemonInfo()?.stateDirectory ?? configuration?.stateDirectory
    }

    /// The running daemon's description, if one answers.
    func daemonInfo() -> ControlAPI.InfoResponse? {
        let candidates: [String]
        if let known = stateDirectory.map({ KioskConfiguration.absoluteStateDirectory($0) }) {
            candidates = [ControlSocketLocator.socketPath(stateDirectory: known)]
        } else {
            candidates = ControlSocketLocator.candidates(stateDirectory: nil)
        }
        guard let client = ControlClient.connectToFirstLive(candidates) else { return nil }
        return try? client.call("GET", "/info", as: ControlAPI.InfoResponse.self)
    }

    /// A client for the running daemon, or an error saying how to start one. With `--state-dir` (or
    /// `$STATE_DIRECTORY`) only that directory's daemon will do; otherwise the runtime link finds the one running.
    func control() throws -> ControlClient {
        var candidates: [String]
        if let explicit = stateDirectory.map({ KioskConfiguration.absoluteStateDirectory($0) })
            ?? environment["STATE_DIRECTORY"].flatMap({ $0.split(separator: ":").first.map(String.init) })
        {
            candidates = [ControlSocketLocator.socketPath(stateDirectory: explicit)]
        } else {
            var known: String?
            if configPath != nil, let configuration = try? configuration() {
                known = configuration.resolveStateDirectory(flag: nil, environment: environment)
            }
            candidates = ControlSocketLocator.candidates(stateDirectory: known)
        }
        if let client = ControlClient.connectToFirstLive(candidates) { return client }
        throw ControlError(code: .notRunning, socket: candidates.first ?? "", message: "")
    }

    /// The database, opened for reading.
    func database(_ configuration: KioskConfiguration) throws -> KioskDatabase {
        guard let directory = resolvedStateDirectory(configuration) else {
            throw ToolError("no state directory: pass --state-dir")
        }
        do {
            return try KioskDatabase.openReadOnly(
                path: (directory as NSString).appendingPathComponent("hubkiosk.sqlite"))
        } catch {
            throw ToolError(error.description)
        }
    }
}

extension KioskConfiguration {
    static func absoluteStateDirectory(_ path: String) -> String {
        resolveStateDirectory(flag: path, environment: [:], configured: nil)
    }
}
