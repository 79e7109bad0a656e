import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `hubreport serve` as a child process on loopback, its log in the benchmark's folder.
final class Server {
    let process = Process()
    let port: Int
    private var stopped: String?

    var pid: Int32 { process.processIdentifier }

    private init(port: Int) {
        self.port = port
    }

    static func start(_ hubreport: String, database: String, port: Int, directory: String) throws -> Server {
        let server = Server(port: port)
        server.process.executableURL = URL(fileURLWithPath: hubreport)
        server.process.arguments = [
            "serve", "--database", database, "--listen", "127.0.0.1:\(port)", "--log-level", "warning",
        ]
        _ = FileManager.default.createFile(atPath: directory + "/serve.log", contents: nil)
        guard let log = FileHandle(forWritingAtPath: directory + "/serve.log") else {
            throw BenchError("cannot write \(directory)/serve.log")
        }
        server.process.standardError = log
        server.process.standardOutput = FileHandle.nullDevice
        try server.process.run()
        return server
    }

    /// Waits until the port accepts connections (at most 30 s).
    func waitUntilReady() async throws {
        for _ in 0..<600 {
            guard process.isRunning else { throw BenchError("hubreport serve exited (see serve.log)") }
            if Server.accepts(port: port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchError("hubreport serve did not listen on \(port) within 30 s")
    }

    static func accepts(port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    func kilobytes(_ key: String) -> Int? { ProcessStats.status(pid, key) }

    /// SIGTERM, then waits for the exit; says how long it took and the exit status.
    @discardableResult
    func stop() -> String {
        if let stopped { return stopped }
        let clock = ContinuousClock()
        let start = clock.now
        if process.isRunning { kill(pid, SIGTERM) }
        process.waitUntilExit()
        let description = "\(f((clock.now - start).seconds * 1000, 0)) ms, status \(process.terminationStatus)"
        stopped = description
        return description
    }
}
