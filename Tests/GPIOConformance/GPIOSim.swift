import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A simulated GPIO chip made with the kernel's gpio-sim module through configfs
/// (Documentation/admin-guide/gpio/gpio-sim.rst): real libgpiod, real kernel, no wires. Needs root and the module
/// loaded (`modprobe gpio-sim`); the Swift Testing suites that use it are skipped where it is missing, the
/// `gpio-conformance` runner (Scripts/vm/checks/10-conformance.sh) fails.
public final class GPIOSim {
    public static let configfs = "/sys/kernel/config/gpio-sim"

    public static var isAvailable: Bool {
        FileManager.default.isWritableFile(atPath: configfs)
    }

    public let directory: String
    public let chipPath: String
    private let sysfs: String

    /// A chip with lines named `names` (line i is `names[i]`).
    public init(names: [String]) throws {
        directory = "\(GPIOSim.configfs)/hubkiosk-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let bank = directory + "/bank0"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: bank, withIntermediateDirectories: false)
        try GPIOSim.write("\(names.count)", to: bank + "/num_lines")
        for (i, name) in names.enumerated() {
            try FileManager.default.createDirectory(atPath: "\(bank)/line\(i)", withIntermediateDirectories: false)
            try GPIOSim.write(name, to: "\(bank)/line\(i)/name")
        }
        try GPIOSim.write("1", to: directory + "/live")
        let device = try GPIOSim.read(directory + "/dev_name")
        let chip = try GPIOSim.read(bank + "/chip_name")
        chipPath = "/dev/\(chip)"
        sysfs = "/sys/devices/platform/\(device)/\(chip)"
    }

    /// Drives input line `offset` high (pull-up) or low (pull-down), as a button would.
    public func setInput(_ offset: Int, high: Bool) throws {
        try GPIOSim.write(high ? "pull-up" : "pull-down", to: "\(sysfs)/sim_gpio\(offset)/pull")
    }

    /// Drives input line `offset` through `levels` as fast as sysfs takes them (one open file, no reopening
    /// between flips): a bouncing contact.
    public func flip(_ offset: Int, through levels: [Bool]) throws {
        let path = "\(sysfs)/sim_gpio\(offset)/pull"
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(fd) }
        for high in levels {
            let text = high ? "pull-up" : "pull-down"
            let written = text.withCString { pwrite(fd, $0, strlen($0), 0) }
            guard written > 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        }
    }

    /// The level an output line is driven to.
    public func outputValue(_ offset: Int) throws -> Bool {
        try GPIOSim.read("\(sysfs)/sim_gpio\(offset)/value") == "1"
    }

    deinit {
        try? GPIOSim.write("0", to: directory + "/live")
        let bank = directory + "/bank0"
        if let lines = try? FileManager.default.contentsOfDirectory(atPath: bank) {
            for line in lines where line.hasPrefix("line") { rmdir("\(bank)/\(line)") }
        }
        rmdir(bank)
        rmdir(directory)
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
