import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import KioskControl
import KioskCore
import KioskRuntime
import KioskStore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The daemon's control API on its Unix socket: what `hubkiosk` talks to.
public struct ControlServer: Sendable {
    public let service: KioskService
    /// The simulator's controls, when the daemon runs on the simulator backend.
    public let simulator: (any SimulatorControl)?
    public let info: ControlAPI.InfoResponse
    public let hubName: String
    public let layout: KioskLayout
    /// The partnership sync, if the daemon runs one.
    public let sync: (any SyncControl)?
    /// What keeps the directory current, if the daemon runs it.
    public let directory: (any DirectoryControl)?

    public init(
        service: KioskService,
        simulator: (any SimulatorControl)?,
        info: ControlAPI.InfoResponse,
        hubName: String,
        layout: KioskLayout,
        sync: (any SyncControl)? = nil,
        directory: (any DirectoryControl)? = nil
    ) {
        self.sync = sync
        self.directory = directory
        self.service = service
        self.simulator = simulator
        self.info = info
        self.hubName = hubName
        self.layout = layout
    }

    /// The HTTP server listening on `socketPath`; run it in the daemon's `ServiceGroup`.
    ///
    /// It is Hummingbird's HTTP/1 server and router without `Application`, whose `Date` header cache wakes the
    /// process every second: an idle kiosk does not wake at all. `limits` bound what one client can hold: open
    /// connections, time to send a request and idle time, and body size.
    public func service(
        socketPath: String,
        limits: Limits = .standard,
        logger: Logger,
        onRunning: @escaping @Sendable () async -> Void = {}
    ) throws -> any Service {
        let router = Router()
        router.get("/info") { _, _ in Self.json(info) }
        router.get("/status") { _, _ in try await status() }
        router.post("/sim/press") { request, _ in try await press(request, limits: limits) }
        router.post("/sim/printer") { request, _ in try await setPrinter(request, limits: limits) }
        router.post("/slip/print") { request, _ in try await printSlip(request, limits: limits) }
        router.get("/sync/status") { _, _ in try await syncStatus(now: false) }
        router.post("/sync/now") { _, _ in try await syncStatus(now: true) }
        router.get("/directory/status") { _, _ in try await directoryStatus(reload: false) }
        router.post("/directory/reload") { _, _ in try await directoryStatus(reload: true) }
        router.post("/directory/apply") { request, _ in try await applyDirectory(request, limits: limits) }
        router.post("/alerts/acknowledge") { _, _ in
            await service.acknowledgeAlerts()
            return try await status()
        }
        let responder = router.buildResponder()
        return try HTTPServerBuilder.http1(configuration: .init(idleTimeout: TimeAmount(limits.idleTimeout)))
            .buildServer(
                configuration: ServerConfiguration(
                    address: .unixDomainSocket(path: socketPath),
                    backlog: limits.backlog,
                    availableConnectionsDelegate: MaximumAvailableConnections(
                        limits.maximumConnections, logger: logger)),
                // One event loop is plenty for a local control socket (the default is one per core).
                eventLoopGroup: ControlServer.eventLoop,
                logger: logger,
                responder: { request, writer, channel in
                    let context = BasicRequestContext(
                        source: ApplicationRequestContextSource(channel: channel, logger: logger))
                    let response: Response
                    do {
                        response = try await responder.respond(to: request, context: context)
                    } catch let error as any HTTPResponseError {
                        response = Self.error(error.status, "\(request.method) \(request.uri.path): \(error.status)")
                    } catch {
                        response = Self.error(.internalServerError, "\(error)")
                    }
                    try await writer.write(response: response.head, body: response.body)
                    // A request refused before its body was read: the rest of the body is read and dropped
                    // (Hummingbird does so before a next request) for at most the body timeout, then the connection
                    // closes. Not reading would fail the client's next write, and AsyncHTTPClient (NIO) drops the
                    // connection on a failed write, this answer with it. A client too slow to send a body is dropped.
                    if response.status == .contentTooLarge {
                        channel.eventLoop.scheduleTask(in: TimeAmount(limits.bodyTimeout)) {
                            channel.close(promise: nil)
                        }
                    } else if response.status == .requestTimeout {
                        try? await channel.close()
                    }
                },
                onServerRunning: { _ in await onRunning() })
    }

    /// The control socket's single event-loop thread, shared by every server in the process.
    static let eventLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    // MARK: - Routes

    func status() async throws -> Response {
        let status: KioskStatus
        do {
            status = try await service.status()
        } catch {
            return Self.error(.internalServerError, error.description)
        }
        let formatter = ISO8601DateFormatter()
        var lights: [String: String] = [:]
        for (light, pattern) in status.lights { lights[light.description] = pattern.rawValue }
        return Self.json(
            ControlAPI.StatusResponse(
                hub: service.configuration.hubID, hubName: hubName, backend: info.backend,
                day: status.today.day.description, visits: status.today.visits,
                needs: Dictionary(uniqueKeysWithValues: status.today.needs.map { ($0.key.rawValue, $0.value) }),
                presses: status.today.presses, flaggedPresses: status.today.flaggedPresses,
                slipsPrinted: status.today.slipsPrinted, slipsNotPrinted: status.today.slipsNotPrinted,
                lastPressAt: status.today.lastPressAt.map { formatter.string(from: $0) }, printer: status.printer.key,
                alerts: status.alerts.map(\.description), visitInProgress: status.visitInProgress, lights: lights,
                storageError: status.lastStorageError, sync: await sync?.status(),
                directory: await directory?.status()))
    }

