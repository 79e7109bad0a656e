import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A simulated GPIO chip made with the kernel's gpio-sim module through configfs
/// (Documentation/admin-guide/gpio/gpio-sim.rst): real libgpiod, real kernel, no wires. Needs root and the module
/// loaded (`modprobe gpio-sim`); tests that use it are skipped where it is missing.
final class GPIOSim {
    static let configfs = "/sys/kernel/config/gpio-sim"

    static var isAvailable: Bool {
        FileManager.default.isWritableFile(atPath: configfs)
    }

    let directory: String
    let chipPath: String
    private let sysfs: String

    /// A chip with lines named `names` (line i is `names[i]`).
    init(names: [String]) throws {
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
    func setInput(_ offset: Int, high: Bool) throws {
        try GPIOSim.write(high ? "pull-up" : "pull-down", to: "\(sysfs)/sim_gpio\(offset)/pull")
    }

    /// The level an output line is driven to.
    func outputValue(_ offset: Int) throws -> Bool {
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
