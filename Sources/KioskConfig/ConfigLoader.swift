import ESCPOS
import Foundation
import KioskCore
import KioskDirectory
import TOMLKit

/// Reads `kiosk.toml`. Every problem in the file is reported at once, each with its line and key.
public enum ConfigLoader {
    /// A kiosk.toml larger than this is not one (the complete examples are 5 KB).
    static let maximumFileBytes = 1_000_000

    /// Loads and checks the configuration at `path`.
    public static func load(path: String) throws(ConfigError) -> KioskConfiguration {
        let absolute = KioskConfiguration.absolute(path, relativeTo: FileManager.default.currentDirectoryPath)
        let text: String
        do throws(TextFileError) {
            text = try TextFile.text(atPath: absolute, maximumBytes: maximumFileBytes)
        } catch {
            var message = error.message
            switch error.reason {
            case .doesNotExist:
                message +=
                    "; pass --config with the path of your kiosk.toml (an example is Simulator/kiosk.toml)"
            case .empty:
                message +=
                    "; it needs at least [hub] id, [kiosk] backend and one [[buttons]] (Simulator/kiosk.toml and "
                    + "packaging/kiosk.toml are complete examples)"
            default: break
            }
            throw ConfigError(ConfigProblem(file: path, line: error.line, key: nil, message: message))
        }
        return try parse(text, file: path, absolutePath: absolute)
    }