    func syncStatus(now: Bool) async throws -> Response {
        guard let sync else { return Self.error(.notFound, "this daemon runs no sync") }
        // Within the client's 20 s probe: an attempt that takes longer is reported as still syncing.
        return Self.json(now ? await sync.syncNow(timeout: .seconds(15)) : await sync.status())
    }

    func directoryStatus(reload: Bool) async throws -> Response {
        guard let directory else { return Self.error(.notFound, "this daemon does not keep a directory") }
        return Self.json(reload ? await directory.reload() : await directory.status())
    }

    /// `POST /directory/apply?format=…&label=…&allow_loss=true` with the directory as the body (up to 64 MiB,
    /// within 60 s): what `hubkiosk directory import … --apply` sends after showing what changes.
    func applyDirectory(_ request: Request, limits: Limits) async throws -> Response {
        guard let directory else { return Self.error(.notFound, "this daemon does not keep a directory") }
        var large = limits
        large.maximumBodyBytes = max(limits.maximumBodyBytes, 64 << 20)
        large.bodyTimeout = max(limits.bodyTimeout, .seconds(60))
        let bytes: [UInt8]
        switch await Self.rawBody(of: request, limits: large) {
        case .success(let body): bytes = body
        case .failure(let refusal): return refusal.response
        }
        let query = request.uri.queryParameters
        let format = query["format"].map(String.init) ?? "auto"
        let label = query["label"].map(String.init) ?? "an upload"
        let allowLoss = query["allow_loss"].map { $0 == "true" || $0 == "1" } ?? false
        return Self.json(await directory.apply(document: bytes, format: format, label: label, allowLoss: allowLoss))
    }

    func press(_ request: Request, limits: Limits) async throws -> Response {
        guard let simulator else {
            return Self.error(.conflict, "the daemon drives real buttons (backend \(info.backend)), not the simulator")
        }
        let body: ControlAPI.PressRequest
        switch await Self.decode(ControlAPI.PressRequest.self, from: request, limits: limits) {
        case .success(let decoded): body = decoded
        case .failure(let refusal): return refusal.response
        }
        if let problem = body.problem { return Self.error(.badRequest, problem) }
        guard let button = layout.button(named: body.button) else {
            return Self.error(
                .notFound, "\"\(body.button)\" is not a button of this kiosk", valid: layout.buttonNames)
        }
        let hold = body.holdMilliseconds.map { Duration.milliseconds($0) } ?? simulator.defaultHold
        guard let eventID = simulator.press(button.id, hold: hold) else {
            return Self.json(ControlAPI.PressResponse(result: "ignored", button: button.id.rawValue))
        }
        switch await service.result(forEvent: eventID) {
        case .acknowledged(let outcome):
            return Self.json(
                ControlAPI.PressResponse(
                    result: "stored", pressID: outcome.pressID.uuidString.lowercased(),
                    visitID: outcome.visitID.uuidString.lowercased(), button: outcome.button.rawValue,
                    need: outcome.need?.rawValue, newVisit: outcome.newVisit, counted: outcome.counted,
                    flags: outcome.flags.names, slip: outcome.slip.rawValue,
                    slipID: outcome.slipID?.uuidString.lowercased()))
        case .failed(let error):
            return Self.json(
                ControlAPI.PressResponse(result: "not-stored", button: button.id.rawValue, error: error.description),
                status: .serviceUnavailable)
        case .ignored, nil:
            return Self.json(ControlAPI.PressResponse(result: "ignored", button: button.id.rawValue))
        }
    }

    func setPrinter(_ request: Request, limits: Limits) async throws -> Response {
        guard let simulator else {
            return Self.error(.conflict, "the daemon drives a real printer (backend \(info.backend))")
        }
        let body: ControlAPI.PrinterRequest
        switch await Self.decode(ControlAPI.PrinterRequest.self, from: request, limits: limits) {
        case .success(let decoded): body = decoded
        case .failure(let refusal): return refusal.response
        }
        guard let status = PrinterStatus(key: body.state) else {
            return Self.error(.notFound, "\"\(body.state)\" is not a printer state", valid: PrinterStatus.keys)
        }
        simulator.setPrinter(status)
        await service.refreshPrinterStatus()
        return try await self.status()
    }

    func printSlip(_ request: Request, limits: Limits) async throws -> Response {
        let body: ControlAPI.SlipRequest
        switch await Self.decode(ControlAPI.SlipRequest.self, from: request, limits: limits) {
        case .success(let decoded): body = decoded
        case .failure(let refusal): return refusal.response
        }
        let valid = layout.needs.map(\.code.rawValue)
        guard !body.needs.isEmpty else { return Self.error(.badRequest, "name at least one need", valid: valid) }
        for need in body.needs where !valid.contains(need) {
            return Self.error(.notFound, "\"\(need)\" is not a need of this kiosk", valid: valid)
        }
        do {
            let id = try await service.printStaffSlip(needs: body.needs.map { NeedCode($0) })
            return Self.json(ControlAPI.SlipResponse(slipID: id.uuidString.lowercased()))
        } catch {
            return Self.error(.serviceUnavailable, error.description)
        }
    }

    // MARK: - JSON

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String, valid: [String]? = nil) -> Response {
        json(ControlAPI.ErrorResponse(error: message, valid: valid), status: status)
    }
}
