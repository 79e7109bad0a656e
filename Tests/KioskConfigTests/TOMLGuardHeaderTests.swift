import KioskConfig
import Testing

/// Table headers TOMLKit's parser would trap on (found by `Fuzz/run.sh config`) are reported as syntax errors with
/// their line; every other `[` (arrays, strings, comments) is left to the parser.
@Suite("Table headers the TOML parser cannot take")
struct TOMLGuardHeaderTests {
    static let base = "[hub]\nid = \"brae-street\"\n"

    @Test(
        "a header that does not start with a name is an error naming its line, not a crash",
        arguments: [
            "[\u{1B}step]\n", "[[\u{1B}buttons]]\n", "[[[buttons]]]\n", "[\n", "[[\n", "  [ \u{7F}x]\n", "[.x]\n",
            "[=]\n", "[\u{0}]\n", "[é]\n", "[\t#]\n",
        ])
    func refused(header: String) throws {
        let text = Self.base + "\n" + header + "a = 1\n"
        let finding = try #require(TOMLGuard.check(text))
        #expect(finding.line == 4)
        #expect(throws: ConfigError.self) {
            _ = try ConfigLoader.parse(text, file: "kiosk.toml", absolutePath: "/tmp/kiosk.toml")
        }
        do {
            _ = try ConfigLoader.parse(text, file: "kiosk.toml", absolutePath: "/tmp/kiosk.toml")
        } catch {
            #expect(error.description.contains("kiosk.toml:4"), "\(error.description)")
        }
    }

    @Test(
        "brackets in values, strings, comments and ordinary headers are the parser's",
        arguments: [
            "[hub]\n[[buttons]]\n[ \"quoted\" ]\n[ 'literal'.x ]\n[]\n",
            "footer = [\n  \"a\",\n  [\"b\"],\n  [ +1 ],\n  [\n  ],\n]\n",
            "a = { b = [ { c = 1 } ] }\n",
            "s = \"\"\"\n[\u{1B}not a header\n\"\"\"\n",
            "t = '''\n[[[\n'''\n",
            "# [\u{1B} in a comment\nu = \"[\u{1B}\" # [[[\n",
            "v = \"a \\\" [\" \n",
        ])
    func leftToTheParser(text: String) {
        #expect(TOMLGuard.check(text) == nil)
    }
}
