import Foundation
import KioskControl
import Logging
import Synchronization

/// A symbolic link to the control socket from a runtime folder (`/run/hubkiosk`, `$XDG_RUNTIME_DIR/hubkiosk`,
/// `/tmp/hubkiosk-<uid>`), so `hubkiosk` finds the daemon without being told its state directory.
final class RuntimeLink: Sendable {
    let target: String
    let logger: Logger
    private let created = Mutex<String?>(nil)

    init(target: String, logger: Logger) {
        self.target = target
        self.logger = logger
    }

    func create() {
        for directory in ControlSocketLocator.runtimeDirectories() {
            let fm = FileManager.default
            if !fm.fileExists(atPath: directory) {
                guard
                    (try? fm.createDirectory(
                        atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o750]))
                        != nil
                else { continue }
            }
            guard fm.isWritableFile(atPath: directory) else { continue }
            let link = (directory as NSString).appendingPathComponent(ControlAPI.socketName)
            if let existing = try? fm.destinationOfSymbolicLink(atPath: link), existing != target {
                // Another daemon's socket: leave it if that daemon still answers.
                if ControlClient.connectToFirstLive([existing]) != nil {
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
