import KioskControl

/// What the control socket asks of the directory updater (in KioskApp; the control server does not link the
/// feed's HTTP client).
public protocol DirectoryControl: Sendable {
    /// The directory in use and where it stands.
    func status() async -> ControlAPI.DirectoryStatus
    /// Reads the source again (the file, or the feed: a pull now) and uses it if it is good.
    func reload() async -> ControlAPI.DirectoryStatus
    /// Uses `document` (a directory in `format`, from `label`) if it is good; `allowLoss` confirms a copy with most
    /// services gone. The status says what happened.
    func apply(document: [UInt8], format: String, label: String, allowLoss: Bool) async -> ControlAPI.DirectoryStatus
}
