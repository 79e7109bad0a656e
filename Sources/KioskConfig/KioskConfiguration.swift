import ESCPOS
import Foundation
import KioskCore
import KioskDirectory

/// Which hardware the daemon drives.
public enum Backend: String, Hashable, Sendable, CaseIterable {
    /// Virtual buttons, LEDs and printer; slips written to files. No hardware needed.
    case simulator
    /// GPIO buttons and LEDs (libgpiod) and a real receipt printer.
    case board
}

/// Everything a kiosk is configured with, checked and with defaults filled in.
public struct KioskConfiguration: Sendable {
    public struct Hub: Hashable, Sendable {
        /// Names the hub in exports and sync (`leith-links`).
        public var id: String
        /// Printed at the top of every slip.
        public var name: String
        public var timeZone: HubTimeZone
    }

    public struct Slip: Hashable, Sendable {
        public var servicesPerNeed = 3
        public var maximumServices = 6
        public var title = "Places that can help"
        public var footer = ["Free and confidential.", "Ask a member of staff if you would like a hand."]
    }

    /// GPIO wiring (backend "board").
    public struct Board: Hashable, Sendable {
        /// The chip of lines given as bare offsets (`gpiochip0`, a path, or a label).
        public var chip: String?
        /// Buttons pull their line to ground when pressed (pressed = low).
        public var activeLow = true
        /// `pull-up`, `pull-down`, `disabled` or `as-is`.
        public var bias = "pull-up"
        /// LEDs light when their line is low.
        public var ledActiveLow = false
        /// The staff-alert LED or buzzer.
        public var staffAlert: GPIOLineSpec?
        /// `led` or `buzzer`.
        public var staffAlertDevice = "led"

        public static let biases = ["pull-up", "pull-down", "disabled", "as-is"]
    }

    /// The button's GPIO line and LED (backend "board").
    public struct Wiring: Hashable, Sendable {
        public var line: GPIOLineSpec?
        public var led: GPIOLineSpec?
    }

    /// How the printer is connected (backend "board").
    public struct PrinterLink: Hashable, Sendable {
        public var device: PrinterDevice?
        /// Serial speed; default 19200 for the CSN-A2 profile, else 115200.
        public var baud: Int?
        /// `none`, `rts-cts` or `xon-xoff`.
        public var flowControl = "none"
        public var writeTimeout: Duration = .seconds(10)
        /// For serial links without flow control: bytes per second the printer keeps up with (0: unthrottled).
        public var throttleBytesPerSecond: Int?

        public static let flowControls = ["none", "rts-cts", "xon-xoff"]
    }

    /// `[web]`: the pages for staff (and, on the simulator, the simulator's controls) on the hub's network. Absent:
    /// no pages (the control socket still serves `hubkiosk`).
    public struct Web: Hashable, Sendable {
        /// One address to listen on.
        public struct Address: Hashable, Sendable, CustomStringConvertible {
            /// An IPv4 or IPv6 literal; nil for "auto": the hub's LAN address (never every interface).
            public var host: String?
            public var port: Int

            public init(host: String?, port: Int) {
                self.host = host
                self.port = port
            }

            public var description: String {
                guard let host else { return "auto:\(port)" }
                return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            }
        }

        public var listen: [Address] = [Address(host: nil, port: 8443)]
        /// HTTPS with the kiosk's own certificate (made on first start, its fingerprint on the setup slip).
        public var tls = true
        /// A session with no request for this long ends.
        public var sessionIdle: Duration = .seconds(30 * 60)

        public init() {}
    }

    /// `[sync]`: the partnership sync (it runs once the kiosk is enrolled with `hubkiosk sync enrol`).
    public struct Sync: Hashable, Sendable {
        public enum Granularity: String, Hashable, Sendable, CaseIterable {
            case hour
            case day
        }

        /// Between successful syncs.
        public var interval: Duration = .seconds(300)
        /// The buckets sent: by hour (the default) or, for hubs that want coarser data, by day.
        public var granularity = Granularity.hour
        /// Raw presses are deleted this many days after the service acknowledged their buckets (tallies stay).
        public var purgePressesAfterDays = 35
        /// How long one request may take before it counts as failed (and is retried).
        public var requestTimeout: Duration = .seconds(30)

        public init() {}
    }

    /// `[directory]`: where the directory of services comes from and how it is kept current.
    public struct DirectorySource: Hashable, Sendable {
        /// A feed the daemon pulls (http or https): ORUK v3 or v1 (paged) or ALISS. Nil: the directory file is the
        /// source, read at start, on `hubkiosk directory reload` and on SIGHUP.
        public var url: URL?
        /// The local time of the daily pull: a quiet hour by default.
        public var pullAt = LocalTime(hour: 3, minute: 30)!
        /// Pull every this many hours instead of nightly (a feed that changes during the day), if set.
        public var pullEveryHours: Int?
        /// How long one request of a pull may take.
        public var timeout: Duration = .seconds(30)
        /// A directory not checked against its source for this many days is out of date (status, doctor, alert).
        /// Unset: 14 days for a feed; a file is never out of date unless this is set (it is checked when edited or
        /// reloaded, and a hand-kept file may rightly stay the same for months).
        public var staleAfterDays: Int?
        /// ``staleAfterDays``, or its default for the source.
        public var effectiveStaleAfterDays: Int? { staleAfterDays ?? (url == nil ? nil : 14) }
        /// A new copy with more than this percentage of the services in use gone waits for staff to confirm it.
        public var maximumLossPercent = 50

