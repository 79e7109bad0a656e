import ArgumentParser
import Foundation
import KioskControl
import KioskCore

#if canImport(Glibc)
    import Glibc
#endif

/// The staff pages of the release daemon on a year of a busy hub (100,000 visits, the export benchmark's data):
/// each page requested many times over keep-alive connections, beside a constant file through the same stack
/// (`/static/site.css`) and `GET /status` over the control socket.
struct PagesBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pages", abstract: "Staff page latency and size on a year of 100,000 visits.")

    @OptionGroup var common: CommonOptions

    @Option(help: "The daemon to measure.")
    var daemon = ".build/release/hubkioskd"

    @Option(help: "Visits in the year.")
    var visits = 100_000

    @Option(help: "Requests of each page (after a few to warm up).")
    var requests = 200

    @Option(help: "Seconds to wait after the daemon is ready before measuring (its start-up work done).")
    var settleSeconds = 0

    @Flag(help: "Keep the state folder (its path is printed).")
    var keep = false

    static let pages = [
        "/", "/slip?need=food", "/reports", "/directory", "/sim", "/export?by=week&suppress=on", "/login",
    ]
    static let reference = "/static/site.css"

    func run() async throws {
        let directory = URL(fileURLWithPath: common.dir).appendingPathComponent("pages-\(getpid())")
            .standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: directory) } }
        let generated = try ExportBenchmark.fill(
            path: directory + "/hubkiosk.sqlite", zone: HubTimeZone.london, visits: visits)
        print(
            "Generated \(visits) visits, \(generated.presses) presses, \(generated.needs) visit needs in \(f(generated.seconds, 1)) s"
        )
        let port = try Self.freePort()
        let config = try benchConfiguration(in: directory, port: port)

        let logPath = directory + "/daemon.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: daemon)
        process.arguments = ["--config", config, "--state-dir", directory, "--log-level", "notice"]
        process.environment = ["XDG_RUNTIME_DIR": directory + "/run"]
        process.standardOutput = log
        process.standardError = log
        let started = Date()
        try process.run()
        defer {
            if process.isRunning {
                kill(process.processIdentifier, SIGTERM)
                process.waitUntilExit()
            }
        }
        let socket = directory + "/hubkioskd.sock"
        let control = ControlClient(socketPath: socket, timeout: .seconds(5))
        while (try? await control.request("GET", "/info")) == nil {
            guard Date().timeIntervalSince(started) < 60 else { throw BenchError("the daemon did not start") }
            try await Task.sleep(for: .milliseconds(20))
        }
        let code = try await setupCode(logPath: logPath)
        let readyAfter = Date().timeIntervalSince(started)
        if settleSeconds > 0 { try await Task.sleep(for: .seconds(settleSeconds)) }

        // Sign in through /setup.
        let origin = "http://127.0.0.1:\(port)"
        var setup = try HTTPConnection(port: port)
        let form = [
            "code": code, "name": "bench", "password": "seven quiet harbour lamps",
            "password2": "seven quiet harbour lamps",
        ].map { "\($0.key)=\(Self.formEncode($0.value))" }.joined(separator: "&")
        let answer = try setup.send(
            "POST", "/setup",
            headers: ["Origin": origin, "Content-Type": "application/x-www-form-urlencoded"], body: Array(form.utf8))
        guard answer.status == 303, let cookie = answer.headers["set-cookie"]?.split(separator: ";").first else {
            throw BenchError(
                "setup answered \(answer.status): \(String(decoding: answer.body.prefix(300), as: UTF8.self))")
        }
        setup.close()
        let cookieHeader = String(cookie)

        // One keep-alive connection per page; the pages take turns, so load on the machine falls on all alike.
        let paths = Self.pages + [Self.reference]
        var connections = try paths.map { _ in try HTTPConnection(port: port) }
        var times = [[Double]](repeating: [], count: paths.count)
        var sizes = [Int](repeating: 0, count: paths.count)
        var statuses = [Int](repeating: 0, count: paths.count)
        var reconnects = 0
        var statusTimes: [Double] = []
        let clock = ContinuousClock()
        for round in 0..<(requests + 5) {
            for (index, path) in paths.enumerated() {
                // /login is measured signed out (signed in, it only redirects).
                let headers = path == "/login" ? [:] : ["Cookie": cookieHeader]
                let start = clock.now
                let response = try connections[index].send("GET", path, headers: headers)
                let elapsed = (clock.now - start).milliseconds
                guard response.status == 200 else {
                    throw BenchError("GET \(path) answered \(response.status)")
                }
                if response.closes {
                    connections[index].close()
                    connections[index] = try HTTPConnection(port: port)
                    reconnects += 1
                }
                if round >= 5 {
                    times[index].append(elapsed)
                    sizes[index] = response.body.count
                    statuses[index] = response.status
                }
            }
            let start = clock.now
            let (status, _) = try await control.request("GET", "/status")
            guard status == 200 else { throw BenchError("GET /status on the control socket answered \(status)") }
            if round >= 5 { statusTimes.append((clock.now - start).milliseconds) }
        }
        for connection in connections { connection.close() }
        let rss = ProcessStats.residentKilobytes(process.processIdentifier) ?? 0

        let stopAt = Date()
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let stopSeconds = Date().timeIntervalSince(stopAt)

        print(
            "Staff pages of \(daemon) on \(visits) visits, \(requests) requests each, keep-alive, taking turns; ready after \(f(readyAfter, 2)) s, measured from \(settleSeconds) s later"
        )
        print("| what | n | p50 ms | p95 ms | max ms | KB | target |\n|---|---:|---:|---:|---:|---:|---|")
        func row(_ name: String, _ values: [Double], _ bytes: Int?) -> String {
            let sorted = values.sorted()
            func percentile(_ p: Double) -> Double {
                sorted[max(0, min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
            }
            let p95 = percentile(0.95)
            let kilobytes = bytes.map { Double($0) / 1024 }
            var verdict = ""
            if bytes != nil {
                verdict = p95 <= 50 && (kilobytes ?? 0) <= 100 ? "ok" : "**over**"
            }
            return
                "| \(name) | \(sorted.count) | \(f(percentile(0.5), 2)) | \(f(p95, 2)) | \(f(sorted.last ?? .nan, 2)) | \(kilobytes.map { f($0, 1) } ?? "") | \(verdict) |"
        }
        let referenceIndex = paths.count - 1
        print(row("reference: GET \(Self.reference) (constant file, same stack)", times[referenceIndex], nil))
        print(row("reference: GET /status on the control socket", statusTimes, nil))
        for (index, path) in Self.pages.enumerated() {
            print(row("GET \(path)", times[index], sizes[index]))
        }
        print("targets: p95 ≤ 50 ms, ≤ 100 KB before images; \(reconnects) reconnects")
        print(
            "daemon RSS at the end \(f(Double(rss) / 1024, 1)) MB; SIGTERM → exit \(f(stopSeconds * 1000, 0)) ms, status \(process.terminationStatus)"
        )
        if keep { print("state kept: \(directory)") }
    }

    /// The code the daemon logs on first start.
    private func setupCode(logPath: String) async throws -> String {
        let marker = "one-time setup code "
        for _ in 0..<500 {
            if let text = try? String(contentsOfFile: logPath, encoding: .utf8), let range = text.range(of: marker) {
                let code = text[range.upperBound...].prefix { !$0.isWhitespace && $0 != "," }
                if !code.isEmpty { return String(code) }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchError("no setup code in \(logPath)")
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text)
    }

    /// A loopback port nobody listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket failed") }
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw BenchError("bind failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The example configuration, its directory file by absolute path, its [web] pages on `port`.
    private func benchConfiguration(in directory: String, port: Int) throws -> String {
        let source = URL(fileURLWithPath: common.config).standardizedFileURL
        var text = try String(contentsOf: source, encoding: .utf8)
        let directoryFile = source.deletingLastPathComponent().appendingPathComponent("directory.json").path
        text = text.replacingOccurrences(of: "directory = \"directory.json\"", with: "directory = \"\(directoryFile)\"")
        guard let listen = text.range(of: #"listen = "[^"]*""#, options: .regularExpression) else {
            throw BenchError("no [web] listen in \(source.path)")
        }
        text.replaceSubrange(listen, with: "listen = \"127.0.0.1:\(port)\"")
        let path = directory + "/kiosk.toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// A blocking HTTP/1.1 client on one keep-alive loopback connection (Content-Length or chunked bodies).
struct HTTPConnection {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var closes: Bool { headers["connection"]?.lowercased() == "close" }
    }

    private var fd: Int32
    private var buffer: [UInt8] = []
    private let port: Int

    init(port: Int) throws {
        self.port = port
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket failed") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { throw BenchError("cannot connect to 127.0.0.1:\(port)") }
    }

    func close() { _ = Glibc.close(fd) }

    mutating func send(
        _ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8] = []
    ) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: keep-alive\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let bytes = Array(head.utf8) + body
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw BenchError("write failed") }
            sent += n
        }
        let headerEnd = try readUntil([13, 10, 13, 10])
        let headText = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        buffer.removeFirst(headerEnd + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw BenchError("bad status line") }
        var fields: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            fields[name] = fields[name].map { $0 + ", " + value } ?? value
        }
        var content: [UInt8] = []
        if fields["transfer-encoding"]?.lowercased().contains("chunked") == true {
            while true {
                let lineEnd = try readUntil([13, 10])
                let sizeText = String(decoding: buffer[..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
                buffer.removeFirst(lineEnd + 2)
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                    throw BenchError("bad chunk size")
                }
                try fill(size + 2)
                content += buffer[..<size]
                buffer.removeFirst(size + 2)
                if size == 0 { break }
            }
        } else if let length = fields["content-length"].flatMap({ Int($0) }) {
            try fill(length)
            content = Array(buffer[..<length])
            buffer.removeFirst(length)
        }
        return Response(status: status, headers: fields, body: content)
    }

    /// Reads until `marker` is in the buffer; returns where it starts.
    private mutating func readUntil(_ marker: [UInt8]) throws -> Int {
        var searchFrom = 0
        while true {
            if buffer.count >= marker.count {
                for start in searchFrom...(buffer.count - marker.count)
                where buffer[start..<(start + marker.count)].elementsEqual(marker) {
                    return start
                }
                searchFrom = buffer.count - marker.count + 1
            }
            try readMore()
        }
    }

    private mutating func fill(_ count: Int) throws {
        while buffer.count < count { try readMore() }
    }

    private mutating func readMore() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { throw BenchError("the connection closed") }
        buffer += chunk[..<n]
    }
}
