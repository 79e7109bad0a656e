import Foundation
import HubReportAPI
import KioskConfig
import KioskCore
import TOMLKit

/// `hubreport.toml`: the partnership, its need codes, and how the service listens. Every problem in the file is
/// reported at once, each with its line and key (the kiosk's TOML reader and messages).
public struct ReportConfiguration: Sendable, Equatable {
    /// The file it was read from; nil for the built-in example.
    public var file: String?
    public var partnership: Partnership
    public var settings: ReportServer.Settings
    /// `[service] database`, absolute (relative to the file when written relative); nil if not set.
    public var database: String?
    /// `[service] tls_cert` and `tls_key` (PEM files, absolute): HTTPS when both are set.
    public var tlsCertificate: String?
    public var tlsKey: String?

    public init(
        file: String? = nil, partnership: Partnership = .example, settings: ReportServer.Settings = .init(),
        database: String? = nil, tlsCertificate: String? = nil, tlsKey: String? = nil
    ) {
        self.file = file
        self.partnership = partnership
        self.settings = settings
        self.database = database
        self.tlsCertificate = tlsCertificate
        self.tlsKey = tlsKey
    }

    /// The configuration a service started without a file runs on: DESIGN.md's needs, loopback port 8470.
    public static let builtIn = ReportConfiguration()

    /// Reads the file at `path`.
    public static func load(path: String) throws(ConfigError) -> ReportConfiguration {
        let absolute = URL(
            fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        )
        .standardizedFileURL.path
        let text: String
        do {
            text = try String(contentsOfFile: absolute, encoding: .utf8)
        } catch {
            let reason =
                FileManager.default.fileExists(atPath: absolute)
                ? "cannot be read (\(error.localizedDescription)); check its permissions"
                : "does not exist; pass --config with the path of your hubreport.toml "
                    + "(an example is packaging/hubreport.toml)"
            throw ConfigError(ConfigProblem(file: path, line: nil, key: nil, message: reason))
        }
        return try parse(text, file: path, absolutePath: absolute)
    }

    /// Reads configuration `text`; `file` is how messages name it, relative paths are relative to `absolutePath`.
    public static func parse(
        _ text: String, file: String, absolutePath: String
    ) throws(ConfigError) -> ReportConfiguration {
        let (root, context) = try ReaderContext.parse(text, file: file)
        context.product = "hubreport"
        var top = TableReader(root, name: "", context: context)
        func table(_ key: String) -> TOMLTable? {
            guard let value = root[key] else { return nil }
            guard let table = value.table else {
                top.problem(key, "should be a table ([\(key)]); found \(value.type)")
                return nil
            }
            return table
        }
        for key in ["partnership", "service", "needs"] { top.markKnown(key) }
        top.reportUnknownKeys()

        var partnershipReader = TableReader(table("partnership"), name: "partnership", context: context)
        let name = partnershipReader.string("name")
        if name == nil { partnershipReader.problem("name", "is required: the partnership's name, as exports show it") }
        partnershipReader.reportUnknownKeys()

        var service = TableReader(table("service"), name: "service", context: context)
        var settings = ReportServer.Settings()
        if let listen = service.string("listen") {
            if let address = ListenAddress(listen) {
                (settings.host, settings.port) = (address.host, address.port)
            } else {
                service.problem("listen", "\"\(listen)\" is not HOST:PORT (like \"127.0.0.1:8470\" or \"[::1]:8470\")")
            }
        }
        let base = URL(fileURLWithPath: absolutePath).deletingLastPathComponent()
        var database: String?
        if let text = service.string("database") {
            do {
                switch try DatabaseLocation(parsing: text) {
                case .postgres: database = text
                case .sqlite(let path): database = URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL.path
                }
            } catch {
                service.problem("database", "\(error.message)")
            }
        }
        let tlsCertificate = service.string("tls_cert").map {
            URL(fileURLWithPath: $0, relativeTo: base).standardizedFileURL.path
        }
        let tlsKey = service.string("tls_key").map {
            URL(fileURLWithPath: $0, relativeTo: base).standardizedFileURL.path
        }
        if tlsCertificate != nil, tlsKey == nil {
            service.problem("tls_cert", "is set without tls_key: HTTPS needs the certificate and its private key")
        } else if tlsKey != nil, tlsCertificate == nil {
            service.problem("tls_key", "is set without tls_cert: HTTPS needs the certificate and its private key")
        }
        if let requests = service.integer("max_concurrent_requests", in: 1...10_000, unit: "requests") {
            settings.maxConcurrentRequests = requests
        }
        if let bytes = service.integer("max_body_bytes", in: 1024...(64 << 20), unit: "bytes") {
            settings.limits.maxBodyBytes = bytes
        }
        if let seconds = service.integer("retry_after_seconds", in: 1...3600, unit: "seconds") {
            settings.retryAfterSeconds = seconds
        }
        service.reportUnknownKeys()

        var needs: [Partnership.Need] = []
        if let value = root["needs"] {
            if let array = value.array {
                for (index, item) in array.enumerated() {
                    var reader = TableReader(item.table, name: "needs", index: index, context: context)
                    if item.table == nil { reader.problem(nil, "should be a table with code and label") }
                    let code = reader.string("code")
                    let label = reader.string("label")
                    if let code, !NeedCode.isValid(code) {
                        reader.problem("code", "\"\(code)\" should be 1–32 lower-case letters, digits, - and _")
                    } else if let code, needs.contains(where: { $0.code.rawValue == code }) {
                        reader.problem("code", "\"\(code)\" is listed twice")
                    } else if code == nil, item.table != nil, !reader.has("code") {
                        reader.problem("code", "is required")
                    }
                    if let code, let label, NeedCode.isValid(code) {
                        needs.append(Partnership.Need(code: NeedCode(code), label: label))
                    } else if label == nil, item.table != nil, !reader.has("label") {
                        reader.problem("label", "is required")
                    }
                    reader.reportUnknownKeys()
                }
            } else {
                top.problem("needs", "should be a list of [[needs]] tables; found \(value.type)")
            }
        }
        if needs.isEmpty && root["needs"] == nil {
            top.problem(nil, "lists no [[needs]]: name the partnership-wide need codes and their labels")
        }
        if !context.problems.isEmpty { throw ConfigError(problems: context.problems) }
        return ReportConfiguration(
            file: file, partnership: Partnership(name: name ?? "", needs: needs), settings: settings,
            database: database, tlsCertificate: tlsCertificate, tlsKey: tlsKey)
    }
}

/// `HOST:PORT`, `[IPv6]:PORT`.
public struct ListenAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCII), let port = Int(portText),
            (0...65535).contains(port)
        else { return nil }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        self.host = host
        self.port = port
    }
}
