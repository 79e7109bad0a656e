import ESCPOS
import Foundation
import KioskConfig
import KioskCore
import Testing

@Suite("kiosk.toml")
struct ConfigTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Simulator/kiosk.toml").path

    func parse(_ text: String) throws(ConfigError) -> KioskConfiguration {
        try ConfigLoader.parse(text, file: "kiosk.toml", absolutePath: "/etc/hubkiosk/kiosk.toml")
    }

    @Test("The example configuration loads with every default need and a button each plus check-in")
    func example() throws {
        let config = try ConfigLoader.load(path: Self.example)
        #expect(config.backend == .simulator)
        #expect(config.hub.id == "brae-street")
        #expect(config.layout.needs.map(\.code.rawValue) == Need.defaults.map(\.code.rawValue))
        #expect(config.layout.buttons.count == 9)
        #expect(config.layout.button("checkin")?.action == .checkin)
        #expect(config.layout.need("talk")?.alertsStaff == true)
        #expect(config.printerProfile == .epsonTMT20II)
        #expect(config.directoryFile.hasSuffix("/Simulator/directory.json"))
        #expect(config.rules == PressRules.defaults)
    }

    /// What a file must set: the hub, the backend and the buttons.
    static let required = "[hub]\nid = \"x\"\n[kiosk]\nbackend = \"simulator\"\n[[buttons]]\naction = \"checkin\"\n"

    @Test("A file with only what must be set takes every other default")
    func defaults() throws {
        let config = try parse(Self.required)
        #expect(config.layout.needs == Need.defaults)
        #expect(config.rules == PressRules.defaults)
        #expect(config.hub.timeZone == .london)
        #expect(config.directoryFile == "/etc/hubkiosk/directory.json")
        #expect(config.stateDirectory == nil)
    }

    @Test("A misspelt key is an error with its line and a suggestion, not a silent default")
    func unknownKey() {
        let text = "[hub]\nid = \"x\"\n\n[visit]\nidle_secnds = 90\n"
        #expect {
            try parse(text)
        } throws: { error in
            let text = "\(error)"
            return text.contains("kiosk.toml:5:") && text.contains("[visit] idle_secnds")
                && text.contains("idle_seconds?")
        }
    }

    @Test("Wrong types and out-of-range values name the key and the line; every problem is reported")
    func values() {
        let text = """
            [hub]
            time_zone = "Europe/Londn"
            id = "x"
            [rules]
            burst_presses = "six"
            stuck_seconds = 1

            [printer]
            profile = "epson"
            [kiosk]
            backend = "simulator"
            [[buttons]]
            action = "checkin"
            """
        #expect {
            try parse(text)
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            let lines = error.problems.map(\.description)
            return lines.count == 4 && lines[0].hasPrefix("kiosk.toml:2: [hub] time_zone")
                && lines[1].hasPrefix("kiosk.toml:9: [printer] profile") && lines[1].contains("epson-tm-t20ii")
                && lines.contains { $0.hasPrefix("kiosk.toml:5: [rules] burst_presses") && $0.contains("whole number") }
                && lines.contains { $0.hasPrefix("kiosk.toml:6: [rules] stuck_seconds") && $0.contains("2–3600") }
        }
    }

    @Test("TOML syntax errors carry the line and column")
    func syntax() {
        #expect {
            try parse("[hub]\nname = \"unterminated\n")
        } throws: { error in
            guard let problem = (error as? ConfigError)?.problems.first else { return false }
            return problem.line == 2 && problem.column != nil && problem.description.contains("not valid TOML")
        }
    }

    @Test("Buttons must name a known need")
    func buttons() {
        let text = "[[needs]]\ncode = \"food\"\n\n[[buttons]]\nneed = \"food\"\n\n[[buttons]]\nneed = \"fod\"\n"
        #expect {
            try parse(text)
        } throws: { error in
            let text = "\(error)"
            return text.contains("kiosk.toml:8: [[buttons]] #2 need") && text.contains("\"fod\"")
                && text.contains("food")
        }
    }

    @Test("A missing file says what to pass")
    func missing() {
        #expect {
            try ConfigLoader.load(path: "/nonexistent/kiosk.toml")
        } throws: { error in
            "\(error)".contains("does not exist") && "\(error)".contains("--config")
        }
    }

    @Test("The state directory: flag, then $STATE_DIRECTORY, then state_dir, then /var/lib/hubkiosk")
    func stateDirectory() throws {
        let config = try parse(
            "[hub]\nid = \"x\"\n[kiosk]\nbackend = \"simulator\"\nstate_dir = \"state\"\n[[buttons]]\naction = \"checkin\"\n"
        )
        #expect(config.stateDirectory == "/etc/hubkiosk/state")
        #expect(
            config.resolveStateDirectory(flag: "/tmp/x", environment: ["STATE_DIRECTORY": "/var/lib/a"]) == "/tmp/x")
        #expect(
            config.resolveStateDirectory(flag: nil, environment: ["STATE_DIRECTORY": "/var/lib/a:/var/lib/b"])
                == "/var/lib/a")
        #expect(config.resolveStateDirectory(flag: nil, environment: [:]) == "/etc/hubkiosk/state")
        #expect(try parse(Self.required).resolveStateDirectory(flag: nil, environment: [:]) == "/var/lib/hubkiosk")
    }
}

