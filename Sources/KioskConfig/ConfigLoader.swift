import ESCPOS
import Foundation
import KioskCore
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
        for key in ["hub", "kiosk", "printer", "slip", "visit", "rules", "simulator", "board"] { top.markKnown(key) }

        // [hub]
        var hubReader = TableReader(table("hub"), name: "hub", context: context)
        let hubID = hubReader.string("id") ?? "hub"
        if !NeedCode.isValid(hubID) {
            hubReader.problem("id", "\"\(hubID)\" should be lower-case letters, digits, - and _ (like \"leith-links\")")
        }
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
        }
        let stateDirectory = kiosk.string("state_dir").map { KioskConfiguration.absolute($0, relativeTo: base) }
        let trustClock = kiosk.bool("trust_clock") ?? (backend == .simulator)
        let directoryName = kiosk.string("directory") ?? "directory.json"
        let directoryFile = KioskConfiguration.absolute(directoryName, relativeTo: base)
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

        // [[needs]] and [[buttons]]
        let needs = readNeeds(root, top: &top, context: context)
        let (buttons, wiring) = readButtons(root, needs: needs, top: &top, context: context)
        top.reportUnknownKeys()
        if backend == .board {
            for (index, button) in buttons.enumerated() where wiring[button.id]?.line == nil {
                TableReader(nil, name: "buttons", index: index, context: context).problem(
                    "line",
                    "the board backend needs each button's GPIO line, like line = \"GPIO17\" (or line = 17 on [board] chip)"
                )
            }
            if link.device == nil {
                printer.problem(
                    "device", "the board backend needs the printer's device, like device = \"/dev/usb/lp0\"")
            }
        }

        if !context.problems.isEmpty { throw ConfigError(problems: context.problems) }
        return KioskConfiguration(
            file: absolutePath, hub: .init(id: hubID, name: hubName, timeZone: timeZone), backend: backend,
            stateDirectory: stateDirectory, directoryFile: directoryFile, printerProfile: profile, slip: slip,
            rules: rules, layout: KioskLayout(needs: needs, buttons: buttons), simulator: simulator, board: board,
            wiring: wiring, printerLink: link, trustClock: trustClock)
    }

    private static func arrayOfTables(_ root: TOMLTable, _ key: String, top: inout TableReader) -> [TOMLTable]? {
        guard let value = root[key] else { return nil }
        top.markKnown(key)
        guard let array = value.array else {
            top.problem(key, "should be written as [[\(key)]] tables")
            return []
        }
        var tables: [TOMLTable] = []
        for item in array {
            guard let table = item.table else {
                top.problem(key, "should be written as [[\(key)]] tables")
                return []
            }
            tables.append(table)
        }
        return tables
    }

    private static func readNeeds(_ root: TOMLTable, top: inout TableReader, context: ReaderContext) -> [Need] {
        guard let tables = arrayOfTables(root, "needs", top: &top) else { return Need.defaults }
        var needs: [Need] = []
        for (index, table) in tables.enumerated() {
            var reader = TableReader(table, name: "needs", index: index, context: context)
            guard let code = reader.string("code") else {
                reader.problem(nil, "every need needs a code, like code = \"food\"")
                continue
            }
            if !NeedCode.isValid(code) || code == "checkin" {
                reader.problem("code", "\"\(code)\" should be a short lower-case word (and not \"checkin\")")
            }
            if needs.contains(where: { $0.code.rawValue == code }) {
                reader.problem("code", "\"\(code)\" is listed twice")
            }
            let defaults = Need.defaults.first { $0.code.rawValue == code }
            let label = reader.string("label") ?? defaults?.label ?? code
            let taxonomy = reader.strings("taxonomy") ?? defaults?.taxonomyTerms ?? [code]
            if taxonomy.isEmpty {
                reader.problem("taxonomy", "lists no terms, so no service can ever be printed for this need")
            }
            let alert = reader.bool("alert_staff") ?? defaults?.alertsStaff ?? false
            reader.reportUnknownKeys()
            needs.append(Need(code: NeedCode(code), label: label, taxonomyTerms: taxonomy, alertsStaff: alert))
        }
        if needs.isEmpty { top.problem("needs", "lists no needs; remove [[needs]] to use the default ones") }
        return needs
    }

    /// A GPIO line written as a name (`"GPIO17"`), `"chip:offset"` or an offset (`17`).
    static func lineSpec(_ reader: inout TableReader, _ key: String) -> GPIOLineSpec? {
        guard let value = reader.table?[key] else { return nil }
        reader.markKnown(key)
        if let offset = value.int {
            guard offset >= 0 else {
                reader.problem(key, "\(offset) is not a line offset")
                return nil
            }
            return GPIOLineSpec(offset: offset)
        }
        if let text = value.string, let spec = GPIOLineSpec(text) { return spec }
        reader.problem(key, "should be a line name like \"GPIO17\", \"gpiochip0:17\" or an offset like 17")
        return nil
    }

    private static func readButtons(
        _ root: TOMLTable, needs: [Need], top: inout TableReader, context: ReaderContext
    ) -> ([KioskButton], [ButtonID: KioskConfiguration.Wiring]) {
        guard let tables = arrayOfTables(root, "buttons", top: &top) else {
            return (KioskLayout.standard(needs: needs).buttons, [:])
        }
        var buttons: [KioskButton] = []
        var wiring: [ButtonID: KioskConfiguration.Wiring] = [:]
        for (index, table) in tables.enumerated() {
            var reader = TableReader(table, name: "buttons", index: index, context: context)
            let need = reader.string("need")
            let action = reader.string("action")
            let id = reader.string("id") ?? need ?? action ?? ""
            let line = lineSpec(&reader, "line")
            let led = lineSpec(&reader, "led")
            reader.reportUnknownKeys()
            if line != nil || led != nil { wiring[ButtonID(id)] = KioskConfiguration.Wiring(line: line, led: led) }
            if id.isEmpty || !NeedCode.isValid(id) {
                reader.problem("id", "every button needs an id of lower-case letters, like id = \"food\"")
                continue
            }
            if buttons.contains(where: { $0.id.rawValue == id }) {
                reader.problem("id", "\"\(id)\" is used by two buttons")
            }
            switch (need, action) {
            case (let need?, nil):
                guard needs.contains(where: { $0.code.rawValue == need }) else {
                    reader.problem(
                        "need",
                        "\"\(need)\" is not one of the needs: " + needs.map(\.code.rawValue).joined(separator: ", "))
                    continue
                }
                buttons.append(KioskButton(id: ButtonID(id), action: .need(NeedCode(need))))
            case (nil, "checkin"?):
                buttons.append(KioskButton(id: ButtonID(id), action: .checkin))
            case (nil, let other?):
                reader.problem("action", "\"\(other)\" is not an action; the only one is \"checkin\"")
            case (nil, nil):
                reader.problem(nil, "a button needs either need = \"…\" or action = \"checkin\"")
            case (_?, _?):
                reader.problem("action", "a button has need or action, not both")
            }
        }
        if buttons.isEmpty { top.problem("buttons", "lists no buttons") }
        return (buttons, wiring)
    }
}
