import Foundation
import HubWeb
import KioskConfig
import KioskControl
import KioskCore
import KioskHardware
import KioskRuntime
import KioskStore
import KioskWeb
import Logging
import ServiceLifecycle

/// The staff pages on the hub's network (`[web]`): the site, its listeners, its users' file and setup codes.
public final class WebPages: Sendable {
    public let site: StaffSite
    public let addresses: [String]
    public let certificate: DeviceCertificate?
    let codes: SetupCodes
    let users: FileUserStore
    let service: KioskService
    let hubName: String
    let logger: Logger

    /// Where the staff's names and password hashes are kept.
    public static func usersFile(stateDirectory: String) -> String {
        (stateDirectory as NSString).appendingPathComponent("web/staff.json")
    }

    init(
        web: KioskConfiguration.Web, configuration: KioskConfiguration, stateDirectory: String,
        service: KioskService, database: KioskDatabase, simulator: (any SimulatorControl)?,
        sync: (any SyncControl)?, directory: (any DirectoryControl)?, logger: Logger
    ) throws(StartupError) {
        let folder = (stateDirectory as NSString).appendingPathComponent("web")
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StartupError(message: "cannot create \(folder) for the staff pages: \(error)", exitCode: 73)
        }
        addresses = web.listen.map { address in
            let host = address.host ?? LANAddress.primary() ?? "127.0.0.1"
            return host.contains(":") ? "[\(host)]:\(address.port)" : "\(host):\(address.port)"
        }
        if web.tls {
            let hosts = addresses.map { Self.host(of: $0) } + [ProcessInfo.processInfo.hostName, "localhost"]
            do {
                certificate = try DeviceCertificate.loadOrCreate(
                    folder: folder, commonName: "HubKiosk \(configuration.hub.id)", names: Array(Set(hosts)).sorted())
            } catch {
                throw StartupError(message: "staff pages ([web] tls): \(error.description)", exitCode: 73)
            }
        } else {
            certificate = nil
        }
        codes = SetupCodes()
        users = FileUserStore(path: Self.usersFile(stateDirectory: stateDirectory))
        self.service = service
        self.hubName = configuration.hub.name
        self.logger = logger
        do {
            site = try StaffSite(
                service: service, database: database, layout: configuration.layout, hubName: configuration.hub.name,
                timeZone: configuration.hub.timeZone, sync: sync, directory: directory, simulator: simulator,
                users: users, setupCodes: codes, secure: web.tls, sessionIdle: web.sessionIdle.secondsDouble,
                receipts: ReceiptHTML(qrModules: { try? QREncodeRasterizer().modules(for: $0) }),
                maximumLossPercent: configuration.directorySource.maximumLossPercent, logger: logger)
        } catch {
            throw StartupError(message: "cannot build the staff pages: \(error)", exitCode: 70)
        }
    }

    /// One server per address; a listener that cannot start is logged and the kiosk goes on without it.
    func services(onFailure: @escaping @Sendable (String) -> Void) -> [any Service] {
        var services: [any Service] = []
        for address in addresses {
            let host = Self.host(of: address)
            let port = Int(address.split(separator: ":").last ?? "") ?? 8443
            let url = url(address)
            do {
                let server = try site.listener(host: host, port: port, certificate: certificate, logger: logger) {
                    [logger] in
                    logger.info("staff pages ready", metadata: ["url": "\(url)"])
                }
                services.append(
                    TolerantService(
                        inner: server, what: "staff pages on \(address)", logger: logger, onFailure: onFailure))
            } catch {
                logger.error("staff pages: cannot listen on \(address): \(error)")
                onFailure("staff pages: cannot listen on \(address): \(error)")
            }
        }
        return services
    }

    func url(_ address: String) -> String { "\(certificate == nil ? "http" : "https")://\(address)" }

    static func host(of address: String) -> String {
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
            return String(address[address.index(after: address.startIndex)..<close])
        }
        return String(address.split(separator: ":").first ?? "")
    }

    /// Issues a new setup code and prints it (with the address and the certificate's fingerprint); it is also
    /// logged, for a kiosk whose printer is out.
    public func issueSetupCode() async -> ControlAPI.WebSetupResponse {
        let code = codes.issue(role: StaffSite.staffRole)
        let urls = addresses.map { url($0) + "/setup" }
        logger.notice(
            "staff pages: one-time setup code \(code.text), valid 30 minutes, at \(urls.joined(separator: " or "))")
        var document = SlipDocument()
        document.text(hubName, SlipTextStyle(bold: true, alignment: .center))
        document.text("Staff pages: set-up", SlipTextStyle(bold: true, size: .double, alignment: .center))
        document.blocks.append(.rule)
        document.text("On a phone or laptop on the hub's network, open:")
        for url in urls { document.text(url, SlipTextStyle(bold: true)) }
        document.text("and type this code:")
        document.text(code.text, SlipTextStyle(bold: true, size: .double, alignment: .center))
        document.text("It works once, for 30 minutes.")
        if let fingerprint = certificate?.fingerprint {
            document.blocks.append(.rule)
            document.text(
                "The browser warns about the kiosk's own certificate. Check that its SHA-256 "
                    + "fingerprint is:")
            let pairs = fingerprint.split(separator: ":")
            stride(from: 0, to: pairs.count, by: 8).forEach { start in
                document.text(pairs[start..<min(start + 8, pairs.count)].joined(separator: ":"))
            }
        }
        document.blocks.append(.rule)
        document.text("Keep this slip private: shred it after use.")
        let printed: String
        switch await service.printNotice(document) {
        case .printed: printed = "printed"
        case .notPrinted(let reason): printed = reason
        }
        return .init(
            setupURLs: urls, printed: printed, expiresInMinutes: 30, fingerprint: certificate?.fingerprint)
    }

    /// At start: when nobody can sign in yet, a code is printed.
    func printFirstCodeIfNeeded() async {
        let count = (try? await users.count()) ?? 0
        guard count == 0 else { return }
        let result = await issueSetupCode()
        if result.printed != "printed" {
            logger.warning("staff pages: the setup code could not be printed (\(result.printed)); it is in this log")
        }
    }
}

/// Prints the first setup code once the kiosk runs (its printer is then known), then waits for the shutdown.
struct WebFirstCode: Service {
    let pages: WebPages

    func run() async throws {
        try? await Task.sleep(for: .milliseconds(300))
        await pages.printFirstCodeIfNeeded()
        try? await gracefulShutdown()
    }
}
