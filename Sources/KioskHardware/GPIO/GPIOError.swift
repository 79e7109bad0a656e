import Foundation

/// A GPIO problem: the chip, the line, and what to do.
public struct GPIOError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case noSuchChip
        case noSuchLine
        case busy
        case permission
        case io
    }

    public var code: Code
    public var chip: String
    public var line: String?
    public var errno: Int32
    public var message: String
    /// The line's offset on the chip, when one line is to blame.
    public var offset: Int?
    /// The configuration key that named the line, filled in by whoever resolved it.
    public var key: String?
    /// The lines the chip has, for "line not found" messages.
    public var availableLines: [String] = []

    public init(code: Code, chip: String, line: String?, errno: Int32, message: String) {
        self.code = code
        self.chip = chip
        self.line = line
        self.errno = errno
        self.message = message
    }

    static func chip(_ path: String, errno: Int32) -> GPIOError {
        switch errno {
        case ENOENT, ENODEV:
            return GPIOError(
                code: .noSuchChip, chip: path, line: nil, errno: errno,
                message: "no GPIO chip at \(path); `ls /dev/gpiochip*` lists the chips")
        case EACCES, EPERM:
            return GPIOError(
                code: .permission, chip: path, line: nil, errno: errno,
                message: "no permission to open \(path); add the kiosk's user to the gpio group")
        default:
            return GPIOError(
                code: .io, chip: path, line: nil, errno: errno,
                message: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
    }

    public var description: String {
        var text = key.map { "\($0): " } ?? ""
        text += message
        if !availableLines.isEmpty {
            let shown = availableLines.prefix(64).joined(separator: ", ")
            text += "; \(chip) has lines: \(shown)\(availableLines.count > 64 ? ", …" : "")"
        }
        return text
    }
}
