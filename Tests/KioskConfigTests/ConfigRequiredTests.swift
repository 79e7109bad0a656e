import KioskConfig
import KioskCore
import Testing

/// An emptied kiosk.toml must not start a kiosk that serves nobody: `[hub] id`, `[kiosk] backend` and the buttons
/// have no defaults.
@Suite("kiosk.toml required settings")
struct ConfigRequiredTests {
    static let parts = [
        "[hub]\nid = \"x\"\n",
        "[kiosk]\nbackend = \"simulator\"\n",
        "[[buttons]]\naction = \"checkin\"\n",
    ]
    static let keys = ["[hub] id", "[kiosk] backend", "[[buttons]]"]

    func parse(_ text: String) throws(ConfigError) -> KioskConfiguration {
        try ConfigLoader.parse(text, file: "kiosk.toml", absolutePath: "/etc/hubkiosk/kiosk.toml")
    }

    @Test("With all three the file loads")
    func complete() throws {
        let config = try parse(Self.parts.joined())
        #expect(config.hub.id == "x" && config.backend == .simulator && config.layout.buttons.count == 1)
    }

    @Test("Each subset left out is reported, each missing one by its key with what to add", arguments: 0..<7)
    func missing(mask: Int) {
        // mask: which of the three parts are kept (7 = all, not tested here).
        let kept = (0..<3).filter { mask & (1 << $0) != 0 }
        let text = kept.map { Self.parts[$0] }.joined()
        do throws(ConfigError) {
            _ = try parse(text)
            Issue.record("\(text) was accepted")
        } catch {
            let missing = (0..<3).filter { !kept.contains($0) }.map { Self.keys[$0] }
            #expect(error.problems.compactMap(\.key).sorted() == missing.sorted(), "\(error)")
            #expect(error.problems.allSatisfy { $0.message.contains("add") }, "\(error)")
        }
    }

    @Test("Comments and blank lines are as empty as an empty file")
    func commentsOnly() {
        for text in ["", "\n\n", "# kiosk.toml\n\n# nothing yet\n", "[hub]\n[kiosk]\n"] {
            #expect {
                try parse(text)
            } throws: { error in
                (error as? ConfigError)?.problems.compactMap(\.key).sorted() == Self.keys.sorted()
            }
        }
    }

    @Test("A wrongly typed backend or id is one problem, not also \"not set\"")
    func wrongType() {
        #expect {
            try parse("[hub]\nid = 3\n[kiosk]\nbackend = true\n[[buttons]]\naction = \"checkin\"\n")
        } throws: { error in
            let problems = (error as? ConfigError)?.problems ?? []
            return problems.count == 2 && problems.allSatisfy { !$0.message.contains("not set") }
        }
    }
}
