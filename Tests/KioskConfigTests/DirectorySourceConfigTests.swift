import Foundation
import KioskConfig
import KioskCore
import KioskDirectory
import Testing

@Suite("[directory]: a feed or a file, when it is pulled, when it is out of date")
struct DirectorySourceConfigTests {
    static let required = DirectoryFormatConfigTests.required

    func parse(_ text: String) throws(ConfigError) -> KioskConfiguration {
        try ConfigLoader.parse(text, file: "kiosk.toml", absolutePath: "/etc/hubkiosk/kiosk.toml")
    }

    func problems(_ text: String) -> String {
        do {
            _ = try parse(text)
            return ""
        } catch {
            return error.description
        }
    }

    @Test("Defaults: no feed, the file beside the config, a pull at 03:30, 50 % loss held back, files never stale")
    func defaults() throws {
        let config = try parse(Self.required)
        #expect(config.directorySource.url == nil)
        #expect(config.directoryFile == "/etc/hubkiosk/directory.json")
        #expect(config.directorySource.pullAt.description == "03:30")
        #expect(config.directorySource.maximumLossPercent == 50)
        #expect(config.directorySource.effectiveStaleAfterDays == nil)
    }

    @Test("A feed with every key; a feed is out of date after 14 days unless set")
    func feed() throws {
        var config = try parse(
            Self.required
                + "[directory]\nsource = \"https://feed.example.org/api/services\"\nformat = \"oruk1\"\n"
                + "pull_at = \"02:15\"\ntimeout_seconds = 12\nstale_after_days = 7\nmax_loss_percent = 30\n")
        #expect(config.directorySource.url?.absoluteString == "https://feed.example.org/api/services")
        #expect(config.directoryFormat == .oruk1)
        #expect(config.directorySource.pullAt.description == "02:15")
        #expect(config.directorySource.timeout == .seconds(12))
        #expect(config.directorySource.effectiveStaleAfterDays == 7)
        #expect(config.directorySource.maximumLossPercent == 30)
        config = try parse(Self.required + "[directory]\nsource = \"http://10.0.0.5/services\"\npull_every_hours = 6\n")
        #expect(config.directorySource.effectiveStaleAfterDays == 14)
        #expect(config.directorySource.pullEveryHours == 6)
    }

    @Test("A file as the source, relative to the config")
    func file() throws {
        let config = try parse(Self.required + "[directory]\nsource = \"services/local.json\"\n")
        #expect(config.directorySource.url == nil)
        #expect(config.directoryFile == "/etc/hubkiosk/services/local.json")
    }

    @Test("Mistakes name the key and what to write")
    func mistakes() {
        var text = problems(Self.required + "[directory]\nsource = \"ftp://feed.example.org/x\"\n")
        #expect(text.contains("source") && text.contains("https://"), "\(text)")
        text = problems(Self.required + "[directory]\nsource = \"https://\"\n")
        #expect(text.contains("is not a web address"), "\(text)")
        text = problems(Self.required + "directory = \"a.json\"\n[directory]\nsource = \"b.json\"\n")
        #expect(text.contains("keep one of them"), "\(text)")
        text = problems(Self.required + "[directory]\npull_at = \"3am\"\n")
        #expect(text.contains("pull_at") && text.contains("HH:MM"), "\(text)")
        text = problems(Self.required + "[directory]\npull_at = \"03:00\"\npull_every_hours = 6\n")
        #expect(text.contains("pull_every_hours") && text.contains("keep pull_at"), "\(text)")
        text = problems(Self.required + "[directory]\nmax_loss_percent = 0\n")
        #expect(text.contains("max_loss_percent") && text.contains("1–100"), "\(text)")
        text = problems(Self.required + "[directory]\nformat = \"csv\"\n")
        #expect(text.contains("format") && text.contains("oruk3"), "\(text)")
        text = problems(Self.required + "[directory]\nsorce = \"https://feed.example.org\"\n")
        #expect(text.contains("sorce"), "\(text)")
    }
}
