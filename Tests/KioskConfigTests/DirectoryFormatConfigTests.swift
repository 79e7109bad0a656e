import KioskConfig
import KioskCore
import KioskDirectory
import Testing

@Suite("[kiosk] directory_format")
struct DirectoryFormatConfigTests {
    static let required = "[hub]\nid = \"x\"\n[[buttons]]\naction = \"checkin\"\n[kiosk]\nbackend = \"simulator\"\n"

    func parse(_ text: String) throws(ConfigError) -> KioskConfiguration {
        try ConfigLoader.parse(text, file: "kiosk.toml", absolutePath: "/etc/hubkiosk/kiosk.toml")
    }

    @Test("auto unless the file names a format; every name is read")
    func formats() throws {
        #expect(try parse(Self.required).directoryFormat == .auto)
        for (name, format) in [
            ("auto", DirectoryFormat.auto), ("oruk3", .oruk3), ("ORUK-v1", .oruk1), ("aliss", .aliss),
        ] {
            let config = try parse(Self.required + "directory_format = \"\(name)\"\n")
            #expect(config.directoryFormat == format, "\(name)")
        }
    }

    @Test("an unknown format is a problem naming the key and the formats there are")
    func unknown() {
        do {
            _ = try parse(Self.required + "directory_format = \"csv\"\n")
            Issue.record("csv was accepted")
        } catch {
            let text = error.description
            #expect(text.contains("directory_format"), "\(text)")
            #expect(text.contains("auto, oruk3, oruk1, aliss"), "\(text)")
        }
    }
}
