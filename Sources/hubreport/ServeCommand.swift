import ArgumentParser
import Foundation
import HubReport
import Logging
import ServiceLifecycle
import UnixSignals

/// `hubreport serve`: runs the service until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the service (until SIGTERM or SIGINT).")

    @OptionGroup var options: CommonOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where to listen (default: [service] listen, then 127.0.0.1:8470: loopback, behind a TLS proxy).",
            valueName: "HOST:PORT"))
    var listen: String?

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
            // A kiosk that goes away mid-answer is an error to handle, not a signal that ends the service.
            signal(SIGPIPE, SIG_IGN)
            let level = logLevel
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "hubreport")
            let store = try options.openStore(configuration)
            if configuration.file == nil {
                logger.notice(
                    "no configuration file: running the built-in example partnership; pass --config for yours")
            }
            let settings = configuration.settings
            let partnershipName = configuration.partnership.name
            let server = ReportServer(
                store: store, partnership: configuration.partnership, settings: settings, logger: logger)
            let application = server.application(onRunning: { port in
                logger.info(
                    "listening",
                    metadata: [
                        "address": "\(settings.host):\(port)", "database": "\(store.path)",
                        "partnership": "\(partnershipName)",
                    ])
            })
            let group = ServiceGroup(
                configuration: .init(
                    services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
