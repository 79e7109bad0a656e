import KioskControl

/// What the control socket asks of the partnership sync (implemented by KioskSync's service; the control server does
/// not link the HTTP client).
public protocol SyncControl: Sendable {
    /// Where the sync stands now.
    func status() async -> ControlAPI.SyncStatus
    /// Syncs now (re-reading the enrolment, retrying a stopped sync) and returns the status once the attempt ended,
    /// or after `timeout` with the status then.
    func syncNow(timeout: Duration) async -> ControlAPI.SyncStatus
}
