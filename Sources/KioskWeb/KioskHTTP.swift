import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// The daemon's one HTTP stack: Hummingbird's HTTP/1 server and router without `Application` (whose `Date`
/// header cache wakes the process every second: an idle kiosk does not wake at all), for the control socket and
/// for the pages on the hub's network. Both get the same limits, the same answer to a request refused before its
/// body was read, and one event loop.
enum KioskHTTP {
    /// The single event-loop thread shared by every server in the process.
    static let eventLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    static func server<Responder: HTTPResponder>(
        address: BindAddress, tls: TLSConfiguration? = nil, limits: ControlServer.Limits, logger: Logger,
        responder: Responder, makeContext: @escaping @Sendable (any Channel) -> Responder.Context,
        onRunning: @escaping @Sendable (any Channel) async -> Void
    ) throws -> any Service {
        let http = HTTP1Channel.Configuration(idleTimeout: TimeAmount(limits.idleTimeout))
        let builder: HTTPServerBuilder =
            try tls.map { try .tls(.http1(configuration: http), tlsConfiguration: $0) }
            ?? .http1(configuration: http)
        return try builder.buildServer(
            configuration: ServerConfiguration(
                address: address, backlog: limits.backlog,
                availableConnectionsDelegate: MaximumAvailableConnections(
                    limits.maximumConnections, logger: logger)),
            eventLoopGroup: eventLoop,
            logger: logger,
            responder: { request, writer, channel in
                let response: Response
                do {
                    response = try await responder.respond(to: request, context: makeContext(channel))
                } catch let error as any HTTPResponseError {
                    response = ControlServer.error(
                        error.status, "\(request.method) \(request.uri.path): \(error.status)")
                } catch {
                    response = ControlServer.error(.internalServerError, "\(error)")
                }
                let status = response.status
                try await writer.write(response: response.head, body: response.body)
                // A request refused before its body was read: the rest of the body is read and dropped
                // (Hummingbird does so before a next request) for at most the body timeout, then the connection
                // closes. Not reading would fail the client's next write, and AsyncHTTPClient (NIO) drops the
                // connection on a failed write, this answer with it. A client too slow to send a body is dropped.
                if status == .contentTooLarge {
                    channel.eventLoop.scheduleTask(in: TimeAmount(limits.bodyTimeout)) {
                        channel.close(promise: nil)
                    }
                } else if status == .requestTimeout {
                    try? await channel.close()
                }
            },
            onServerRunning: onRunning)
    }
}

/// A service whose failure (an address already in use) is logged and does not stop the kiosk: it waits for the
/// shutdown like the others. The pages are for staff; the kiosk's buttons and printer must not depend on them.
public struct TolerantService: Service {
    let inner: any Service

    public init(inner: any Service, what: String, logger: Logger, onFailure: @escaping @Sendable (String) -> Void) {
        self.inner = inner
        self.what = what
        self.logger = logger
        self.onFailure = onFailure
    }
    let what: String
    let logger: Logger
    let onFailure: @Sendable (String) -> Void

    public func run() async throws {
        do {
            try await inner.run()
        } catch {
            let message = "\(what) stopped: \(error)"
            logger.error("\(message)")
            onFailure(message)
            try? await gracefulShutdown()
        }
    }
}
