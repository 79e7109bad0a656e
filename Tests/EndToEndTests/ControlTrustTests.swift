import Foundation
import KioskApp
import KioskControl
import KioskTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Another local user plants a folder, a link or a daemon of their own on the way to the control socket:
/// `hubkiosk` refuses each, saying what is wrong and what to do, and still reaches the real daemon.
@Suite("Whom hubkiosk trusts on the way to the daemon", .enabled(if: getuid() == 0, "needs root to chown to nobody"))
struct ControlTrustTests {
    static let nobody: uid_t = 65534

    /// A folder of the test, `mode`, owned by `owner`; with a link `hubkioskd.sock` in it to `target`.
    static func linkFolder(
        _ root: TemporaryDirectory, _ name: String, to target: String, owner: uid_t = 0, mode: mode_t = 0o750,
        linkOwner: uid_t = 0
    ) throws -> String {
        let folder = root.file(name)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let link = (folder as NSString).appendingPathComponent(ControlAPI.socketName)
        try #require(symlink(target, link) == 0)
        try #require(lchown(link, linkOwner, linkOwner) == 0)
        try #require(chown(folder, owner, owner) == 0)
        try #require(chmod(folder, mode) == 0)
        return link
    }

    static func refusal(_ path: String) async -> ControlError? {
        do {
            _ = try await ControlClient.firstLive([path])
            return nil
        } catch {
            return error
        }
    }

    @Test("Planted folders and links are refused; trusted ones, sticky /tmp-like folders included, are used")
    func paths() async throws {
        let served = try await ServedKiosk.start()
        let socket = served.socket
        let root = TemporaryDirectory()
        chmod(root.path, 0o755)

        let planted = try Self.linkFolder(root, "planted", to: socket, owner: Self.nobody)
        let plantedError = try #require(await Self.refusal(planted))
        #expect(plantedError.code == .untrusted)
        #expect(plantedError.description.contains("the folder \(root.file("planted")) belongs to nobody (uid 65534)"))
        #expect(plantedError.description.contains("rm -r \(root.file("planted"))"))

        let open = try Self.linkFolder(root, "open", to: socket, mode: 0o777)
        let openError = try #require(await Self.refusal(open))
        #expect(openError.code == .untrusted)
        #expect(openError.description.contains("can be changed by other users (mode 777)"))
        #expect(openError.description.contains("chmod go-w"))
        let groupWritable = try Self.linkFolder(root, "group", to: socket, mode: 0o770)
        #expect(await Self.refusal(groupWritable)?.code == .untrusted)

        let plantedLink = try Self.linkFolder(root, "link", to: socket, linkOwner: Self.nobody)
        let linkError = try #require(await Self.refusal(plantedLink))
        #expect(linkError.description.contains("the link \(plantedLink) belongs to nobody"))

        // A planted folder further down a chain of links is found too.
        let chained = try Self.linkFolder(root, "chained", to: planted)
        #expect(await Self.refusal(chained)?.code == .untrusted)

        // Sticky and world-writable, like /tmp: only an entry's owner can replace it, and that is checked.
        let sticky = try Self.linkFolder(root, "sticky", to: socket, mode: 0o1777)
        #expect(await Self.refusal(sticky) == nil)
        let stickyPlanted = try Self.linkFolder(
            root, "sticky-planted", to: socket, mode: 0o1777, linkOwner: Self.nobody)
        #expect(await Self.refusal(stickyPlanted)?.code == .untrusted)

        // The real daemon, directly and through a trusted link.
        #expect(await Self.refusal(socket) == nil)
        let trusted = try Self.linkFolder(root, "trusted", to: socket)
        let client = try await ControlClient.firstLive([trusted])
        let info = try await client.call("GET", "/info", as: ControlAPI.InfoResponse.self)
        #expect(info.pid == getpid())

        // An unsafe candidate stops the search: it is reported, not skipped for a later one.
        let missing = root.file("missing/hubkioskd.sock")
        await #expect(throws: ControlError.self) { try await ControlClient.firstLive([missing, planted, trusted]) }
        #expect((try? await ControlClient.firstLive([missing, trusted]))?.socketPath == trusted)
        try await served.stop()
    }

    @Test("A fake daemon run by another user is refused, by its folder and by SO_PEERCRED")
    func fakeDaemon() async throws {
        let root = TemporaryDirectory()
        chmod(root.path, 0o755)
        let fakeFolder = root.file("fake")
        try FileManager.default.createDirectory(atPath: fakeFolder, withIntermediateDirectories: false)
        chown(fakeFolder, Self.nobody, Self.nobody)
        let fake = try await FakeDaemon.start(socket: (fakeFolder as NSString).appendingPathComponent("fake.sock"))
        defer { fake.stop() }

        // Were it not for the checks, the fake would answer.
        let gullible = ControlClient(socketPath: fake.socket, trust: SocketTrust(users: [0, Self.nobody]))
        #expect(
            try await gullible.call("GET", "/info", as: ControlAPI.InfoResponse.self).configFile == "/fake/kiosk.toml")

