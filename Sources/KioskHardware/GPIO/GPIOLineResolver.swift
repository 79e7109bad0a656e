import Foundation
import KioskCore

/// A line found on a chip.
public struct ResolvedLine: Hashable, Sendable, CustomStringConvertible {
    public var chipPath: String
    public var offset: Int
    public var name: String

    public var description: String { "\(chipPath):\(offset)\(name.isEmpty ? "" : " (\(name))")" }
}

/// Finds GPIO chips and the lines the configuration names.
public enum GPIOLineResolver {
    /// The GPIO chips of this machine (`/dev/gpiochip*`), in number order.
    public static func chipPaths(in directory: String = "/dev") -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix("gpiochip") }
            .sorted { (Int($0.dropFirst(8)) ?? 0) < (Int($1.dropFirst(8)) ?? 0) }
            .map { (directory as NSString).appendingPathComponent($0) }
    }

    /// Opens a chip named by path (`/dev/gpiochip0`), device name (`gpiochip0`) or label (`pinctrl-rp1`).
    public static func openChip(_ name: String) throws(GPIOError) -> GPIOChip {
        if name.hasPrefix("/") { return try GPIOChip(path: name) }
        let path = "/dev/\(name)"
        if FileManager.default.fileExists(atPath: path) { return try GPIOChip(path: path) }
        for candidate in chipPaths() {
            if let chip = try? GPIOChip(path: candidate), chip.label == name { return chip }
        }
        throw GPIOError.chip(path, errno: ENOENT)
    }

    /// Finds the line `spec` names; `defaultChip` is the chip of bare offsets, `key` the configuration key for
    /// messages. A line that does not exist is reported with the lines the chip (or every chip) has.
    public static func resolve(
        _ spec: GPIOLineSpec, defaultChip: String?, key: String
    ) throws(GPIOError) -> ResolvedLine {
        do throws(GPIOError) {
            switch spec {
            case .offset(let chipName, let offset):
                guard let name = chipName ?? defaultChip else {
                    throw GPIOError(
                        code: .noSuchChip, chip: "?", line: String(offset), errno: EINVAL,
                        message: "line \(offset) needs a chip: set `chip` in [board] or write \"gpiochip0:\(offset)\"")
                }
                let chip = try openChip(name)
                guard offset < chip.lineCount else {
                    var error = GPIOError(
                        code: .noSuchLine, chip: chip.path, line: String(offset), errno: EINVAL,
                        message: "line \(offset) is not on \(chip.path) (\(chip.label), \(chip.lineCount) lines)")
                    error.availableLines = chip.lines().map {
                        $0.name.isEmpty ? String($0.offset) : "\($0.offset) \($0.name)"
                    }
                    throw error
                }
                return ResolvedLine(chipPath: chip.path, offset: offset, name: (try? chip.lineInfo(offset).name) ?? "")
            case .name(let name):
                let paths = defaultChip.map { chip in [chip.hasPrefix("/") ? chip : "/dev/\(chip)"] } ?? []
                var available: [String] = []
                var lastChip = "any GPIO chip"
                for path in paths + chipPaths() where !(paths.contains(path) && path != paths.first) {
                    guard let chip = try? GPIOChip(path: path) else { continue }
                    if let offset = chip.offset(ofLineNamed: name) {
                        return ResolvedLine(chipPath: chip.path, offset: offset, name: name)
                    }
                    lastChip = chip.path
                    available += chip.lines().compactMap { $0.name.isEmpty ? nil : $0.name }
                }
                var error = GPIOError(
                    code: .noSuchLine, chip: chipPaths().isEmpty ? "no GPIO chip" : lastChip, line: name,
                    errno: ENOENT,
                    message: chipPaths().isEmpty
                        ? "no line \"\(name)\": this machine has no GPIO chip (/dev/gpiochip*)"
                        : "no line called \"\(name)\" on any GPIO chip")
                error.availableLines = available
                throw error
            }
        } catch {
            var error = error
            error.key = key
            throw error
        }
    }
}
