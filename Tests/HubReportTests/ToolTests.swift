import Foundation
import KioskTestSupport
import Testing

/// The `hubreport` executable, run as an administrator runs it.
@Suite struct ToolTests {
    let folder = TemporaryDirectory()

    struct Run: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `hubreport` (built beside the tests) off the cooperative pool, in the temporary folder.
    func hubreport(_ arguments: [String]) async throws -> Run {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("hubreport")
        try #require(
            FileManager.default.isExecutableFile(atPath: executable.path), "hubreport is built beside the tests")
        let directory = folder.path
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result {
                        let process = Process()
                        process.executableURL = executable
                        process.arguments = arguments
                        process.currentDirectoryURL = URL(fileURLWithPath: directory)
                        var environment = ProcessInfo.processInfo.environment
                        environment["HUBREPORT_CONFIG"] = nil
                        environment["STATE_DIRECTORY"] = nil
                        process.environment = environment
                        let out = Pipe()
                        let err = Pipe()
                        process.standardOutput = out
                        process.standardError = err
                        try process.run()
                        let stdout = out.fileHandleForReading.readDataToEndOfFile()
                        let stderr = err.fileHandleForReading.readDataToEndOfFile()
                        process.waitUntilExit()
                        return Run(
                            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                            stderr: String(decoding: stderr, as: UTF8.self))
                    })
            }
        }
    }

    @Test func addListRevokeAndExportOnTheDefaultDatabase() async throws {
        let added = try await hubreport(["hub", "add", "leith", "--name", "Leith Community Hub", "--json"])
        #expect(added.status == 0, "\(added.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String: Any]
        let code = try #require(json?["code"] as? String)
        #expect(code.count == 24)
        #expect(FileManager.default.fileExists(atPath: folder.file("hubreport.sqlite")))

        let listed = try await hubreport(["hub", "list", "--json"])
        #expect(listed.status == 0)
        let hubs = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
        #expect(hubs?.count == 1)
        #expect(hubs?.first?["state"] as? String == "pending")
        #expect(hubs?.first?["name"] as? String == "Leith Community Hub")

        #expect(try await hubreport(["hub", "revoke", "leith"]).status == 0)
        #expect(try await hubreport(["hub", "list"]).stdout.contains("revoked"))
        let missing = try await hubreport(["hub", "revoke", "nobody"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("no hub \"nobody\""))

        let export = try await hubreport(["export", "--by", "week", "--format", "csv"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.hasPrefix("period,start,end,partial,hub,hub_name,visits,money,food,"))
    }

    @Test func badInputsAreClearErrors() async throws {
        let badID = try await hubreport(["hub", "add", "Leith Hub", "--name", "x"])
        #expect(badID.status == 64)
        #expect(badID.stderr.contains("is not a hub id"))
        let badDate = try await hubreport(["export", "--by", "day", "--format", "csv", "--from", "2026-13-01"])
        #expect(badDate.status == 64)
        #expect(badDate.stderr.contains("--from \"2026-13-01\" is not a date"))
        try Data("[partnership]\nname = 1\n".utf8).write(to: URL(fileURLWithPath: folder.file("bad.toml")))
        let badConfig = try await hubreport(["hub", "list", "--config", folder.file("bad.toml")])
        #expect(badConfig.status == 78)
        #expect(badConfig.stderr.contains("bad.toml:2: [partnership] name"))
        let badListen = try await hubreport(["serve", "--listen", "nowhere"])
        #expect(badListen.status == 64)
    }

    @Test func tlsOptionsComeInPairsAndNameTheirFiles() async throws {
        let lonely = try await hubreport(["serve", "--tls-cert", "cert.pem"])
        #expect(lonely.status == 64)
        #expect(lonely.stderr.contains("--tls-cert needs --tls-key"), "\(lonely.stderr)")
        let keyOnly = try await hubreport(["serve", "--tls-key", "key.pem"])
        #expect(keyOnly.status == 64)
        #expect(keyOnly.stderr.contains("--tls-key needs --tls-cert"), "\(keyOnly.stderr)")
        let missing = try await hubreport(["serve", "--tls-cert", "nothere.pem", "--tls-key", "key.pem"])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("--tls-cert nothere.pem does not exist"), "\(missing.stderr)")
        try Data(
            "[partnership]\nname = \"P\"\n[service]\ntls_cert = \"c.pem\"\n[[needs]]\ncode = \"food\"\nlabel = \"Food\"\n"
                .utf8
        )
        .write(to: URL(fileURLWithPath: folder.file("tls.toml")))
        let config = try await hubreport(["serve", "--config", folder.file("tls.toml")])
        #expect(config.status == 78)
        #expect(config.stderr.contains("[service] tls_cert: is set without tls_key"), "\(config.stderr)")
    }

    @Test func tlsPinPrintsWhatOpensslComputes() async throws {
        let certificate = try await TestCertificate.make()
        let pinned = try await hubreport(["tls", "pin", "--cert", certificate.certificate])
        #expect(pinned.status == 0, "\(pinned.stderr)")
        #expect(pinned.stdout == (try await certificate.opensslPin()) + "\n")
        let notACertificate = try await hubreport(["tls", "pin", "--cert", certificate.key])
        #expect(notACertificate.status == 65)
    }

    /// The commands on PostgreSQL: `--database postgres://…` picks it (a schema of this test's own, dropped after).
    @Test(.enabled(if: StoreEngine.postgresURL != nil)) func addAndListOnPostgreSQL() async throws {
        let database = try StoreEngine.postgres.makeDatabase()
        let url = "\(database.location)"
        do {
            let added = try await hubreport(["hub", "add", "leith", "--name", "Leith", "--database", url])
            #expect(added.status == 0, "\(added.stderr)")
            let listed = try await hubreport(["hub", "list", "--json", "--database", url])
            #expect(listed.status == 0, "\(listed.stderr)")
            let hubs = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
            #expect(hubs?.map { $0["id"] as? String } == ["leith"])
            let export = try await hubreport(["export", "--by", "day", "--format", "json", "--database", url])
            #expect(export.status == 0, "\(export.stderr)")
            try await StoreEngine.postgres.drop(database)
        } catch {
            try? await StoreEngine.postgres.drop(database)
            throw error
        }
        let unreachable = try await hubreport(
            ["hub", "list", "--database", "postgres://nobody@127.0.0.1:1/none?sslmode=disable"])
        #expect(unreachable.status == 73)
        #expect(unreachable.stderr.contains("check that PostgreSQL runs"), "\(unreachable.stderr)")
    }
}
