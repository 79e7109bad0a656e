import ESCPOS
import Foundation
import KioskConfig
import KioskControl
import KioskCore
import KioskDirectory
import KioskHardware
import KioskRuntime
import KioskStore
import Logging

/// One check of `hubkiosk doctor`.
public struct DoctorCheck: Hashable, Sendable {
    public enum Level: String, Hashable, Sendable {
        case ok
        case warning
        case problem
    }

    public var area: String
    public var level: Level
    public var message: String
    /// What to do about it.
    public var advice: String?

    public init(_ area: String, _ level: Level, _ message: String, advice: String? = nil) {
        self.area = area
        self.level = level
        self.message = message
        self.advice = advice
    }
}

/// Checks what a kiosk needs: the configuration and directory, the GPIO chip and lines, the printer, the database
/// and the clock, and says what to do about each problem.
public enum KioskDoctor {
    /// What the running daemon says, if one runs.
    public struct DaemonState: Sendable {
        public var pid: Int32
        public var printer: String

        public init(pid: Int32, printer: String) {
            self.pid = pid
            self.printer = printer
        }
    }

    public static func run(
        configuration: KioskConfiguration,
        stateDirectory: String,
        daemon: DaemonState?,
        directoryStatus: ControlAPI.DirectoryStatus? = nil,
        logger: Logger
    ) async -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        checks.append(
            DoctorCheck(
                "configuration", .ok,
                "\(configuration.file): \(configuration.backend.rawValue) backend, "
                    + "\(configuration.layout.buttons.count) buttons, hub \(configuration.hub.id)"))
        if configuration.directorySource.url == nil { checks.append(directory(configuration)) }
        if let directoryStatus { checks.append(currency(directoryStatus, configuration: configuration)) }
        if let daemon {
            checks.append(DoctorCheck("daemon", .ok, "hubkioskd is running (pid \(daemon.pid))"))
        } else {
            checks.append(
                DoctorCheck(
                    "daemon", .warning, "hubkioskd is not running",
                    advice: "start it: `sudo systemctl start hubkioskd` (logs: `journalctl -u hubkioskd`)"))
        }
        if configuration.backend == .board {
            checks += gpio(configuration, daemonRunning: daemon != nil)
            checks.append(await printer(configuration, daemon: daemon, logger: logger))
        } else {
            checks.append(DoctorCheck("printer", .ok, "simulated (\(configuration.printerProfile.id))"))
        }
        checks += database(stateDirectory: stateDirectory)
        checks.append(clock(trusted: configuration.trustClock))
        return checks
    }

    static func directory(_ configuration: KioskConfiguration) -> DoctorCheck {
        let result = DirectoryLoader.check(
            path: configuration.directoryFile, format: configuration.directoryFormat, needs: configuration.layout.needs)
        if let first = result.errors.first {
            return DoctorCheck(
                "directory", .problem, "\(configuration.directoryFile): \(result.errors.count) errors, first: \(first)",
                advice: "`hubkiosk directory check \(configuration.directoryFile)` lists them all")
        }
        let active = result.directory.services.filter { $0.status == .active }.count
        return DoctorCheck(
            "directory", result.warnings.isEmpty ? .ok : .warning,
            "\(configuration.directoryFile): \(active) active services, \(result.warnings.count) warnings",
            advice: result.warnings.isEmpty
                ? nil : "`hubkiosk directory check \(configuration.directoryFile)` shows them")
    }

    /// Whether the directory in use is current: checked within `stale_after_days`, no copy held back, the last
    /// pull or reload good.
    static func currency(_ status: ControlAPI.DirectoryStatus, configuration: KioskConfiguration) -> DoctorCheck {
        let what = "\(status.services) services from \(status.inUse), last checked \(status.checkedAt ?? "never")"
        if let held = status.heldBack {
            return DoctorCheck("directory", .problem, "\(what); \(held)", advice: "check the feed first")
        }
        if status.stale {
            return DoctorCheck(
                "directory", .warning,
                "\(what): over \(configuration.directorySource.effectiveStaleAfterDays ?? 0) days, opening times may be out of date"
                    + (status.lastError.map { "; last problem: \($0)" } ?? ""),
                advice: status.sourceKind == "feed"
                    ? "check that the kiosk reaches \(status.source) (`hubkiosk directory reload` pulls now)"
                    : "check the file is current, then `hubkiosk directory reload`")
        }
        if let error = status.lastError {
            return DoctorCheck(
                "directory", .warning, "\(what); last problem: \(error)",
                advice: "the copy in use is kept; `hubkiosk directory status` shows more")
        }
        return DoctorCheck("directory", .ok, what)
    }

    static func gpio(_ configuration: KioskConfiguration, daemonRunning: Bool) -> [DoctorCheck] {
        let chips = GPIOLineResolver.chipPaths()
        guard !chips.isEmpty else {
            return [
                DoctorCheck(
                    "GPIO", .problem, "this machine has no GPIO chip (/dev/gpiochip*)",
                    advice: "run the kiosk on the board, or set backend = \"simulator\"")
            ]
        }
        var checks: [DoctorCheck] = []
        let described = chips.compactMap { path -> String? in
            guard let chip = try? GPIOChip(path: path) else { return nil }
            return "\(chip.name) (\(chip.label), \(chip.lineCount) lines)"
        }
        if described.isEmpty {
            checks.append(
                DoctorCheck(
                    "GPIO", .problem, "cannot open \(chips.joined(separator: ", "))",
                    advice:
                        "add the kiosk's user to the gpio group (the package's sysusers.d file does) and log in again"))
            return checks
        }
        checks.append(
            DoctorCheck("GPIO", .ok, "libgpiod v\(GPIOChip.apiVersion); chips: \(described.joined(separator: ", "))"))
        var lines: [(key: String, spec: GPIOLineSpec)] = []
        for (index, button) in configuration.layout.buttons.enumerated() {
            if let line = configuration.wiring[button.id]?.line {
                lines.append(("[[buttons]] #\(index + 1) line (\(button.id))", line))
            }
            if let led = configuration.wiring[button.id]?.led {
                lines.append(("[[buttons]] #\(index + 1) led (\(button.id))", led))
            }
        }
        if let alert = configuration.board.staffAlert { lines.append(("[board] staff_alert", alert)) }
        for entry in lines {
            do {
                let line = try GPIOLineResolver.resolve(
                    entry.spec, defaultChip: configuration.board.chip, key: entry.key)
                let info = try? GPIOChip(path: line.chipPath).lineInfo(line.offset)
                if let info, info.used, !(daemonRunning && info.consumer == "hubkioskd") {
                    checks.append(
                        DoctorCheck(
                            "GPIO", .problem, "\(entry.key): \(line) is in use by \"\(info.consumer)\"",
                            advice: "stop the program that holds it, or wire the button to a free line"))
                } else {
                    checks.append(DoctorCheck("GPIO", .ok, "\(entry.key): \(line)"))
                }
            } catch {
                checks.append(
                    DoctorCheck(
                        "GPIO", .problem, error.description,
                        advice: "correct the line in \(configuration.file) (a name like GPIO17 or chip:offset)"))
            }
        }
        return checks
    }

    static func printer(_ configuration: KioskConfiguration, daemon: DaemonState?, logger: Logger) async -> DoctorCheck
    {
        let device = configuration.printerLink.device?.description ?? "?"
        let status: PrinterStatus
        if let daemon {
            status = PrinterStatus(key: daemon.printer) ?? .offline
        } else {
            let printer = BoardBackend.makePrinter(configuration: configuration, logger: logger)
            status = await printer.refresh()
            printer.stop()
        }
        if let problem = status.problem {
            let advice: String
            switch status.key {
            case "paper-out": advice = "load a new paper roll"
            case "cover-open": advice = "close the printer's cover"
            case "cutter-error": advice = "open the cover, clear the cutter, close it"
            default:
                advice =
                    "check the printer is switched on and plugged in at \(device); for USB, `ls /dev/usb/`; "
                    + "the kiosk's user needs the lp (USB) or dialout (serial) group"
            }
            return DoctorCheck("printer", .problem, "\(device): \(problem)", advice: advice)
        }
        if status.paperNearEnd {
            return DoctorCheck("printer", .warning, "\(device): paper low", advice: "have a new roll ready")
        }
        return DoctorCheck("printer", .ok, "\(device): ready (\(configuration.printerProfile.name))")
    }

    static func database(stateDirectory: String) -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        let path = (stateDirectory as NSString).appendingPathComponent("hubkiosk.sqlite")
        if access(stateDirectory, W_OK) != 0 && FileManager.default.fileExists(atPath: stateDirectory) {
            checks.append(
                DoctorCheck(
                    "database", .warning, "\(stateDirectory) is not writable by this user",
                    advice: "run doctor as the kiosk's user (sudo -u hubkiosk hubkiosk doctor) to check its access"))
        }
        if FileManager.default.fileExists(atPath: path) {
            do {
                let database = try KioskDatabase.openReadOnly(path: path)
                let problems = try database.quickCheck()
                if problems.isEmpty {
                    let totals = try database.totals()
                    checks.append(
                        DoctorCheck(
                            "database", .ok, "\(path): sound; \(totals.visits) visits, \(totals.presses) presses"))
                } else {
                    checks.append(
                        DoctorCheck(
                            "database", .problem, "\(path) is damaged: \(problems.prefix(2).joined(separator: "; "))",
                            advice: "restart hubkioskd: it keeps the damaged file aside, salvages its rows into a "
                                + "fresh one and alerts staff"))
                }
                for alert in try database.persistedAlerts() {
                    checks.append(
                        DoctorCheck(
                            "database", .warning, "alert kept until acknowledged: \(alert.message)",
                            advice: "hubkiosk alerts ack, once staff know"))
                }
            } catch {
                checks.append(DoctorCheck("database", .problem, error.description, advice: error.hint))
            }
        } else {
            checks.append(
                DoctorCheck(
                    "database", .warning, "no database yet at \(path)", advice: "it is created when hubkioskd starts"))
        }
        for kept in KioskDatabase.unsalvagedFiles(beside: path) {
            checks.append(
                DoctorCheck(
                    "database", .problem, "\(kept) was kept aside as damaged but its rows were never salvaged",
                    advice: "restart hubkioskd: it salvages the rows into the database and alerts staff"))
        }
        if let building = KioskDatabase.interruptedSalvage(beside: path) {
            checks.append(
                DoctorCheck(
                    "database", .warning, "\(building) was left by an interrupted salvage",
                    advice: "restart hubkioskd: it discards that file and salvages again"))
        }
        var stats = statvfs()
        let probe = FileManager.default.fileExists(atPath: stateDirectory) ? stateDirectory : "/"
        if statvfs(probe, &stats) == 0 {
            let free = Double(stats.f_bavail) * Double(stats.f_frsize) / 1_048_576
            let text = free >= 1024 ? String(format: "%.1f GB", free / 1024) : String(format: "%.0f MB", free)
            if free < 20 {
                checks.append(
                    DoctorCheck(
                        "disk", .problem, "\(text) free for \(stateDirectory)",
                        advice: "free space now: presses cannot be stored on a full disk"))
            } else if free < 200 {
                checks.append(
                    DoctorCheck("disk", .warning, "\(text) free for \(stateDirectory)", advice: "free some space"))
            } else {
                checks.append(DoctorCheck("disk", .ok, "\(text) free for \(stateDirectory)"))
            }
        }
        return checks
    }

    static func clock(trusted: Bool) -> DoctorCheck {
        if SystemClock.isSynchronized() { return DoctorCheck("clock", .ok, "synchronised") }
        if trusted {
            return DoctorCheck(
                "clock", .ok, "not synchronised according to the kernel, but trusted (trust_clock in the configuration)"
            )
        }
        return DoctorCheck(
            "clock", .warning, "not synchronised (a Pi has no battery clock)",
            advice: "presses are kept and their times corrected once it syncs; connect to a network with NTP "
                + "(`timedatectl status`), or fit an RTC")
    }
}
