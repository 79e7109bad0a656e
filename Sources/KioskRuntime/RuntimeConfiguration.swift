import KioskCore

/// What the kiosk service needs to know beyond its hardware.
public struct RuntimeConfiguration: Sendable {
    public var hubID: String
    public var layout: KioskLayout
    public var rules: PressRules
    public var timeZone: HubTimeZone
    /// A slip that waited longer than this for the printer is not printed (no bulk replay).
    public var slipMaximumAge: Duration

    public init(
        hubID: String,
        layout: KioskLayout,
        rules: PressRules,
        timeZone: HubTimeZone,
        slipMaximumAge: Duration = .seconds(60)
    ) {
        self.hubID = hubID
        self.layout = layout
        self.rules = rules
        self.timeZone = timeZone
        self.slipMaximumAge = slipMaximumAge
    }
}