        // Through a trusted link: the fake's folder and socket belong to nobody.
        let link = try Self.linkFolder(root, "run", to: fake.socket)
        let folderError = try #require(await Self.refusal(link))
        #expect(folderError.description.contains("belongs to nobody (uid 65534)"))

        // Moved into a trusted folder and given to root, only the credentials of the process give it away.
        let moved = root.file("moved.sock")
        try #require(rename(fake.socket, moved) == 0)
        try #require(lchown(moved, 0, 0) == 0)
        let peerError = try #require(await Self.refusal(moved))
        #expect(peerError.code == .untrusted)
        #expect(peerError.description.contains("the program answering there (pid \(fake.pid)) runs as nobody"))
        let relinked = try Self.linkFolder(root, "relinked", to: moved)
        #expect(await Self.refusal(relinked)?.code == .untrusted)

        // The tool, finding the fake through its runtime folder, refuses to show, acknowledge or export anything.
        let environment = ["PATH": "/usr/bin:/bin", "RUNTIME_DIRECTORY": root.file("relinked")]
        for arguments in [["status"], ["alerts", "ack"], ["export", "--by", "day", "--format", "csv"]] {
            let run = try await ToolRun.run("hubkiosk", arguments, environment: environment)
            #expect(run.status != 0, "\(arguments): \(run.stdout)")
            #expect(run.stderr.contains("refusing") && run.stderr.contains("runs as nobody"), "\(run.stderr)")
        }
    }

    @Test("The tool finds the real daemon through its runtime link")
    func realDaemon() async throws {
        let daemon = Repository.buildDirectory.appendingPathComponent("hubkioskd").path
        try #require(FileManager.default.isExecutableFile(atPath: daemon), "hubkioskd is built beside the tests")
        let state = TemporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: daemon)
        process.arguments = ["--config", Repository.exampleConfig, "--state-dir", state.path, "--log-level", "error"]
        let runtime = state.file("run")
        process.environment = ["PATH": "/usr/bin:/bin", "RUNTIME_DIRECTORY": runtime]
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let link = (runtime as NSString).appendingPathComponent(ControlAPI.socketName)
        // A loaded machine (a whole test run at once) can take a while to start a daemon.
        let ready = await waitUntil(seconds: 90) {
            (try? await ControlClient(socketPath: link, timeout: .seconds(2)).request("GET", "/info")) != nil
        }
        try #require(ready, "the daemon did not link its socket from \(runtime)")
        let run = try await ToolRun.run(
            "hubkiosk", ["status"], environment: ["PATH": "/usr/bin:/bin", "RUNTIME_DIRECTORY": runtime])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("daemon running"))
    }
}

/// A fake daemon: a small Python server, run as `nobody`, that answers every request with a made-up `/info`.
final class FakeDaemon: Sendable {
    let process: Process
    let socket: String
    let pid: Int32

    private init(process: Process, socket: String) {
        self.process = process
        self.socket = socket
        self.pid = process.processIdentifier
    }

    static let script = """
        import json, os, socket, sys
        path = sys.argv[1]
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(16)
        print("ready", flush=True)
        info = json.dumps({"configFile": "/fake/kiosk.toml", "stateDirectory": "/fake", "backend": "simulator",
                           "pid": os.getpid()}).encode()
        while True:
            connection, _ = server.accept()
            connection.settimeout(5)
            data = b""
            try:
                while b"\\r\\n\\r\\n" not in data:
                    chunk = connection.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            head = "HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\n" % len(info)
            try:
                connection.sendall(head.encode() + b"Connection: close\\r\\n\\r\\n" + info)
            except OSError:
                pass  # a client that refused us and hung up
            connection.close()
        """

    /// Starts the fake as `nobody` listening on `socket` (in a folder `nobody` may write), once it listens.
    static func start(socket: String) async throws -> FakeDaemon {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = [
            "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script, socket,
        ]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let line = try await offPool { out.fileHandleForReading.readData(ofLength: 6) }
        let fake = FakeDaemon(process: process, socket: socket)
        guard String(decoding: line, as: UTF8.self) == "ready\n" else {
            fake.stop()
            throw FakeDaemonError()
        }
        return fake
    }

    struct FakeDaemonError: Error {}

    /// Kills it (SIGKILL: it inherits the test process's blocked signals, SIGTERM among them) and waits.
    func stop() {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }
}
