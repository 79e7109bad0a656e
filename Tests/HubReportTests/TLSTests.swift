import Foundation
import HubReport
import KioskTestSupport
import Logging
import NIOSSL
import ServiceLifecycle
import Testing

@Suite struct TLSTests {
    /// Runs the real service over HTTPS with `tls` on an ephemeral loopback port.
    func withHTTPSService(_ tls: ServerTLS, _ body: @Sendable (Int) async throws -> Void) async throws {
        let folder = TemporaryDirectory()
        let store = try SQLiteReportStore(path: folder.file("hubreport.sqlite"))
        var logger = Logger(label: "hubreport-test")
        logger.logLevel = .critical
        let server = ReportServer(
            store: store, partnership: .example, settings: ReportServer.Settings(port: 0), logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [try server.application(tls: tls, onRunning: { continuation.yield($0) })], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            do {
                try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func healthzAnswersOverHTTPSToAClientThatTrustsTheCertificate() async throws {
        let certificate = try await TestCertificate.make()
        let tls = try ServerTLS(certificateFile: certificate.certificate, keyFile: certificate.key)
        let certificatePath = certificate.certificate
        try await withHTTPSService(tls) { port in
            var trusting = TLSConfiguration.makeClientConfiguration()
            trusting.trustRoots = .file(certificatePath)
            let response = try await RawHTTPClient(port: port, tls: trusting).send("GET", "/healthz")
            #expect(response.status == 200)
            #expect(try response.json()["status"] as? String == "ok")
            // Plain HTTP to the HTTPS port gets no answer from the API.
            let plain = try? await RawHTTPClient(port: port).send("GET", "/healthz")
            #expect(plain?.status != 200)
            // A client that trusts only the system's CAs refuses the self-signed certificate.
            await #expect(throws: (any Error).self) {
                try await RawHTTPClient(port: port, tls: .makeClientConfiguration()).send("GET", "/healthz")
            }
        }
    }

    @Test(arguments: ["ec -pkeyopt ec_paramgen_curve:prime256v1", "rsa:2048", "ed25519"])
    func thePinIsTheSHA256OfTheSubjectPublicKeyInfo(keyType: String) async throws {
        let certificate = try await TestCertificate.make(keyType: keyType)
        let pem = try String(contentsOfFile: certificate.certificate, encoding: .utf8)
        let pin = try ServerTLS.pin(certificatePEM: pem, file: certificate.certificate)
        #expect(pin == (try await certificate.opensslPin()))
        #expect(pin.hasPrefix("sha256/") && pin.count == "sha256/".count + 44)
    }

    @Test func badFilesAreNamed() async throws {
        let certificate = try await TestCertificate.make()
        let other = try await TestCertificate.make()
        let missing = certificate.folder.file("missing.pem")
        let notPEM = certificate.folder.file("not.pem")
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: notPEM))
        let cases: [(String, String, [String])] = [
            (missing, certificate.key, ["--tls-cert", missing, "does not exist"]),
            (certificate.certificate, missing, ["--tls-key", missing, "does not exist"]),
            (notPEM, certificate.key, ["--tls-cert", notPEM, "not a PEM certificate"]),
            (certificate.certificate, notPEM, ["--tls-key", notPEM, "not a PEM private key"]),
            (
                certificate.certificate, other.key,
                ["--tls-key", other.key, "does not go with", certificate.certificate]
            ),
        ]
        for (cert, key, words) in cases {
            let error = #expect(throws: ServerTLSError.self) { try ServerTLS(certificateFile: cert, keyFile: key) }
            for word in words {
                #expect(error?.message.contains(word) == true, "\(error?.message ?? "") should say \(word)")
            }
        }
        #expect(throws: ServerTLSError.self) { try ServerTLS.pin(certificatePEM: "hello", file: notPEM) }
    }
}
