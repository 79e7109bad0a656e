import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// A problem with the state directory, with what to do.
public struct StateDirectoryError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String { "state directory \(path): \(message)" }
}

/// The daemon's claim on its state directory: one daemon (one database writer) per directory.
public final class StateDirectoryLock: Sendable {
    public let path: String
    private let descriptor: Int32

    /// The mode of the state directory and the folders the daemon creates in it.
    public static let folderMode: mode_t = 0o750
    /// The mode of the files the daemon creates in it.
    public static let fileMode: mode_t = 0o640

    /// Creates the directory if needed and takes an exclusive lock on `hubkioskd.lock` inside it. The directory
    /// gets mode 0750 and the lock file 0640 whatever the umask, an existing directory of ours included.
    public init(directory: String, logger: Logger? = nil) throws(StateDirectoryError) {
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        } catch {
            throw StateDirectoryError(
                path: directory,
                message: "cannot be created (\(error.localizedDescription)); create it, or pass --state-dir")
        }
        StateDirectoryLock.restrict(folder: directory, logger: logger)
        path = (directory as NSString).appendingPathComponent("hubkioskd.lock")
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, StateDirectoryLock.fileMode)
        guard descriptor >= 0 else {
            throw StateDirectoryError(
                path: directory, message: "cannot be written (\(String(cString: strerror(errno)))); check its owner")
        }
        // open(2) applies the umask; fchmod does not (it fails on a lock file of another owner, which is left).
        _ = fchmod(descriptor, StateDirectoryLock.fileMode)
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason =
                errno == EWOULDBLOCK ? "another hubkioskd is running with it" : String(cString: strerror(errno))
            close(descriptor)
            throw StateDirectoryError(
                path: directory, message: "\(reason); stop it first or use another --state-dir")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = pid.withCString { write(descriptor, $0, strlen($0)) }
    }

    /// Takes permission bits beyond 0750 away from a folder the daemon owns (one that existed before, say made
    /// by hand with a loose umask). A folder of another owner is left as it is, with a warning.
    public static func restrict(folder: String, logger: Logger?) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: folder),
            attributes[.type] as? FileAttributeType == .typeDirectory,
            let permissions = (attributes[.posixPermissions] as? NSNumber)?.uint16Value
        else { return }
        guard mode_t(permissions) & ~folderMode != 0 else { return }
        let owner = (attributes[.ownerAccountID] as? NSNumber)?.uint32Value
        if owner != geteuid() || chmod(folder, mode_t(permissions) & folderMode) != 0 {
            logger?.warning(
                "\(folder) has mode \(String(permissions, radix: 8)) and is not ours to change: other users may read it",
                metadata: ["what-to-do": "chmod 750 \(folder)"])
        }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
