import Foundation
import KioskConfig
import KioskCore
import KioskDirectory
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// kiosk.toml and the directory file: what is really wrong with a file that cannot be used.
@Suite("Reading kiosk.toml and the directory file")
struct TextFileTests {
    /// A fresh folder, removed when the test ends.
    final class Folder {
        let path: String
        init() {
            path = NSTemporaryDirectory() + "hubkiosk-textfile-" + UUID().uuidString
            try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        func file(_ name: String, _ bytes: [UInt8]) -> String {
            let file = path + "/" + name
            _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
            return file
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// What each loader says about a file: the config's problem and the directory's.
    func messages(_ path: String) -> (config: ConfigProblem?, directory: DirectoryProblem?) {
        var config: ConfigProblem?
        do throws(ConfigError) {
            _ = try ConfigLoader.load(path: path)
        } catch {
            config = error.problems.first
        }
        return (config, DirectoryLoader.check(path: path, needs: nil).errors.first)
    }

    /// Bad files and what both loaders must say about them (and never "permissions").
    static let cases: [(name: String, bytes: [UInt8], says: String, line: Int?)] = [
        ("empty", [], "is empty", nil),
        ("blank", Array(" \n\t\r\n".utf8), "is empty", nil),
        (
            "latin1", Array("[hub]\nname = \"Caf".utf8) + [0xE9, 0x22, 0x0A],
            "is not UTF-8 text (byte 0xE9 at offset 17, line 2)", 2
        ),
        ("ff", Array("0123456789ab".utf8) + [0xFF], "is not UTF-8 text (byte 0xFF at offset 12, line 1)", 1),
        ("nul", Array("[hub]\n\n".utf8) + [0x00, 0x01, 0x02], "is not text (byte 0x00 at offset 7, line 3)", 3),
        ("elf", [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01], "is not text (byte 0x7F at offset 0, line 1)", 1),
        ("utf16", [0xFF, 0xFE, 0x5B, 0x00], "is UTF-16 text, not UTF-8", 1),
        ("truncated", Array("[hub]\n".utf8) + [0xE2, 0x82], "is not UTF-8 text (byte 0xE2 at offset 6, line 2)", 2),
        ("overlong", [0x5B, 0xC0, 0xAF], "is not UTF-8 text (byte 0xC0 at offset 1, line 1)", 1),
        ("surrogate", [0x5B, 0xED, 0xA0, 0x80], "is not UTF-8 text (byte 0xED at offset 1, line 1)", 1),
    ]

    @Test("Empty, not UTF-8 and binary files say what is wrong, where", arguments: 0..<10)
    func badBytes(index: Int) {
        let bad = Self.cases[index]
        let folder = Folder()
        let path = folder.file(bad.name, bad.bytes)
        let (config, directory) = messages(path)
        #expect(config?.message.contains(bad.says) == true, "\(String(describing: config))")
        #expect(config?.line == bad.line)
        #expect(directory?.message.contains(bad.says) == true, "\(String(describing: directory))")
        #expect(directory?.line == bad.line)
        #expect(config?.message.contains("permission") == false && directory?.message.contains("permission") == false)
    }

    @Test("A folder, a FIFO, a missing file and a dangling link are named as such")
    func notFiles() throws {
        let folder = Folder()
        try FileManager.default.createDirectory(atPath: folder.path + "/kiosk.toml", withIntermediateDirectories: true)
        #expect(messages(folder.path + "/kiosk.toml").config?.message.hasPrefix("is a folder, not a file") == true)
        #expect(messages(folder.path + "/kiosk.toml").directory?.message.hasPrefix("is a folder, not a file") == true)
        #expect(mkfifo(folder.path + "/fifo", 0o600) == 0)
        #expect(messages(folder.path + "/fifo").config?.message.hasPrefix("is not a regular file") == true)
        let missing = messages(folder.path + "/missing.toml")
        #expect(missing.config?.message.hasPrefix("does not exist; pass --config") == true)
        #expect(missing.directory?.message.hasPrefix("does not exist; set `directory`") == true)
        try FileManager.default.createSymbolicLink(atPath: folder.path + "/link", withDestinationPath: "/nonexistent/x")
        #expect(messages(folder.path + "/link").config?.message.hasPrefix("is a link to /nonexistent/x") == true)
        let inFile = folder.file("plain", Array("x".utf8)) + "/kiosk.toml"
        #expect(messages(inFile).config?.message.contains("a part of the path is a file") == true)
    }

    @Test("Permissions are named when they are the reason", .enabled(if: geteuid() != 0))
    func permissions() {
        let folder = Folder()
        let path = folder.file("kiosk.toml", Array("[hub]\nid = \"x\"\n".utf8))
        chmod(path, 0)
        let (config, directory) = messages(path)
        #expect(config?.message.contains("permission denied") == true)
        #expect(directory?.message.contains("permission denied") == true)
    }

    @Test("A UTF-8 byte order mark is not part of the text")
    func byteOrderMark() throws {
        let folder = Folder()
        let text = "[hub]\nid = \"x\"\n[kiosk]\nbackend = \"simulator\"\n[[buttons]]\naction = \"checkin\"\n"
        let path = folder.file("kiosk.toml", [0xEF, 0xBB, 0xBF] + Array(text.utf8))
        #expect(try ConfigLoader.load(path: path).hub.id == "x")
        #expect(
            DirectoryLoader.check(path: folder.file("d.json", [0xEF, 0xBB, 0xBF] + Array("[]".utf8)), needs: nil).errors
                .isEmpty)
    }

    @Test("A NUL in text given to the parser is a problem, not the end of the file")
    func nulInText() {
        #expect {
            try ConfigLoader.parse(
                "[hub]\nid = \"x\"\u{0}\n[visit]\nidle_seconds = 1e300\n", file: "k.toml", absolutePath: "/k.toml")
        } throws: { error in
            (error as? ConfigError)?.problems.first?.description.hasPrefix("k.toml:2: is not text (byte 0x00") == true
        }
    }

    @Test("The text check agrees with Swift's UTF-8 decoding on random bytes, and points at the first bad byte")
    func matchesSwift() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        // Mostly text, with multi-byte characters, and some random bytes.
        let pieces: [[UInt8]] = [Array("a".utf8), Array("\n".utf8), Array("é".utf8), Array("€".utf8), Array("😀".utf8)]
        func isText(_ bytes: ArraySlice<UInt8>) -> Bool {
            guard let text = String(validating: Array(bytes), as: UTF8.self) else { return false }
            return text.unicodeScalars.allSatisfy {
                $0.value >= 0x20 && $0.value != 0x7F || [0x09, 0x0A, 0x0D].contains($0.value)
            }
        }
        for _ in 0..<3000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(next() % 12) {
                let roll = next() % 10
                bytes += roll < 7 ? pieces[Int(next() % UInt64(pieces.count))] : [UInt8(truncatingIfNeeded: next())]
            }
            let offset = TextFile.firstNonText(bytes)
            #expect((offset == nil) == isText(bytes[...]), "\(bytes)")
            if let offset {
                #expect(isText(bytes[..<offset]) && !isText(bytes[...offset]), "\(bytes) at \(offset)")
            }
        }
    }
}
