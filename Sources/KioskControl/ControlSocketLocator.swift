import Foundation

/// Where the daemon's control socket is.
///
/// The daemon listens on `<state directory>/hubkioskd.sock` and links it from a per-user runtime place, so that
/// `hubkiosk` finds a running daemon without being told where its state directory is.
public enum ControlSocketLocator {
    /// The socket in `stateDirectory`.
    public static func socketPath(stateDirectory: String) -> String {
        (stateDirectory as NSString).appendingPathComponent(ControlAPI.socketName)
    }

    /// Runtime folders for the link, most specific first: systemd's `RuntimeDirectory=`, `/run/hubkiosk`,
    /// `$XDG_RUNTIME_DIR/hubkiosk`, `/tmp/hubkiosk-<uid>`.
    public static func runtimeDirectories(
        environment: [String: String] = ProcessInfo.processInfo.environment
    )
        -> [String]
    {
        var directories: [String] = []
        if let runtime = environment["RUNTIME_DIRECTORY"]?.split(separator: ":").first {
            directories.append(String(runtime))
        }
        directories.append("/run/hubkiosk")
        if let xdg = environment["XDG_RUNTIME_DIR"], !xdg.isEmpty {
            directories.append((xdg as NSString).appendingPathComponent("hubkiosk"))
        }
        directories.append("/tmp/hubkiosk-\(getuid())")
        return directories
    }

    /// Sockets to try, in order: the one in `stateDirectory` (if known), then the runtime links.
    public static func candidates(
        stateDirectory: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String] {
        var paths: [String] = []
        if let stateDirectory { paths.append(socketPath(stateDirectory: stateDirectory)) }
        for directory in runtimeDirectories(environment: environment) {
            paths.append((directory as NSString).appendingPathComponent(ControlAPI.socketName))
        }
        return paths
    }
}
