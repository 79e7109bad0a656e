import Foundation
import KioskApp
import KioskConfig
import KioskControl
import KioskTestSupport
import KioskWeb
import Logging
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// An in-process kiosk with the daemon's control server, started by the test with the test's limits; ready (the
/// socket listens) when `start` returns.
struct ServedKiosk {
    let kiosk: InProcessKiosk
    let socket: String
    let group: ServiceGroup
    let running: Task<Void, any Error>

    static func start(limits: ControlServer.Limits = .standard) async throws -> ServedKiosk {
        let kiosk = try InProcessKiosk(control: false)
        let socket = kiosk.state.file("control.sock")
        let server = ControlServer(
            service: kiosk.kiosk.service, simulator: kiosk.kiosk.simulator,
            info: .init(
                configFile: Repository.exampleConfig, stateDirectory: kiosk.state.path, backend: "simulator",
                pid: getpid()),
            hubName: kiosk.kiosk.setup.configuration.hub.name, layout: kiosk.kiosk.setup.configuration.layout)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let (ready, signal) = AsyncStream.makeStream(of: Void.self)
        let http = try server.service(socketPath: socket, limits: limits, logger: logger) { signal.yield() }
        let group = ServiceGroup(configuration: .init(services: [.init(service: http)], logger: logger))
        let running = Task { try await group.run() }
        for await _ in ready { break }
        return ServedKiosk(kiosk: kiosk, socket: socket, group: group, running: running)
    }

    /// Stops the server, then the kiosk.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
        try await kiosk.stop()
    }
}
