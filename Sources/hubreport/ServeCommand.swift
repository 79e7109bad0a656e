import ArgumentParser
import Foundation
import HubReport
import Logging
import ServiceLifecycle
import UnixSignals

/// `hubreport serve`: runs the service until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the service (until SIGTERM or SIGINT).",
        discussion: """
            HTTPS with --tls-cert and --tls-key (or [service] tls_cert and tls_key), both PEM; `hubreport tls pin \
            --cert FILE` prints the pin a kiosk enrols with. Without them the service speaks plain HTTP: keep it on \
            loopback behind a TLS-terminating proxy then.
            """)

    @OptionGroup var options: CommonOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where to listen (default: [service] listen, then 127.0.0.1:8470: loopback, behind a TLS proxy).",
            valueName: "HOST:PORT"))
    var listen: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The service's certificate chain, PEM (with --tls-key; default: [service] tls_cert).", valueName: "FILE"))
    var tlsCert: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The certificate's private key, PEM (with --tls-cert; default: [service] tls_key).", valueName: "FILE"))
    var tlsKey: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        try await reportingFailures {
            var configuration = try options.loadConfiguration()
            if let listen {
                guard let address = ListenAddress(listen) else {
                    throw ToolFailure(
                        message: "--listen \"\(listen)\" is not HOST:PORT (like 127.0.0.1:8470)", exitCode: 64)
                }
                (configuration.settings.host, configuration.settings.port) = (address.host, address.port)
            }
            let tls = try serverTLS(configuration)
            // A kiosk that goes away mid-answer is an error to handle, not a signal that ends the service.
            signal(SIGPIPE, SIG_IGN)
            let level = logLevel
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "hubreport")
            try await options.withStore(configuration, logger: logger) { store, location in
                if configuration.file == nil {
                    logger.notice(
                        "no configuration file: running the built-in example partnership; pass --config for yours")
                }
                let settings = configuration.settings
                let partnershipName = configuration.partnership.name
                let server = ReportServer(
                    store: store, partnership: configuration.partnership, settings: settings, logger: logger)
                let scheme = tls == nil ? "http" : "https"
                let pages = try ReportPages(
                    store: store, partnership: configuration.partnership, secure: tls != nil, logger: logger)
                let application = try server.application(
                    tls: tls, pages: pages,
                    onRunning: { port in
                        logger.info(
                            "listening",
                            metadata: [
                                "address": "\(settings.host):\(port)", "scheme": "\(scheme)",
                                "database": "\(location)", "partnership": "\(partnershipName)",
                            ])
                    })
                let group = ServiceGroup(
                    configuration: .init(
                        services: [application, pages.audit], gracefulShutdownSignals: [.sigterm, .sigint],
                        logger: logger))
                try await group.run()
            }
        }
    }

    /// HTTPS from the options, else from the configuration; one file without the other is a usage error.
    func serverTLS(_ configuration: ReportConfiguration) throws -> ServerTLS? {
        let certificate: String
        let key: String
        let options: (String, String)
        switch (tlsCert, tlsKey) {
        case (let cert?, let key_?):
            (certificate, key, options) = (cert, key_, ("--tls-cert", "--tls-key"))
        case (.some, nil):
            throw ToolFailure(message: "--tls-cert needs --tls-key (the certificate's private key, PEM)", exitCode: 64)
        case (nil, .some):
            throw ToolFailure(message: "--tls-key needs --tls-cert (the certificate chain, PEM)", exitCode: 64)
        case (nil, nil):
            guard let cert = configuration.tlsCertificate, let key_ = configuration.tlsKey else { return nil }
            (certificate, key, options) = (cert, key_, ("[service] tls_cert", "[service] tls_key"))
        }
        do {
            return try ServerTLS(
                certificateFile: certificate, keyFile: key, certificateOption: options.0, keyOption: options.1)
        } catch {
            throw ToolFailure(message: "\(error)", exitCode: 66)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
