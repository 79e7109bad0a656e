import Foundation
import KioskConfig
import Testing

/// Text on which toml++ (inside TOMLKit) would abort instead of reporting a syntax error is refused first.
@Suite("TOML the parser cannot take")
struct TOMLGuardTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// One input per assertion a fuzzer reached in toml++, and variations of each.
    static let aborting = [
        "[.hub]\n", "[\n", "[[ .buttons]]\n", "[é]\n", "[a]\n[=]\n", "[#]\n", "[ +]\n",
        "x = [}]\n", "x = [1, }]\n", "x = [\n  # a comment\n}]\n", "x = [[}]]\n",
        "x = 1979-05-27Tinf\n", "x = 1979-05-27true\n", "x = 1979-05-27 1e\n", "x = [1979-05-27T]\n",
        "x = { a = 07:32:00 }\n",
    ]

    func parse(_ text: String) throws(ConfigError) -> KioskConfiguration {
        try ConfigLoader.parse(text, file: "kiosk.toml", absolutePath: "/etc/hubkiosk/kiosk.toml")
    }

    @Test("Each is a problem with its line and column", arguments: aborting)
    func refused(text: String) {
        #expect {
            try parse(text)
        } throws: { error in
            guard let problem = (error as? ConfigError)?.problems.first else { return false }
            return problem.line != nil && problem.column != nil && problem.message.hasPrefix("not valid TOML: ")
        }
    }

    @Test("A \\u0000 escape, which TOMLKit would silently cut the text at, is refused; escaped backslashes are not")
    func nulEscape() {
        for text in [
            "[hub]\nid = \"brae\\u0000-street\"\n", "x = \"a\\U00000000\"\n", "x = \"\"\"\n\\\\\\u0000\"\"\"\n",
        ] {
            #expect(TOMLGuard.check(text)?.message.contains("NUL") == true, "\(text)")
        }
        for text in ["x = \"a\\\\u0000\"\n", "x = 'a\\u0000'\n", "x = \"\\u0041\"\n"] {
            #expect(TOMLGuard.check(text) == nil, "\(text)")
        }
        #expect {
            try parse("[hub]\nid = \"brae\\u0000-street\"\n")
        } throws: { error in
            (error as? ConfigError)?.problems.first?.description.hasPrefix("kiosk.toml:2:") == true
                && "\(error)".contains("[hub] id")
        }
    }

    @Test("Valid TOML is never refused: the examples, the scenarios and tricky but valid constructs")
    func validPasses() throws {
        var texts = [
            "x = [ [ {a = 1} ], [+1] ]\n", "x = [\"[\", \"}\", '{']\n", "x = '''\n[.a]\n'''\n", "[ \"a b\" ]\n",
            "x = { a = [1, 2], b = \"c\" }\n", "1979-05-27 = 1\n", "x = \"\"\"a\"\"b\"\"\"\"\n[ok]\n",
            "x = [\n  1,\n  [2, 3],\n]\n[[t]]\n", "x = \"\\\"[.\"\n[ok]\n", "x = -1e-300\ny = +inf\nz = 0x7f\n",
        ]
        let folders = ["Simulator", "packaging", "Simulator/scenarios"]
        for folder in folders {
            let url = Self.root.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path) where name.hasSuffix(".toml") {
                texts.append(try String(contentsOf: url.appendingPathComponent(name), encoding: .utf8))
            }
        }
        #expect(texts.count > 12)
        for text in texts {
            #expect(TOMLGuard.check(text) == nil, "\(text)")
        }
    }

    @Test("Random TOML-like text never reaches an abort: it parses or is a problem")
    func random() {
        let atoms = [
            "[", "]", "[[", "]]", "{", "}", "=", ",", ".", "\"", "'", "\"\"\"", "'''", "#", "\n", " ", "a", "1", "-",
            "+", "_", "e", "inf", "nan", "true", "x = ", "é", "\\", "0x", "1979-05-27", "T", ":", "07:32:00", "Z",
            "\t", "2024-02-29", "12:00", ".5", "{a=1}", "[1,2]", "\n[", "\n[[", "t", " 1", "-07:00",
        ]
        var state: UInt64 = 42
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var refused = 0
        for _ in 0..<5000 {
            let text = (0..<(1 + next() % 12)).map { _ in atoms[next() % atoms.count] }.joined()
            do throws(ConfigError) {
                _ = try parse(text)
            } catch {
                refused += 1
            }
        }
        // Nearly every random text is a problem; reaching here means none aborted.
        #expect(refused > 4700)
    }
}