        public init() {}
    }

    public struct Simulator: Hashable, Sendable {
        /// How long `sim press` holds a button down.
        public var hold: Duration = .milliseconds(120)
    }

    /// The file this was read from (absolute).
    public var file: String
    public var hub: Hub
    public var backend: Backend
    /// `state_dir` from the file (absolute), if it set one.
    public var stateDirectory: String?
    /// The directory of services (absolute).
    public var directoryFile: String
    /// Whether the configuration names the directory file (`[kiosk] directory` or a file `[directory] source`)
    /// rather than leaving the default: with a feed, only a named file is a fallback.
    public var directoryFileIsExplicit = false
    /// The format of the directory file (`[kiosk] directory_format`): `auto` unless the file says otherwise.
    public var directoryFormat: DirectoryFormat = .auto
    public var printerProfile: PrinterProfile
    public var slip: Slip
    public var rules: PressRules
    public var layout: KioskLayout
    public var simulator: Simulator
    public var board: Board
    public var wiring: [ButtonID: Wiring]
    public var printerLink: PrinterLink
    public var sync = Sync()
    /// Nil without a `[web]` table.
    public var web: Web?
    public var directorySource = DirectorySource()

    /// Whether to take the wall clock as synchronised whatever the kernel says (default: yes for the simulator,
    /// no on the board, where presses before the clock syncs are corrected or marked approximate).
    public var trustClock: Bool

    /// The configuration file used when `--config` is not given.
    public static let defaultPath = "/etc/hubkiosk/kiosk.toml"
    /// Where the database lives when nothing else says.
    public static let defaultStateDirectory = "/var/lib/hubkiosk"

    /// The state directory: `--state-dir`, else `$STATE_DIRECTORY` (set by systemd), else the file's `state_dir`,
    /// else `/var/lib/hubkiosk`.
    public func resolveStateDirectory(flag: String?, environment: [String: String]) -> String {
        KioskConfiguration.resolveStateDirectory(
            flag: flag, environment: environment, configured: stateDirectory)
    }

    public static func resolveStateDirectory(
        flag: String?, environment: [String: String], configured: String?
    )
        -> String
    {
        if let flag, !flag.isEmpty { return absolute(flag, relativeTo: FileManager.default.currentDirectoryPath) }
        // systemd passes a colon-separated list when the unit names several directories.
        if let fromSystemd = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !fromSystemd.isEmpty {
            return String(fromSystemd)
        }
        return configured ?? defaultStateDirectory
    }

    static func absolute(_ path: String, relativeTo base: String) -> String {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
        return URL(fileURLWithPath: base).appendingPathComponent(path).standardizedFileURL.path
    }
}

extension KioskConfiguration.Web {
    /// Why a `[web] listen` entry is not an address.
    public struct AddressProblem: Error, CustomStringConvertible {
        public let description: String
    }

    /// "auto", "auto:8443", "192.168.1.20", "192.168.1.20:8443", "[fd00::5]:8443", "::1", "localhost:8080".
    public static func parse(_ text: String, defaultPort: Int) -> Result<Address, AddressProblem> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let example = "like \"auto\" (the hub's LAN address), \"192.168.1.20:8443\" or \"[fd00::20]:8443\""
        var host = trimmed
        var port = defaultPort
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else {
                return .failure(
                    AddressProblem(description: "\"\(text)\" has no closing ]; write an address \(example)"))
            }
            host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            let rest = trimmed[trimmed.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let value = Int(rest.dropFirst()), (1...65_535).contains(value) else {
                    return .failure(AddressProblem(description: "\"\(text)\" has no port 1-65535 after ]:"))
                }
                port = value
            }
        } else if trimmed.filter({ $0 == ":" }).count == 1, let colon = trimmed.firstIndex(of: ":") {
            host = String(trimmed[..<colon])
            guard let value = Int(trimmed[trimmed.index(after: colon)...]), (1...65_535).contains(value) else {
                return .failure(AddressProblem(description: "\"\(text)\": the port should be a number 1-65535"))
            }
            port = value
        }
        if host == "auto" { return .success(Address(host: nil, port: port)) }
        if host == "localhost" { host = "127.0.0.1" }
        guard isIPv4(host) || (host.contains(":") && host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }))
        else {
            return .failure(
                AddressProblem(description: "\"\(text)\" is not an IP address; write an address \(example)"))
        }
        return .success(Address(host: host, port: port))
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }
}
