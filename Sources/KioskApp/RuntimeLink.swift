import Foundation
import KioskControl
import Logging
import Synchronization

/// A symbolic link to the control socket from a runtime folder (`/run/hubkiosk`, `$XDG_RUNTIME_DIR/hubkiosk`,
/// `/tmp/hubkiosk-<uid>`), so `hubkiosk` finds the daemon without being told its state directory.
///
/// A folder that is already there is used only if `hubkiosk` would trust it (``SocketTrust``): owned by this
/// user or root and not writable by others. One planted by another user in a shared `/tmp` is left alone, with a
/// warning, and neither gets our link nor keeps us from linking from the next folder.
final class RuntimeLink: Sendable {
    let target: String
    let logger: Logger
    let environment: [String: String]
    private let created = Mutex<String?>(nil)

    init(target: String, logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.target = target
        self.logger = logger
        self.environment = environment
    }

    func create() async {
        let trust = SocketTrust.standard()
        for directory in ControlSocketLocator.runtimeDirectories(environment: environment) {
            let fm = FileManager.default
            if !fm.fileExists(atPath: directory) {
                guard
                    (try? fm.createDirectory(
                        atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o750]))
                        != nil
                else { continue }
            }
            do {
                try trust.checkPath(directory)
            } catch {
                logger.warning(
                    "not linking the control socket from \(directory): \(error.message)",
                    metadata: ["socket": "\(target)"])
                continue
            }
            guard fm.isWritableFile(atPath: directory) else { continue }
            let link = (directory as NSString).appendingPathComponent(ControlAPI.socketName)
            if let existing = try? fm.destinationOfSymbolicLink(atPath: link), existing != target {
                // Another daemon's socket: leave it if that daemon still answers (and is one `hubkiosk` trusts).
                if (try? await ControlClient.firstLive([link], trust: trust, probeTimeout: .seconds(2))) != nil {
                    logger.notice("another hubkioskd owns \(link); use --state-dir to reach this one")
                    return
                }
            }
            unlink(link)
            if symlink(target, link) == 0 {
                created.withLock { $0 = link }
                return
            }
        }
    }

    func remove() {
        guard let link = created.withLock({ $0 }) else { return }
        if (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == target { unlink(link) }
    }
}
