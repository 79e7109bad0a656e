import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Whom `hubkiosk` believes on its way to the daemon: the users whose folders, links, sockets and processes may
/// stand between it and the kiosk.
///
/// Another local user could plant `/tmp/hubkiosk-<uid>` (a shared `/tmp`) with a link to a daemon of their own,
/// which would then show fake alerts, have real ones acknowledged and hand out its own database. So every folder
/// and link on the way to the socket must belong to a trusted user and folders must not be writable by others
/// (unless sticky, as `/tmp` is: then only an entry's owner can replace it, and that owner is checked next), and
/// the process answering on the socket (`SO_PEERCRED`) must run as a trusted user.
public struct SocketTrust: Sendable, Hashable {
    /// The trusted user ids.
    public var users: Set<UInt32>

    public init(users: Set<UInt32>) {
        self.users = users
    }

    /// Root, this process's user, the kiosk's system user (`hubkiosk`, as the package creates it) and the owner of
    /// `stateDirectory` (the daemon's user) when it is known and exists.
    public static func standard(stateDirectory: String? = nil) -> SocketTrust {
        var users: Set<UInt32> = [0, getuid(), geteuid()]
        if let kioskUser { users.insert(kioskUser) }
        var info = stat()
        if let stateDirectory, stat(stateDirectory, &info) == 0 { users.insert(info.st_uid) }
        return SocketTrust(users: users)
    }

    /// The uid of the package's `hubkiosk` system user, if there is one.
    static let kioskUser: UInt32? = userID(named: "hubkiosk")

    // MARK: - The path

    /// Follows `path` folder by folder and link by link, from `/`, and checks every step: each folder and link and
    /// the socket belong to a trusted user, and no folder is writable by group or others unless it is sticky.
    ///
    /// Throws `untrusted` naming the first bad step and what to do, `notRunning` when something on the way does
    /// not exist (no daemon there), `permission` when a folder cannot be read.
    public func checkPath(_ path: String) throws(ControlError) {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var pending = Self.components(absolute)
        var current = "/"
        try checkFolder(current, socket: path)
        var links = 0
        while !pending.isEmpty {
            let name = pending.removeFirst()
            if name == "." { continue }
            if name == ".." {
                current = (current as NSString).deletingLastPathComponent
                continue
            }
            let next = current == "/" ? "/" + name : current + "/" + name
            let info = try status(of: next, socket: path)
            switch info.st_mode & FileMode.typeMask {
            case FileMode.link:
                try checkOwner(info, kind: "link", path: next, socket: path)
                links += 1
                guard links <= 32 else {
                    throw ControlError(code: .untrusted, socket: path, message: "too many links on the way (a loop?)")
                }
                let target = try Self.linkTarget(next, socket: path)
                if target.hasPrefix("/") { current = "/" }
                pending = Self.components(target) + pending
            case FileMode.directory:
                try checkFolder(next, info: info, socket: path)
                current = next
            case FileMode.socket where pending.isEmpty:
                try checkOwner(info, kind: "socket", path: next, socket: path)
            default:
                throw ControlError(
                    code: .untrusted, socket: path,
                    message: "\(next) is not a \(pending.isEmpty ? "socket" : "folder"); it is not the kiosk's "
                        + "control socket: remove it, or pass --state-dir with the kiosk's state directory")
            }
        }
    }

    /// Checks one folder: a trusted owner, and not writable by group or others unless sticky.
    public func checkFolder(_ folder: String, socket: String? = nil) throws(ControlError) {
        let info = try status(of: folder, socket: socket ?? folder)
        guard info.st_mode & FileMode.typeMask == FileMode.directory else {
            throw ControlError(code: .untrusted, socket: socket ?? folder, message: "\(folder) is not a folder")
        }
        try checkFolder(folder, info: info, socket: socket ?? folder)
    }

