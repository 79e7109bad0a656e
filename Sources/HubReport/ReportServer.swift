import Foundation
import HTTPTypes
import HubReportAPI
import HubWeb
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore

/// The HTTP API kiosks sync to (`docs/hubreport-openapi.yaml`): `POST /v1/enrol`, `POST /v1/tallies` (signed, RFC
/// 9421 ed25519) and `GET /healthz`. Every error is `application/problem+json` (RFC 9457) saying what is wrong and
/// what to do.
public struct ReportServer: Sendable {
    /// How the service listens and what it accepts.
    public struct Settings: Sendable, Equatable {
        /// Loopback by default: put a TLS-terminating proxy in front, or listen elsewhere on purpose.
        public var host: String
        public var port: Int
        public var limits: WireLimits
        /// Requests worked on at once; more are refused with 429.
        public var maxConcurrentRequests: Int
        /// The `Retry-After` of a 429 or 503, in seconds.
        public var retryAfterSeconds: Int
        /// How far a signature's `created` may be from the service's clock.
        public var maximumSkew: Int64

        public init(
            host: String = "127.0.0.1", port: Int = 8470, limits: WireLimits = .standard,
            maxConcurrentRequests: Int = 64, retryAfterSeconds: Int = 5, maximumSkew: Int64 = 300
        ) {
            self.host = host
            self.port = port
            self.limits = limits
            self.maxConcurrentRequests = maxConcurrentRequests
            self.retryAfterSeconds = retryAfterSeconds
            self.maximumSkew = maximumSkew
        }
    }

    public let store: any ReportStore
    public let partnership: Partnership
    public let settings: Settings
    let clock: @Sendable () -> Date
    let logger: Logger
    let shedder: LoadShedder

    /// - Parameter clock: the service's clock (tests move it).
    public init(
        store: any ReportStore, partnership: Partnership, settings: Settings = Settings(), logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.partnership = partnership
        self.settings = settings
        self.logger = logger
        self.clock = clock
        self.shedder = LoadShedder(limit: settings.maxConcurrentRequests)
    }

    /// The Hummingbird application (a `Service`: run it in a `ServiceGroup`), over HTTPS with `tls`, else plain HTTP.
    /// With `pages`, every path but `/healthz` and `/v1/…` goes to the pages' router (run `pages.audit` in the same
    /// group). `onRunning` gets the port it listens on (useful with port 0).
    public func application(
        tls: ServerTLS? = nil, pages: ReportPages? = nil, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        Application(
            responder: Responder(server: self, pages: pages?.makeRouter().buildResponder()),
            server: try tls.map { try .tls(.http1(), tlsConfiguration: $0.configuration) } ?? .http1(),
            configuration: ApplicationConfiguration(
                address: .hostname(settings.host, port: settings.port), serverName: "hubreport"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// The API's paths to the API, the rest to the pages (when there are pages).
    struct Responder: HTTPResponder {
        typealias Context = WebContext
        let server: ReportServer
        let pages: RouterResponder<WebContext>?

        func respond(to request: Request, context: WebContext) async throws -> Response {
            let path = request.uri.path
            if let pages, !ReportServer.isAPI(path) { return try await pages.respond(to: request, context: context) }
            return await server.respond(to: request)
        }
    }

    /// `/healthz` and `/v1/…`: the kiosks' API, answered with problem details; every other path is a page.
    static func isAPI(_ path: String) -> Bool { path == "/healthz" || path == "/v1" || path.hasPrefix("/v1/") }

    /// Routes one request.
    func respond(to request: Request) async -> Response {
        let path = request.uri.path
        if path == "/healthz" {
            guard request.method == .get || request.method == .head else { return methodNotAllowed(request, "GET") }
            return await healthz()
        }
        guard path == "/v1/enrol" || path == "/v1/tallies" else {
            return refuse(
                request,
                Self.httpProblem(
                    .notFound, detail: "There is no \(path) here; the API has POST /v1/enrol and POST /v1/tallies.",
                    whatToDo:
                        "Check the service URL the kiosk was given: it ends before /v1 (the kiosk POSTs to URL/v1/enrol and URL/v1/tallies)."
                ))
        }
        guard request.method == .post else { return methodNotAllowed(request, "POST") }
        guard shedder.enter() else {
            return refuse(
                request,
                ProblemDetails(
                    .rateLimited,
                    detail: "The service is working on \(shedder.limit) requests already; try again in "
                        + "\(settings.retryAfterSeconds) s."),
                retryAfter: settings.retryAfterSeconds)
        }
        defer { shedder.leave() }
        do throws(ProblemDetails) {
            return path == "/v1/enrol" ? try await enrol(request) : try await tallies(request)
        } catch {
            return refuse(request, error, retryAfter: error.kind == .unavailable ? settings.retryAfterSeconds : nil)
        }
    }

    func healthz() async -> Response {
        do {
            try await store.ping()
            return Self.json(["status": "ok"])
        } catch {
            logger.error("health check: storage does not answer", metadata: ["error": "\(error)"])
            return Self.problem(
                ProblemDetails(.unavailable, detail: "The service's storage does not answer."),
                retryAfter: settings.retryAfterSeconds)
        }
    }

    func methodNotAllowed(_ request: Request, _ allowed: String) -> Response {
        var response = refuse(
            request,
            Self.httpProblem(
                .methodNotAllowed, detail: "\(request.uri.path) takes \(allowed), not \(request.method.rawValue).",
                whatToDo: "Update the kiosk's software to one that speaks this service's API."))
        response.headers[.allow] = allowed
        return response
    }

    /// The problem response for a refused request, logged with what was wrong.
    func refuse(_ request: Request, _ problem: ProblemDetails, retryAfter: Int? = nil) -> Response {
        logger.notice(
            "request refused",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": "\(problem.status)",
                "problem": "\(problem.type)", "detail": "\(problem.detail)",
            ])
        return Self.problem(problem, retryAfter: retryAfter)
    }
}