@Suite("kiosk.toml for the board")
struct BoardConfigTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("packaging/kiosk.toml").path

    func parse(_ text: String) throws(ConfigError) -> KioskConfiguration {
        try ConfigLoader.parse(text, file: "kiosk.toml", absolutePath: "/etc/hubkiosk/kiosk.toml")
    }

    @Test("The packaged board configuration: lines by name, LEDs, the staff alert, a USB printer")
    func example() throws {
        let config = try ConfigLoader.load(path: Self.example)
        #expect(config.backend == .board)
        #expect(!config.trustClock)
        #expect(config.wiring["food"]?.line == .name("GPIO6"))
        #expect(config.wiring["food"]?.led == .name("GPIO27"))
        #expect(config.wiring["checkin"]?.line == .name("GPIO12"))
        #expect(config.layout.buttons.allSatisfy { config.wiring[$0.id]?.line != nil })
        #expect(config.board.staffAlert == .name("GPIO10"))
        #expect(config.board.activeLow && config.board.bias == "pull-up")
        #expect(config.printerLink.device == .usbLinePrinter(path: "/dev/usb/lp0"))
    }

    @Test("Offsets, chips and serial printers")
    func variants() throws {
        let config = try parse(
            """
            [hub]
            id = "x"
            [kiosk]
            backend = "board"
            [board]
            chip = "gpiochip4"
            staff_alert = 22
            staff_alert_device = "buzzer"
            [printer]
            profile = "csn-a2"
            device = "/dev/serial0"
            baud = 19200
            flow_control = "none"
            throttle_bytes_per_second = 900
            [[needs]]
            code = "food"
            [[buttons]]
            need = "food"
            line = 17
            led = "gpiochip0:27"
            """)
        #expect(config.wiring["food"]?.line == .offset(chip: nil, 17))
        #expect(config.wiring["food"]?.led == .offset(chip: "gpiochip0", 27))
        #expect(config.board.chip == "gpiochip4")
        #expect(config.board.staffAlertDevice == "buzzer")
        #expect(config.printerLink.device == .serial(path: "/dev/serial0"))
        #expect(config.printerLink.baud == 19200 && config.printerLink.throttleBytesPerSecond == 900)
    }

    @Test("The board backend needs every button's line and the printer's device, each named with its line")
    func missingWiring() {
        let text = "[kiosk]\nbackend = \"board\"\n\n[[needs]]\ncode = \"food\"\n\n[[buttons]]\nneed = \"food\"\n"
        #expect {
            try parse(text)
        } throws: { error in
            let lines = (error as? ConfigError)?.problems.map(\.description) ?? []
            return lines.contains { $0.hasPrefix("kiosk.toml:7: [[buttons]] #1 line") }
                && lines.contains { $0.contains("[printer] device") && $0.contains("/dev/usb/lp0") }
        }
    }

    @Test("Bad wiring values are errors with their line")
    func badValues() {
        let text = """
            [board]
            bias = "pullup"
            [printer]
            device = "lp0"
            baud = 12345
            flow_control = "rts"
            [[buttons]]
            need = "food"
            line = -3
            [hub]
            id = "x"
            [kiosk]
            backend = "simulator"
            """
        #expect {
            try parse(text)
        } throws: { error in
            let lines = (error as? ConfigError)?.problems.map(\.description) ?? []
            return lines.count == 5 && lines.contains { $0.hasPrefix("kiosk.toml:2: [board] bias") }
                && lines.contains { $0.hasPrefix("kiosk.toml:4: [printer] device") }
                && lines.contains { $0.hasPrefix("kiosk.toml:5: [printer] baud") }
                && lines.contains { $0.hasPrefix("kiosk.toml:6: [printer] flow_control") }
                && lines.contains { $0.hasPrefix("kiosk.toml:9: [[buttons]] #1 line") }
        }
    }
}