    /// Checks configuration `text`; `file` is how messages name it and `absolutePath` what relative paths are
    /// relative to.
    public static func parse(
        _ text: String, file: String, absolutePath: String
    ) throws(ConfigError)
        -> KioskConfiguration
    {
        let (root, context) = try ReaderContext.parse(text, file: file)
        let base = URL(fileURLWithPath: absolutePath).deletingLastPathComponent().path
        var top = TableReader(root, name: "", context: context)
        func table(_ key: String) -> TOMLTable? {
            guard let value = root[key] else { return nil }
            guard let table = value.table else {
                top.problem(key, "should be a table ([\(key)]); found \(value.type)")
                return nil
            }
            return table
        }
        for key in [
            "hub", "kiosk", "printer", "slip", "visit", "rules", "simulator", "board", "sync", "directory", "web",
        ] {
            top.markKnown(key)
        }

        // [hub]
        var hubReader = TableReader(table("hub"), name: "hub", context: context)
        let hubIDText = hubReader.string("id")
        if !hubReader.has("id") {
            hubReader.problem(
                "id",
                "is not set; add it under [hub], like id = \"leith-links\" (it names the hub in exports, so it has "
                    + "no default)")
        } else if let hubIDText, !NeedCode.isValid(hubIDText) {
            hubReader.problem(
                "id", "\"\(hubIDText)\" should be lower-case letters, digits, - and _ (like \"leith-links\")")
        }
        let hubID = hubIDText ?? ""
        let hubName = hubReader.string("name") ?? "Community hub"
        var timeZone = HubTimeZone.london
        if let zoneName = hubReader.string("time_zone") {
            if let zone = HubTimeZone(identifier: zoneName) {
                timeZone = zone
            } else {
                hubReader.problem("time_zone", "\"\(zoneName)\" is not a time zone name like \"Europe/London\"")
            }
        }
        hubReader.reportUnknownKeys()

        // [kiosk]
        var kiosk = TableReader(table("kiosk"), name: "kiosk", context: context)
        var backend = Backend.simulator
        if let name = kiosk.string("backend") {
            if let value = Backend(rawValue: name) {
                backend = value
            } else {
                kiosk.problem("backend", "\"\(name)\" is not a backend; use \"simulator\" or \"board\"")
            }
        } else if !kiosk.has("backend") {
            kiosk.problem(
                "backend",
                "is not set; add it under [kiosk]: backend = \"board\" (GPIO buttons and a real printer) or "
                    + "backend = \"simulator\" (virtual buttons, no hardware)")
        }
        let stateDirectory = kiosk.string("state_dir").map { KioskConfiguration.absolute($0, relativeTo: base) }
        let trustClock = kiosk.bool("trust_clock") ?? (backend == .simulator)
        let directoryName = kiosk.string("directory")
        var directoryFile = KioskConfiguration.absolute(directoryName ?? "directory.json", relativeTo: base)
        var directoryFormat = DirectoryFormat.auto
        if let name = kiosk.string("directory_format") {
            if let format = DirectoryFormat(name: name) {
                directoryFormat = format
            } else {
                kiosk.problem(
                    "directory_format", "\"\(name)\" is not a directory format; use one of \(DirectoryFormat.names)")
            }
        }
        kiosk.reportUnknownKeys()

        // [printer]
        var printer = TableReader(table("printer"), name: "printer", context: context)
        var profile = PrinterProfile.epsonTMT20II
        if let name = printer.string("profile") {
            if let value = PrinterProfile.named(name) {
                profile = value
            } else {
                printer.problem(
                    "profile",
                    "\"\(name)\" is not a printer profile; use one of "
                        + PrinterProfile.all.map { "\"\($0.id)\"" }.joined(separator: ", "))
            }
        }
        var link = KioskConfiguration.PrinterLink()
        if let text = printer.string("device") {
            link.device = PrinterDevice(text)
            if link.device == nil {
                printer.problem(
                    "device",
                    "\"\(text)\" is not a printer device; use /dev/usb/lp0 (USB), /dev/ttyUSB0 or /dev/serial0 (serial) "
                        + "or tcp://192.168.1.50:9100 (network)")
            }
        }
        if let baud = printer.integer("baud", in: 1200...921_600, unit: "baud") {
            if [9600, 19200, 38400, 57600, 115_200].contains(baud) {
                link.baud = baud
            } else {
                printer.problem("baud", "\(baud) is not supported; use 9600, 19200, 38400, 57600 or 115200")
            }
        }
        if let flow = printer.string("flow_control") {
            if KioskConfiguration.PrinterLink.flowControls.contains(flow) {
                link.flowControl = flow
            } else {
                printer.problem("flow_control", "\"\(flow)\" is not a flow control; use none, rts-cts or xon-xoff")
            }
        }
        if let timeout = printer.duration(seconds: "write_timeout_seconds", in: 1...120) { link.writeTimeout = timeout }
        link.throttleBytesPerSecond = printer.integer("throttle_bytes_per_second", in: 0...1_000_000, unit: "bytes/s")
        printer.reportUnknownKeys()

        // [board]
        var boardReader = TableReader(table("board"), name: "board", context: context)
        var board = KioskConfiguration.Board()
        board.chip = boardReader.string("chip")
        if let value = boardReader.bool("active_low") { board.activeLow = value }
        if let value = boardReader.bool("led_active_low") { board.ledActiveLow = value }
        if let bias = boardReader.string("bias") {
            if KioskConfiguration.Board.biases.contains(bias) {
                board.bias = bias
            } else {
                boardReader.problem("bias", "\"\(bias)\" is not a bias; use pull-up, pull-down, disabled or as-is")
            }
        }
        board.staffAlert = lineSpec(&boardReader, "staff_alert")
        if let device = boardReader.string("staff_alert_device") {
            if ["led", "buzzer"].contains(device) {
                board.staffAlertDevice = device
            } else {
                boardReader.problem("staff_alert_device", "\"\(device)\" is not led or buzzer")
            }
        }
        boardReader.reportUnknownKeys()

        // [slip]
        var slipReader = TableReader(table("slip"), name: "slip", context: context)
        var slip = KioskConfiguration.Slip()
        if let value = slipReader.integer("services_per_need", in: 1...10, unit: "services") {
            slip.servicesPerNeed = value
        }
        if let value = slipReader.integer("max_services", in: 1...20, unit: "services") { slip.maximumServices = value }
        if let value = slipReader.string("title") { slip.title = value }
        if let value = slipReader.strings("footer") { slip.footer = value }
        slipReader.reportUnknownKeys()

        // [visit] and [rules]
        var rules = PressRules()
        var visit = TableReader(table("visit"), name: "visit", context: context)
        if let value = visit.duration(seconds: "idle_seconds", in: 5...3600) { rules.visitIdle = value }
        visit.reportUnknownKeys()
        var rulesReader = TableReader(table("rules"), name: "rules", context: context)
        if let value = rulesReader.duration(milliseconds: "debounce_ms", in: 0...500) { rules.debounce = value }
        if let value = rulesReader.duration(seconds: "same_button_seconds", in: 0...60) {
            rules.sameButtonWindow = value
        }
        if let value = rulesReader.integer("burst_presses", in: 1...100, unit: "presses") { rules.burstLimit = value }
        if let value = rulesReader.duration(seconds: "burst_seconds", in: 1...300) { rules.burstWindow = value }
        if let value = rulesReader.duration(seconds: "stuck_seconds", in: 2...3600) { rules.stuckAfter = value }
        if let value = rulesReader.duration(seconds: "slip_interval_seconds", in: 0...300) {
            rules.slipInterval = value
        }
        if let value = rulesReader.duration(seconds: "talk_alert_seconds", in: 5...86_400) {
            rules.talkAlertDuration = value
        }
        rulesReader.reportUnknownKeys()

        // [simulator]
        var simReader = TableReader(table("simulator"), name: "simulator", context: context)
        var simulator = KioskConfiguration.Simulator()
        if let value = simReader.duration(milliseconds: "hold_ms", in: 1...120_000) { simulator.hold = value }
        simReader.reportUnknownKeys()

        // [sync]
        var syncReader = TableReader(table("sync"), name: "sync", context: context)
        var sync = KioskConfiguration.Sync()
        if let value = syncReader.duration(seconds: "interval_seconds", in: 10...86_400) { sync.interval = value }
        if let value = syncReader.string("granularity") {
            if let granularity = KioskConfiguration.Sync.Granularity(rawValue: value) {
                sync.granularity = granularity
            } else {
                syncReader.problem("granularity", "\"\(value)\" is not a granularity; use \"hour\" or \"day\"")
            }
        }
        if let value = syncReader.integer("purge_presses_after_days", in: 1...3650, unit: "days") {
            sync.purgePressesAfterDays = value
        }
        if let value = syncReader.duration(seconds: "request_timeout_seconds", in: 1...300) {
            sync.requestTimeout = value
        }
        syncReader.reportUnknownKeys()

        // [web]
        var web: KioskConfiguration.Web?
        if let webTable = table("web") {
            var webReader = TableReader(webTable, name: "web", context: context)
            var settings = KioskConfiguration.Web()
            if let value = webReader.bool("tls") { settings.tls = value }
            let port = webReader.integer("port", in: 1...65_535, unit: "") ?? (settings.tls ? 8443 : 8080)
            var texts: [String] = ["auto"]
            if webReader.has("listen") {
                if webTable["listen"]?.string != nil {
                    texts = webReader.string("listen").map { [$0] } ?? texts
                } else {
                    texts = webReader.strings("listen") ?? texts
                }
            }
            var addresses: [KioskConfiguration.Web.Address] = []
            for text in texts {
                switch KioskConfiguration.Web.parse(text, defaultPort: port) {
                case .success(let address): addresses.append(address)
                case .failure(let problem): webReader.problem("listen", problem.description)
                }
            }
            if addresses.isEmpty && texts.isEmpty {
                webReader.problem(
                    "listen",
                    "is an empty list; name an address like \"192.168.1.20:8443\", or \"auto\" for the "
                        + "hub's LAN address (remove [web] to have no pages)")
            }
            settings.listen = addresses
            if let value = webReader.integer("session_idle_minutes", in: 1...1440, unit: "minutes") {
                settings.sessionIdle = .seconds(value * 60)
            }
            webReader.reportUnknownKeys()
            web = settings
        }

        // [directory]
        var directoryReader = TableReader(table("directory"), name: "directory", context: context)
        var directorySource = KioskConfiguration.DirectorySource()
        if let source = directoryReader.string("source") {
            let lower = source.lowercased()
            if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
                if let url = URL(string: source), let host = url.host, !host.isEmpty {
                    directorySource.url = url
                } else {
                    directoryReader.problem(
                        "source", "\"\(source)\" is not a web address like \"https://directory.example.org/services\"")
                }
            } else if lower.contains("://") {
                directoryReader.problem(
                    "source", "\"\(source)\" is neither an http(s):// feed nor a file; use https://… or a file path")
            } else if directoryName != nil {
                directoryReader.problem(
                    "source",
                    "names a file, and [kiosk] directory names one too; keep one of them (source = \"\(source)\" or "
                        + "directory = \"\(directoryName ?? "")\")")
            } else {
                directoryFile = KioskConfiguration.absolute(source, relativeTo: base)
            }
        }
        if let name = directoryReader.string("format") {
            if let format = DirectoryFormat(name: name) {
                directoryFormat = format
            } else {
                directoryReader.problem(
                    "format", "\"\(name)\" is not a directory format; use one of \(DirectoryFormat.names)")
            }
        }
        if let text = directoryReader.string("pull_at") {
            if let time = LocalTime(text: text) {
                directorySource.pullAt = time
            } else {
                directoryReader.problem(
                    "pull_at", "\"\(text)\" is not a time of day; write it as HH:MM in the hub's time, like \"03:30\"")
            }
        }
        if let value = directoryReader.integer("pull_every_hours", in: 1...168, unit: "hours") {
            if directoryReader.has("pull_at") {
                directoryReader.problem(
                    "pull_every_hours", "and pull_at are both set; keep pull_at (nightly) or pull_every_hours")
            }
            directorySource.pullEveryHours = value
        }
        if let value = directoryReader.duration(seconds: "timeout_seconds", in: 1...600) {
            directorySource.timeout = value
        }
        if let value = directoryReader.integer("stale_after_days", in: 1...3650, unit: "days") {
            directorySource.staleAfterDays = value
        }
        if let value = directoryReader.integer("max_loss_percent", in: 1...100, unit: "percent") {
            directorySource.maximumLossPercent = value
        }
        directoryReader.reportUnknownKeys()

        // [[needs]] and [[buttons]]
        let needs = readNeeds(root, top: &top, context: context)
        let (buttons, wiring, lines) = readButtons(root, needs: needs, backend: backend, top: &top, context: context)
        top.reportUnknownKeys()
        checkWiring(lines, board: board, backend: backend, context: context)
        if backend == .board {
            if link.device == nil {
                printer.problem(
                    "device", "the board backend needs the printer's device, like device = \"/dev/usb/lp0\"")
            }
        }

        if !context.problems.isEmpty { throw ConfigError(problems: context.problems) }
        var configuration = KioskConfiguration(
            file: absolutePath, hub: .init(id: hubID, name: hubName, timeZone: timeZone), backend: backend,
            stateDirectory: stateDirectory, directoryFile: directoryFile, printerProfile: profile, slip: slip,
            rules: rules, layout: KioskLayout(needs: needs, buttons: buttons), simulator: simulator, board: board,
            wiring: wiring, printerLink: link, trustClock: trustClock)
        configuration.sync = sync
        configuration.web = web
        configuration.directoryFormat = directoryFormat
        configuration.directorySource = directorySource
        configuration.directoryFileIsExplicit = directoryName != nil || directorySource.url == nil
        return configuration
    }
}