    private func checkFolder(_ folder: String, info: stat, socket: String) throws(ControlError) {
        try checkOwner(info, kind: "folder", path: folder, socket: socket)
        let mode = info.st_mode
        if mode & FileMode.writableByOthers != 0 && mode & FileMode.sticky == 0 {
            throw ControlError(
                code: .untrusted, socket: socket,
                message: "the folder \(folder) can be changed by other users (mode "
                    + String(mode & 0o7777, radix: 8) + "), so anyone could put a fake kiosk there; make it "
                    + "private (`chmod go-w \(folder)`), or pass --state-dir with the kiosk's state directory")
        }
    }

    private func checkOwner(_ info: stat, kind: String, path: String, socket: String) throws(ControlError) {
        guard !users.contains(info.st_uid) else { return }
        throw ControlError(
            code: .untrusted, socket: socket,
            message: "the \(kind) \(path) belongs to \(Self.describeUser(info.st_uid)), not to you, root or the "
                + "kiosk's user, so it may have been planted to pose as the kiosk; if nobody should have it, remove "
                + "it (`rm \(kind == "folder" ? "-r " : "")\(path)`), or pass --state-dir with the kiosk's state "
                + "directory")
    }

    private func status(of path: String, socket: String) throws(ControlError) -> stat {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            let code = errno
            let text = String(cString: strerror(code))
            switch code {
            case ENOENT, ENOTDIR: throw ControlError(code: .notRunning, socket: socket, message: text)
            case EACCES, EPERM: throw ControlError(code: .permission, socket: socket, message: "\(path): \(text)")
            default: throw ControlError(code: .badResponse, socket: socket, message: "\(path): \(text)")
            }
        }
        return info
    }

    // MARK: - The peer

    /// Checks that the process listening on the connected socket `descriptor` runs as a trusted user.
    public func checkPeer(_ descriptor: Int32, socket: String) throws(ControlError) {
        var credentials = PeerCredentials()
        var length = socklen_t(MemoryLayout<PeerCredentials>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else {
            throw ControlError(
                code: .untrusted, socket: socket,
                message: "cannot tell who answers there (SO_PEERCRED: \(String(cString: strerror(errno))))")
        }
        guard !users.contains(credentials.uid) else { return }
        throw ControlError(
            code: .untrusted, socket: socket,
            message: "the program answering there (pid \(credentials.pid)) runs as "
                + "\(Self.describeUser(credentials.uid)), not as you, root or the kiosk's user, so it is not your "
                + "kiosk's daemon; see what it is with `ps -o user,pid,cmd -p \(credentials.pid)`, remove the link "
                + "or socket \(socket), or pass --state-dir with the kiosk's state directory")
    }

    // MARK: - Helpers

    /// `struct ucred` of `<sys/socket.h>` (`_GNU_SOURCE`), which the Glibc module does not always export.
    private struct PeerCredentials {
        var pid: Int32 = 0
        var uid: UInt32 = UInt32.max
        var gid: UInt32 = UInt32.max
    }

    private enum FileMode {
        static let typeMask: mode_t = 0o170_000
        static let directory: mode_t = 0o040_000
        static let link: mode_t = 0o120_000
        static let socket: mode_t = 0o140_000
        static let sticky: mode_t = 0o1000
        static let writableByOthers: mode_t = 0o022
    }

    private static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    private static func linkTarget(_ link: String, socket: String) throws(ControlError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(link, &buffer, buffer.count - 1)
        guard count >= 0 else {
            throw ControlError(
                code: .badResponse, socket: socket, message: "\(link): \(String(cString: strerror(errno)))")
        }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func userID(named name: String) -> UInt32? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.pw_uid
    }

    /// "nobody (uid 65534)", or "uid 1234" for a user without a name.
    static func describeUser(_ uid: UInt32) -> String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name
        else { return "uid \(uid)" }
        return "\(String(cString: name)) (uid \(uid))"
    }
}
