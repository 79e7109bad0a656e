import KioskHardware
import KioskRuntime
import ServiceLifecycle

/// Sends systemd's watchdog keep-alive (`WATCHDOG=1`) at half the `WatchdogSec=` interval, but only after the
/// kiosk's loop has answered: a hung kiosk stops the keep-alives and systemd restarts it.
struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let interval: Duration
    let kiosk: KioskService

    func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                await kiosk.flush()
                notifier.watchdog()
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval / 2) }
                } catch {
                    return
                }
            }
        } onGracefulShutdown: {
            notifier.stopping(status: "stopping: finishing the slip in flight")
        }
    }
}
