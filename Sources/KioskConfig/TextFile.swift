import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a file could not be read as text, in words a hub volunteer can act on: "is a folder, not a file",
/// "is not UTF-8 text (byte 0xFF at offset 12, line 1)", "is empty". Permissions are named only when the
/// system said so (`EACCES`).
package struct TextFileError: Error, Sendable, CustomStringConvertible {
    package enum Reason: Sendable, Hashable {
        /// Nothing at the path (`ENOENT`): the caller says which file was expected there.
        case doesNotExist
        case folder
        case notRegularFile
        case permissionDenied
        case tooLarge
        case empty
        case notUTF8
        case binary
        case other
    }

    package var reason: Reason
    /// The line of the offending byte, for encoding problems.
    package var line: Int?
    package var message: String

    package init(_ reason: Reason, line: Int? = nil, _ message: String) {
        self.reason = reason
        self.line = line
        self.message = message
    }

    package var description: String { message }
}

/// Reads a configuration or directory file: a regular file, not empty, UTF-8 text without control bytes.
package enum TextFile {
    /// The bytes of the file at `path` (a UTF-8 byte order mark removed), checked to be text.
    package static func read(atPath path: String, maximumBytes: Int) throws(TextFileError) -> [UInt8] {
        let bytes = try readBytes(atPath: path, maximumBytes: maximumBytes)
        try check(bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return Array(bytes.dropFirst(3)) }
        return bytes
    }

    /// The text of the file at `path`, checked as `read` does.
    package static func text(atPath path: String, maximumBytes: Int) throws(TextFileError) -> String {
        String(decoding: try read(atPath: path, maximumBytes: maximumBytes), as: UTF8.self)
    }

    /// Checks that `bytes` are UTF-8 text a person wrote: not empty, valid UTF-8, no NUL or other control bytes
    /// (tab, line feed and carriage return are text).
    package static func check(_ bytes: [UInt8]) throws(TextFileError) {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            throw TextFileError(.empty, bytes.isEmpty ? "is empty" : "is empty (only blank lines)")
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw TextFileError(
                .notUTF8, line: 1,
                "is UTF-16 text, not UTF-8; save it again as UTF-8 (\"UTF-8\" in the editor's encoding)")
        }
        if let offset = firstNonText(bytes) {
            let byte = bytes[offset]
            let line = 1 + bytes[..<offset].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            let position = "byte \(hex(byte)) at offset \(offset), line \(line)"
            if byte < 0x80 {
                throw TextFileError(
                    .binary, line: line,
                    "is not text (\(position)); is it a binary file? It should be the text file itself")
            }
            throw TextFileError(
                .notUTF8, line: line,
                "is not UTF-8 text (\(position)); save it again as UTF-8 (it may have been saved as Latin-1 or "
                    + "Windows-1252)")
        }
    }

    /// The offset of the first byte that is not part of UTF-8 text: an invalid, overlong or truncated UTF-8
    /// sequence (the offset of its first byte), or an ASCII control byte other than tab, line feed and carriage
    /// return.
    package static func firstNonText(_ bytes: [UInt8]) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                if (lead < 0x20 && lead != 0x09 && lead != 0x0A && lead != 0x0D) || lead == 0x7F { return index }
                index += 1
                continue
            }
            let following: Int
            var second: ClosedRange<UInt8> = 0x80...0xBF
            switch lead {
            case 0xC2...0xDF: following = 1
            case 0xE0:
                following = 2
                second = 0xA0...0xBF
            case 0xE1...0xEC, 0xEE, 0xEF: following = 2
            case 0xED:
                following = 2
                second = 0x80...0x9F
            case 0xF0:
                following = 3
                second = 0x90...0xBF
            case 0xF1...0xF3: following = 3
            case 0xF4:
                following = 3
                second = 0x80...0x8F
            default: return index
            }
            guard count - index > following, second.contains(bytes[index + 1]) else { return index }
            for next in stride(from: index + 2, through: index + following, by: 1)
            where !(0x80...0xBF).contains(bytes[next]) {
                return index
            }
            index += following + 1
        }
        return nil
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }

    /// Opens and reads the file, telling a missing file, a folder, a device, a permission problem and an I/O
    /// error apart. `O_NONBLOCK` keeps a FIFO from blocking the open; only regular files are read.
    private static func readBytes(atPath path: String, maximumBytes: Int) throws(TextFileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw openError(path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw TextFileError(.other, "cannot be read (\(String(cString: strerror(errno))))")
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw TextFileError(.folder, "is a folder, not a file; give the path of the file itself")
        default:
            throw TextFileError(
                .notRegularFile, "is not a regular file (it is a device, pipe or socket); give the path of the file")
        }
        if info.st_size > maximumBytes {
            throw TextFileError(
                .tooLarge,
                "is \(megabytes(Int64(info.st_size))) MB, more than the \(megabytes(Int64(maximumBytes))) MB such a "
                    + "file can be; is it the right file?")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                let reason = errno == EIO ? "an input/output error: the disk or SD card may be failing" : nil
                throw TextFileError(
                    .other, "cannot be read (\(reason ?? String(cString: strerror(errno))))")
            }
            bytes += chunk[..<count]
            if bytes.count > maximumBytes {
                throw TextFileError(
                    .tooLarge,
                    "is more than the \(megabytes(Int64(maximumBytes))) MB such a file can be; is it the right file?")
            }
        }
        return bytes
    }

    private static func megabytes(_ bytes: Int64) -> Int64 { max(1, (bytes + 999_999) / 1_000_000) }

    private static func openError(path: String, errno code: Int32) -> TextFileError {
        switch code {
        case ENOENT:
            var info = stat()
            if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
                return TextFileError(.doesNotExist, "is a link to \(target), which does not exist")
            }
            return TextFileError(.doesNotExist, "does not exist")
        case ENOTDIR:
            return TextFileError(
                .doesNotExist, "does not exist (a part of the path is a file, not a folder)")
        case EACCES, EPERM:
            return TextFileError(
                .permissionDenied,
                "cannot be read by user \(userName()) (permission denied); check the permissions of the file and of "
                    + "the folders above it (ls -l)")
        case ELOOP:
            return TextFileError(.other, "cannot be opened: its symbolic links go round in a loop")
        default:
            return TextFileError(.other, "cannot be opened (\(String(cString: strerror(code))))")
        }
    }

    private static func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.read(fd, buffer, count)
        #else
            Darwin.read(fd, buffer, count)
        #endif
    }

    private static func userName() -> String {
        let uid = geteuid()
        if let entry = getpwuid(uid), let name = entry.pointee.pw_name { return String(cString: name) }
        return "with id \(uid)"
    }
}
