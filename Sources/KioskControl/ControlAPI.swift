/// The JSON the daemon and `hubkiosk` exchange over the control socket (HTTP/1.1 on a Unix socket).
public enum ControlAPI {
    /// The socket's file name, in the state directory.
    public static let socketName = "hubkioskd.sock"

    /// `POST /sim/press`: press a simulated button.
    public struct PressRequest: Codable, Sendable {
        public var button: String
        /// How long to hold the button; within ``holdMillisecondsRange``. Nil: the simulator's `hold_ms`.
        public var holdMilliseconds: Int?

        /// The holds a press may ask for: from 1 ms to an hour (a scenario's longest `hold`), well past the stuck
        /// limit, so that a stuck button can be simulated but no hold overflows the clock.
        public static let holdMillisecondsRange: ClosedRange<Int> = 1...3_600_000

        public init(button: String, holdMilliseconds: Int? = nil) {
            self.button = button
            self.holdMilliseconds = holdMilliseconds
        }

        enum CodingKeys: String, CodingKey {
            case button, holdMilliseconds
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            button = try container.decode(String.self, forKey: .button)
            holdMilliseconds = try container.decodeWholeNumber(forKey: .holdMilliseconds, unit: "milliseconds")
        }

        /// A press held for `hold`, in whole milliseconds (rounded down; saturating, never trapping).
        public init(button: String, hold: Duration) {
            let (seconds, attoseconds) = hold.components
            let (millis, overflow) = seconds.multipliedReportingOverflow(by: 1000)
            let (total, carry) = millis.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
            let value = overflow || carry ? (seconds < 0 ? Int64.min : Int64.max) : total
            self.init(button: button, holdMilliseconds: Int(clamping: value))
        }

        /// What is wrong with the request's values, naming the field; nil when they are fine.
        public var problem: String? {
            if let hold = holdMilliseconds, !Self.holdMillisecondsRange.contains(hold) {
                return "holdMilliseconds: \(hold) is out of range: a press is held from "
                    + "\(Self.holdMillisecondsRange.lowerBound) to \(Self.holdMillisecondsRange.upperBound) ms "
                    + "(an hour)"
            }
            return nil
        }
    }

    public struct PressResponse: Codable, Sendable {
        /// `stored`, `not-stored` (the database failed; not acknowledged) or `ignored` (a bounce).
        public var result: String
        public var pressID: String?
        public var visitID: String?
        public var button: String
        public var need: String?
        public var newVisit: Bool?
        public var counted: Bool?
        public var flags: [String]?
        /// `printing`, `deferred` or `none`.
        public var slip: String?
        public var slipID: String?
        public var error: String?

        public init(
            result: String, pressID: String? = nil, visitID: String? = nil, button: String, need: String? = nil,
            newVisit: Bool? = nil, counted: Bool? = nil, flags: [String]? = nil, slip: String? = nil,
            slipID: String? = nil, error: String? = nil
        ) {
            self.result = result
            self.pressID = pressID
            self.visitID = visitID
            self.button = button
            self.need = need
            self.newVisit = newVisit
            self.counted = counted
            self.flags = flags
            self.slip = slip
            self.slipID = slipID
            self.error = error
        }
    }

    /// `POST /slip/print`: staff print a slip at the desk.
    public struct SlipRequest: Codable, Sendable {
        public var needs: [String]

        public init(needs: [String]) {
            self.needs = needs
        }
    }

    public struct SlipResponse: Codable, Sendable {
        public var slipID: String

        public init(slipID: String) {
            self.slipID = slipID
        }
    }

    /// `POST /sim/printer`: set the simulated printer's condition.
    public struct PrinterRequest: Codable, Sendable {
        public var state: String

        public init(state: String) {
            self.state = state
        }
    }

    /// `GET /status`.
    public struct StatusResponse: Codable, Sendable {
        public var hub: String
        public var hubName: String
        public var backend: String
        public var day: String
        public var visits: Int
        public var needs: [String: Int]
        public var presses: Int
        public var flaggedPresses: Int
        public var slipsPrinted: Int
        public var slipsNotPrinted: Int
        public var lastPressAt: String?
        public var printer: String
        public var alerts: [String]
        public var visitInProgress: Bool
        public var lights: [String: String]
        public var storageError: String?
        /// The partnership sync, when the daemon runs one.
        public var sync: SyncStatus?
        /// The directory of services in use and how current it is.
        public var directory: DirectoryStatus?

        public init(
            hub: String, hubName: String, backend: String, day: String, visits: Int, needs: [String: Int],
            presses: Int, flaggedPresses: Int, slipsPrinted: Int, slipsNotPrinted: Int, lastPressAt: String?,
            printer: String, alerts: [String], visitInProgress: Bool, lights: [String: String], storageError: String?,
            sync: SyncStatus? = nil, directory: DirectoryStatus? = nil
        ) {
            self.hub = hub
            self.hubName = hubName
            self.backend = backend
            self.day = day
            self.visits = visits
            self.needs = needs
            self.presses = presses
            self.flaggedPresses = flaggedPresses
            self.slipsPrinted = slipsPrinted
            self.slipsNotPrinted = slipsNotPrinted
            self.lastPressAt = lastPressAt
            self.printer = printer
            self.alerts = alerts
            self.visitInProgress = visitInProgress
            self.lights = lights
            self.storageError = storageError
            self.sync = sync
            self.directory = directory
        }
    }

    /// `GET /info`: where the running daemon keeps its things.
    public struct InfoResponse: Codable, Sendable {
        public var configFile: String
        public var stateDirectory: String
        public var backend: String
        public var pid: Int32

        public init(configFile: String, stateDirectory: String, backend: String, pid: Int32) {
            self.configFile = configFile
            self.stateDirectory = stateDirectory
            self.backend = backend
            self.pid = pid
        }
    }

    /// The body of every error response.
    public struct ErrorResponse: Codable, Sendable {
        public var error: String
        /// For an unknown button or need: the valid ones.
        public var valid: [String]?

        public init(error: String, valid: [String]? = nil) {
            self.error = error
            self.valid = valid
        }
    }
}

extension KeyedDecodingContainer {
    /// An optional whole number; a number that is not one, or does not fit (`2.5`, `1e300`,
    /// `9223372036854775808`), is an error naming the field and the value rather than "not valid JSON".
    func decodeWholeNumber(forKey key: Key, unit: String) throws -> Int? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let whole = try? decode(Int.self, forKey: key) { return whole }
        if let number = try? decode(Double.self, forKey: key) {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "\(number) is not a whole number of \(unit) in range")
        }
        return try decode(Int.self, forKey: key)
    }
}
