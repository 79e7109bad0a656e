import KioskConfig
import KioskCore
import KioskDirectory
import KioskStore

/// Why the kiosk did not start: printed on standard error, with an exit status for systemd.
public struct StartupError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// `78` (EX_CONFIG) for configuration problems, `73` (EX_CANTCREAT) for the state directory and database,
    /// `69` (EX_UNAVAILABLE) for hardware.
    public var exitCode: Int32

    public init(message: String, exitCode: Int32) {
        self.message = message
        self.exitCode = exitCode
    }

    public init(_ error: ConfigError) {
        self.init(message: "configuration problem:\n" + error.description, exitCode: 78)
    }

    public init(_ error: DirectoryError) {
        self.init(message: error.description, exitCode: 78)
    }

    public init(_ error: StateDirectoryError) {
        self.init(message: error.description, exitCode: 73)
    }

    public init(_ error: StoreError) {
        self.init(message: error.description, exitCode: 73)
    }

    public var description: String { message }
}
