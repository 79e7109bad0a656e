import Foundation
import HubReport
import KioskApp
import KioskControl
import KioskSync
import KioskTestSupport
import Testing

/// A TLS server of `openssl s_server` on 127.0.0.1 with a fresh self-signed certificate, for the kiosk's trust
/// checks that need only a handshake.
final class OpenSSLServer: Sendable {
    /// Started off the cooperative pool (it starts openssl and waits for it to listen).
    static func start() async throws -> OpenSSLServer {
        let identity = try await TestCertificate.make()
        let pin = try await identity.opensslPin()
        return try await offPool { try OpenSSLServer(identity: identity, pin: pin) }
    }

    let identity: TestCertificate
    let port: Int
    let process: Process
    var certificate: String { identity.certificate }
    /// The certificate's public-key pin as openssl computes it (`sha256/BASE64` of the SPKI).
    let pin: String

    private init(identity: TestCertificate, pin: String) throws {
        self.identity = identity
        self.pin = pin
        let certificate = identity.certificate
        let key = identity.key
        var lastError: (any Error)?
        for _ in 0..<20 {
            let candidate = Int.random(in: 20_000...60_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = [
                "s_server", "-accept", "127.0.0.1:\(candidate)", "-cert", certificate, "-key", key, "-www", "-quiet",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            do {
                try process.run()
            } catch {
                lastError = error
                continue
            }
            // Listening once a connection is accepted.
            for _ in 0..<50 where process.isRunning {
                if Self.accepts(port: candidate) {
                    self.port = candidate
                    self.process = process
                    return
                }
                usleep(100_000)
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        throw SyncTestError("openssl s_server did not start: \(String(describing: lastError))")
    }

    deinit {
        // s_server does not stop on SIGTERM while it waits for a connection.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

}

@Suite("Sync: trusting the service (TLS)", .serialized, .timeLimit(.minutes(3)))
struct SyncTLSTests {
    @Test("--pin finds the service's certificate by its key's pin, the same pin openssl computes")
    func pinFound() async throws {
        let server = try await OpenSSLServer.start()
        let address = try ServiceAddress("https://127.0.0.1:\(server.port)")
        let certificate = try await fetchPinnedCertificate(address: address, pin: server.pin)
        #expect(try publicKeyPin(of: certificate) == server.pin)
    }

    @Test("A wrong pin is refused, saying which pins the service presents")
    func wrongPin() async throws {
        let server = try await OpenSSLServer.start()
        let address = try ServiceAddress("https://127.0.0.1:\(server.port)")
        let wrong = "sha256/" + Data(repeating: 7, count: 32).base64EncodedString()
        do {
            _ = try await fetchPinnedCertificate(address: address, pin: wrong)
            Issue.record("a wrong pin was accepted")
        } catch {
            #expect(error.description.contains("no certificate with the pin"), "\(error)")
            #expect(error.description.contains(server.pin), "names what it found: \(error)")
        }
    }

    @Test(
        "An https enrolment without --ca or --pin, a malformed pin, or a CA that did not issue the certificate is refused"
    )
    func untrusted() async throws {
        let server = try await OpenSSLServer.start()
        let other = try await OpenSSLServer.start()
        let state = TemporaryDirectory()
        let enroller = SyncEnroller(files: SyncFiles(stateDirectory: state.path), version: "test")
        let url = "https://127.0.0.1:\(server.port)"
        let cases: [(SyncEnroller.TrustChoice, String)] = [
            (.none, "--ca FILE"),
            (.pin("sha256/abc"), "is not a pin"),
            (.pin(server.pin.replacingOccurrences(of: "sha256/", with: "sha1/")), "is not a pin"),
            (.certificateAuthority(path: other.certificate), "certificate"),
            (.certificateAuthority(path: state.file("missing.pem")), "not a readable PEM file"),
        ]
        for (choice, expected) in cases {
            do {
                _ = try await enroller.enrol(service: url, code: "CODE", trust: choice, replace: false, owner: nil)
                Issue.record("\(choice) enrolled")
            } catch {
                #expect(error.description.contains(expected), "\(choice): \(error)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: SyncFiles(stateDirectory: state.path).enrolmentPath))
    }

    @Test("The sync runs over TLS to the real service with a pin and with a CA file; a changed certificate stops it")
    func syncOverTLS() async throws {
        let identity = try await TestCertificate.make()
        let tls = try ServerTLS(certificateFile: identity.certificate, keyFile: identity.key)
        for trust in [
            SyncEnroller.TrustChoice.pin(try await identity.opensslPin()),
            .certificateAuthority(path: identity.certificate),
        ] {
            let kiosk = try InProcessKiosk(start: "2026-12-03T09:00")
            try await ReportService.run(clock: kiosk.clock, tls: tls) { service in
                #expect(service.address.hasPrefix("https://"))
                try await kiosk.enrol(with: service, trust: trust)
                _ = try await kiosk.play("busy-morning")
                let status = await kiosk.kiosk.sync.syncNow(timeout: .seconds(30))
                #expect(status.state == "idle", "\(trust): \(status)")
                #expect(try await service.held("brae-street") == kiosk.ledger())
            }
            // The same address now presents another certificate (a proxy, or a service re-keyed without telling).
            let other = try await TestCertificate.make()
            let otherTLS = try ServerTLS(certificateFile: other.certificate, keyFile: other.key)
            let enrolment = try #require(try SyncFiles(stateDirectory: kiosk.state.path).enrolment())
            let port = try #require(URLComponents(string: enrolment.service)?.port)
            try await ReportService.run(clock: kiosk.clock, tls: otherTLS, port: port) { _ in
                _ = try await kiosk.driver.press("food", hold: .milliseconds(100))
                let status = await kiosk.kiosk.sync.syncNow(timeout: .seconds(40))
                #expect(status.state == "stopped", "\(trust): \(status)")
                #expect(status.lastError?.contains("certificate") == true, "\(status.lastError ?? "")")
            }
            try await kiosk.stop()
        }
    }
}
