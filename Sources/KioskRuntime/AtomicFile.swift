import Foundation

/// Files written whole or not at all: the kiosk's small state files (the sync's enrolment and key, the directory's
/// last good copy and its state).
public enum AtomicFile {
    /// Writes `data` to a temporary file of mode `mode` beside `target` (owned by `owner` when given: a tool run
    /// as root writes for the daemon's user), fsyncs it and renames it into place. Throws a message naming the file
    /// and the system's reason; nothing is left half-written.
    public static func write(
        _ data: some DataProtocol, to target: String, mode: mode_t, owner: (uid_t, gid_t)? = nil
    ) throws(AtomicFileError) {
        let temporary = target + ".new"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw AtomicFileError(description: "cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        fchmod(fd, mode)
        if let owner { fchown(fd, owner.0, owner.1) }
        let bytes = Array(data)
        let written = bytes.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += count
            }
            return true
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard written, synced, rename(temporary, target) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw AtomicFileError(description: "cannot write \(target): \(reason)")
        }
    }
}

public struct AtomicFileError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
