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
    ///
    /// Without a file, a daemon that is there but busy or refused says so, rather than "no configuration".
    func configuration() async throws -> KioskConfiguration {
        if let path = configPath {
            do {
                return try ConfigLoader.load(path: path)
            } catch {
                throw ToolError("configuration problem:\n\(error)")
            }
        }
        if let info = try await daemonInfo() {
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
    func resolvedStateDirectory(_ configuration: KioskConfiguration?) async -> String? {
        if let stateDirectory { return KioskConfiguration.absoluteStateDirectory(stateDirectory) }
        if let fromSystemd = environment["STATE_DIRECTORY"], !fromSystemd.isEmpty {
            return String(fromSystemd.split(separator: ":").first ?? "")
        }
        if configPath != nil, let configuration {
            return configuration.resolveStateDirectory(flag: nil, environment: environment)
        }
        return (try? await daemonInfo())?.stateDirectory ?? configuration?.stateDirectory
    }

    /// The running daemon's description; nil when no daemon runs. A daemon that is busy, refused (not trusted) or
    /// not allowed throws that, so that the caller can say what is wrong.
    func daemonInfo() async throws(ControlError) -> ControlAPI.InfoResponse? {
        guard let client = try await runningControl(candidatesOnly: true) else { return nil }
        return try await client.call("GET", "/info", as: ControlAPI.InfoResponse.self)
    }

    /// A client for the running daemon, or an error saying how to start one (or why it cannot be used). With
    /// `--state-dir` (or `$STATE_DIRECTORY`) only that directory's daemon will do; otherwise the runtime link finds
    /// the one running.
    func control() async throws -> ControlClient {
        guard let client = try await runningControl() else {
            throw ControlError(code: .notRunning, socket: socketCandidates().paths.first ?? "", message: "")
        }
        return client
    }

    /// A client for the running daemon; nil only when none runs. A busy, refused or forbidden daemon throws.
    func runningControl() async throws(ControlError) -> ControlClient? {
        try await runningControl(candidatesOnly: false)
    }

    private func runningControl(candidatesOnly: Bool) async throws(ControlError) -> ControlClient? {
        let (paths, stateDirectory) = candidatesOnly ? flagCandidates() : socketCandidates()
        do {
            return try await ControlClient.firstLive(paths, trust: .standard(stateDirectory: stateDirectory))
        } catch {
            guard error.code == .notRunning else { throw error }
            return nil
        }
    }

    /// The sockets to try and the state directory they belong to, if known: `--state-dir` or `$STATE_DIRECTORY`
    /// alone; else the configuration's state directory, then the runtime links.
    private func socketCandidates() -> (paths: [String], stateDirectory: String?) {
        if let explicit = stateDirectory.map({ KioskConfiguration.absoluteStateDirectory($0) })
            ?? environment["STATE_DIRECTORY"].flatMap({ $0.split(separator: ":").first.map(String.init) })
        {
            return ([ControlSocketLocator.socketPath(stateDirectory: explicit)], explicit)
        }
        var known: String?
        if let path = configPath, let configuration = try? ConfigLoader.load(path: path) {
            known = configuration.resolveStateDirectory(flag: nil, environment: environment)
        }
        return (ControlSocketLocator.candidates(stateDirectory: known), known)
    }

    /// For finding the configuration: `--state-dir`'s socket alone, else the runtime links.
    private func flagCandidates() -> (paths: [String], stateDirectory: String?) {
        if let known = stateDirectory.map({ KioskConfiguration.absoluteStateDirectory($0) }) {
            return ([ControlSocketLocator.socketPath(stateDirectory: known)], known)
        }
        return (ControlSocketLocator.candidates(stateDirectory: nil), nil)
    }

    /// The database, opened for reading.
    func database(_ configuration: KioskConfiguration) async throws -> KioskDatabase {
        guard let directory = await resolvedStateDirectory(configuration) else {
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
