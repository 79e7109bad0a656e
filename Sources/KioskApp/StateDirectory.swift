import Foundation

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

    /// Creates the directory if needed (mode 0750) and takes an exclusive lock on `hubkioskd.lock` inside it.
    public init(directory: String) throws(StateDirectoryError) {
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        } catch {
            throw StateDirectoryError(
                path: directory,
                message: "cannot be created (\(error.localizedDescription)); create it, or pass --state-dir")
        }
        path = (directory as NSString).appendingPathComponent("hubkioskd.lock")
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else {
            throw StateDirectoryError(
                path: directory, message: "cannot be written (\(String(cString: strerror(errno)))); check its owner")
        }
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

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
