import Foundation
import HubReport
import KioskConfig
import Testing

/// `hubreport.toml`.
@Suite struct ConfigurationTests {
    static let examplePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("packaging/hubreport.toml").path

    @Test func theCommittedExampleReads() throws {
        let configuration = try ReportConfiguration.load(path: Self.examplePath)
        #expect(configuration.partnership.name == "North Edinburgh Community Hubs Partnership")
        #expect(configuration.partnership.needs == Partnership.example.needs)
        #expect(configuration.settings == ReportServer.Settings())
        #expect(configuration.database == "/var/lib/hubreport/hubreport.sqlite")
    }

    /// Each bad file: an error naming the line and key, never a crash or a silent default.
    @Test(arguments: [
        (
            "[partnership]\nname = \"P\"\n[service]\nlisten = \"localhost\"\n[[needs]]\ncode = \"food\"\nlabel = \"F\"\n",
            4, "[service] listen"
        ),
        (
            "[partnership]\nname = \"P\"\n[service]\nmax_body_bytes = 1e300\n[[needs]]\ncode = \"food\"\nlabel = \"F\"\n",
            4, "[service] max_body_bytes"
        ),
        (
            "[partnership]\nname = \"P\"\n[service]\nmax_concurrent_requests = 0\n[[needs]]\ncode = \"food\"\nlabel = \"F\"\n",
            4, "[service] max_concurrent_requests"
        ),
        ("[partnership]\nnmae = \"P\"\n[[needs]]\ncode = \"food\"\nlabel = \"F\"\n", 2, "[partnership] nmae"),
        ("[partnership]\nname = \"P\"\n[[needs]]\ncode = \"Food!\"\nlabel = \"F\"\n", 4, "[[needs]] #1 code"),
        (
            "[partnership]\nname = \"P\"\n[[needs]]\ncode = \"food\"\nlabel = \"F\"\n[[needs]]\ncode = \"food\"\nlabel = \"G\"\n",
            7, "[[needs]] #2 code"
        ),
        (
            "[partnership]\nname = \"P\"\n[service]\nlisten = \"127.0.0.1:99999\"\n[[needs]]\ncode = \"a\"\nlabel = \"A\"\n",
            4, "[service] listen"
        ),
        (
            "[partnership]\nname = \"P\"\n[service]\ndatabase = \"postgres://h/db\"\n[[needs]]\ncode = \"a\"\nlabel = \"A\"\n",
            4, "[service] database"
        ),
        (
            "[partnership]\nname = \"P\"\n[service]\ntls_key = \"k.pem\"\n[[needs]]\ncode = \"a\"\nlabel = \"A\"\n",
            4, "[service] tls_key"
        ),
    ])
    func problemsNameTheLineAndKey(text: String, line: Int, key: String) throws {
        do {
            _ = try ReportConfiguration.parse(
                text, file: "hubreport.toml", absolutePath: "/etc/hubreport/hubreport.toml")
            Issue.record("accepted:\n\(text)")
        } catch {
            #expect(error.problems.contains { $0.line == line && $0.key == key }, "\(error)")
        }
    }

    /// A PostgreSQL URL is kept as written; SQLite paths and TLS files are relative to the file.
    @Test func databaseURLsAndTLSFiles() throws {
        let text = """
            [partnership]
            name = "P"
            [service]
            database = "postgres://report@db.example.org:5433/hubs?schema=hubreport"
            tls_cert = "tls/fullchain.pem"
            tls_key = "/etc/ssl/private/hubreport.pem"
            [[needs]]
            code = "food"
            label = "Food"
            """
        let configuration = try ReportConfiguration.parse(
            text, file: "hubreport.toml", absolutePath: "/etc/hubreport/hubreport.toml")
        #expect(configuration.database == "postgres://report@db.example.org:5433/hubs?schema=hubreport")
        #expect(configuration.tlsCertificate == "/etc/hubreport/tls/fullchain.pem")
        #expect(configuration.tlsKey == "/etc/ssl/private/hubreport.pem")
        let sqlite = try ReportConfiguration.parse(
            text.replacingOccurrences(
                of: "postgres://report@db.example.org:5433/hubs?schema=hubreport", with: "sqlite:data/r.sqlite"),
            file: "hubreport.toml", absolutePath: "/etc/hubreport/hubreport.toml")
        #expect(sqlite.database == "/etc/hubreport/data/r.sqlite")
    }

    @Test func anUnknownKeyNamesHubreportNotTheKiosk() throws {
        let text = "[partnership]\nnmae = \"P\"\n[[needs]]\ncode = \"food\"\nlabel = \"F\"\n"
        let error = try #require(throws: ConfigError.self) {
            try ReportConfiguration.parse(text, file: "hubreport.toml", absolutePath: "/etc/hubreport/hubreport.toml")
        }
        let problem = try #require(error.problems.first { $0.key == "[partnership] nmae" })
        #expect(problem.message.hasPrefix("is not a setting hubreport knows"))
        #expect(!error.problems.contains { $0.message.contains("HubKiosk") })
    }

    /// `code = 1` is a wrong type, not a missing key: one problem, not two.
    @Test(arguments: ["code = 1\nlabel = \"F\"\n", "code = \"food\"\nlabel = 2\n"])
    func aWrongTypeIsOneProblem(item: String) throws {
        let text = "[partnership]\nname = \"P\"\n[[needs]]\n" + item
        let error = try #require(throws: ConfigError.self) {
            try ReportConfiguration.parse(text, file: "hubreport.toml", absolutePath: "/etc/hubreport/hubreport.toml")
        }
        let messages = error.problems.filter { $0.key?.hasPrefix("[[needs]] #1") == true }.map(\.message)
        #expect(messages.count == 1, "\(messages)")
        #expect(messages.first?.hasPrefix("should be text") == true, "\(messages)")
    }

    @Test func anEmptyFileIsNotAPartnership() {
        #expect(throws: ConfigError.self) {
            try ReportConfiguration.parse("", file: "hubreport.toml", absolutePath: "/etc/hubreport/hubreport.toml")
        }
    }

    @Test(arguments: [
        ("127.0.0.1:8470", "127.0.0.1", 8470), ("[::1]:0", "::1", 0), ("0.0.0.0:443", "0.0.0.0", 443),
    ])
    func listenAddressesParse(text: String, host: String, port: Int) {
        #expect(ListenAddress(text) == ListenAddress(host: host, port: port))
    }

    @Test(arguments: ["", ":80", "host", "host:", "host:-1", "host:65536", "host:99999999999999999999999", "a b:1"])
    func badListenAddressesAreRefused(text: String) {
        #expect(ListenAddress(text) == nil)
    }
}
