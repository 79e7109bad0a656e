import ArgumentParser
import Foundation
import HubReport

/// `hubreport tls pin`: the public-key pin kiosks enrol with.
struct TLSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls", abstract: "The service's TLS certificate, as kiosks see it.", subcommands: [Pin.self])

    struct Pin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the pin of a certificate's public key: sha256/BASE64 of its SubjectPublicKeyInfo.",
            discussion: """
                A kiosk enrols with it: `hubkiosk sync enrol URL CODE --pin sha256/…`, and then talks only to a \
                service holding that key, whatever certificate authority signed it. The pin stays the same when a \
                certificate is renewed with the same key (certbot --reuse-key); a new key needs new pins.
                """)

        @OptionGroup var options: CommonOptions

        @Option(
            name: .long,
            help: ArgumentHelp(
                "The certificate (PEM; the first of a chain) (default: [service] tls_cert).", valueName: "FILE"))
        var cert: String?

        func run() async throws {
            try await reportingFailures {
                guard let cert = try cert ?? options.loadConfiguration().tlsCertificate else {
                    throw ToolFailure(
                        message: "--cert FILE is required (the configuration sets no [service] tls_cert)", exitCode: 64)
                }
                let text: String
                do {
                    text = try String(contentsOfFile: cert, encoding: .utf8)
                } catch {
                    throw ToolFailure(
                        message: "--cert \(cert) cannot be read (\(error.localizedDescription))", exitCode: 66)
                }
                do {
                    print(try ServerTLS.pin(certificatePEM: text, file: cert))
                } catch {
                    throw ToolFailure(message: "--cert \(error)", exitCode: 65)
                }
            }
        }
    }
}
