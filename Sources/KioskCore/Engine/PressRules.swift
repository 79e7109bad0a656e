/// The kiosk's rules for presses, visits and slips (DESIGN.md "The kiosk's behaviour"; all configurable).
public struct PressRules: Hashable, Sendable {
    /// Edges closer than this are one press.
    public var debounce: Duration
    /// A visit ends after this long without a press.
    public var visitIdle: Duration
    /// The same button again within this window is flagged.
    public var sameButtonWindow: Duration
    /// More than `burstLimit` presses within `burstWindow` are flagged.
    public var burstLimit: Int
    public var burstWindow: Duration
    /// A button held down longer than this is stuck.
    public var stuckAfter: Duration
    /// At most one slip per this interval.
    public var slipInterval: Duration
    /// A staff alert for "talk to someone" clears itself after this long (staff can clear it sooner).
    public var talkAlertDuration: Duration

    public init(
        debounce: Duration = .milliseconds(30),
        visitIdle: Duration = .seconds(60),
        sameButtonWindow: Duration = .seconds(3),
        burstLimit: Int = 6,
        burstWindow: Duration = .seconds(10),
        stuckAfter: Duration = .seconds(30),
        slipInterval: Duration = .seconds(5),
        talkAlertDuration: Duration = .seconds(300)
    ) {
        self.debounce = debounce
        self.visitIdle = visitIdle
        self.sameButtonWindow = sameButtonWindow
        self.burstLimit = burstLimit
        self.burstWindow = burstWindow
        self.stuckAfter = stuckAfter
        self.slipInterval = slipInterval
        self.talkAlertDuration = talkAlertDuration
    }

    public static let defaults = PressRules()
}

/// Why a stored press is left out of counts (or, for `duplicate`, counts nothing new).
public struct PressFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// The need was already recorded in this visit: stored, counts nothing new, prints nothing.
    public static let duplicate = PressFlags(rawValue: 1 << 0)
    /// The same button again within the same-button window.
    public static let repeated = PressFlags(rawValue: 1 << 1)
    /// More presses within the burst window than the rules allow.
    public static let burst = PressFlags(rawValue: 1 << 2)
    /// The button stayed down longer than the stuck limit.
    public static let stuck = PressFlags(rawValue: 1 << 3)

    /// Flags that break the rules: such a press is left out of every count.
    public static let misuse: PressFlags = [.repeated, .burst, .stuck]

    public var breaksRules: Bool { !isDisjoint(with: .misuse) }

    public var names: [String] {
        var names: [String] = []
        if contains(.duplicate) { names.append("duplicate") }
        if contains(.repeated) { names.append("repeat") }
        if contains(.burst) { names.append("burst") }
        if contains(.stuck) { names.append("stuck") }
        return names
    }

    public var description: String { names.isEmpty ? "none" : names.joined(separator: ",") }

    public init?(names: [String]) {
        var flags = PressFlags()
        for name in names {
            switch name {
            case "duplicate": flags.insert(.duplicate)
            case "repeat": flags.insert(.repeated)
            case "burst": flags.insert(.burst)
            case "stuck": flags.insert(.stuck)
            default: return nil
            }
        }
        self = flags
    }
}
