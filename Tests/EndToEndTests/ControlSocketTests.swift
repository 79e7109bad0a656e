import Foundation
import KioskApp
import KioskConfig
import KioskControl
import KioskCore
import KioskRuntime
import KioskSimulator
import KioskStore
import KioskTestSupport
import KioskWeb
import Logging
import ServiceLifecycle
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("The control socket")
struct ControlSocketTests {
    /// Every bad value a press request can carry: out of range, overflowing, of the wrong type, missing, not JSON,
    /// too large. Each gets a 4xx naming the field; nothing is pressed and the daemon keeps serving.
    @Test("Bad press values get a 4xx naming the field, never a crash")
    func badPressValues() async throws {
        let served = try await ServedKiosk.start()
        let (kiosk, socket) = (served.kiosk, served.socket)
        let huge = "{\"button\":\"food\",\"pad\":\"" + String(repeating: "x", count: 1 << 20) + "\"}"
        let cases: [(body: String, status: Int, mentions: String)] = [
            (#"{"button":"food","holdMilliseconds":0}"#, 400, "holdMilliseconds: 0 is out of range"),
            (#"{"button":"food","holdMilliseconds":-1}"#, 400, "holdMilliseconds: -1 is out of range"),
            (#"{"button":"food","holdMilliseconds":3600001}"#, 400, "holdMilliseconds: 3600001 is out of range"),
            ("{\"button\":\"food\",\"holdMilliseconds\":\(Int.max)}", 400, "holdMilliseconds: \(Int.max) is out"),
            ("{\"button\":\"food\",\"holdMilliseconds\":\(Int.min)}", 400, "holdMilliseconds: \(Int.min) is out"),
            (#"{"button":"food","holdMilliseconds":9223372036854775808}"#, 400, "holdMilliseconds: 9.2"),
            (#"{"button":"food","holdMilliseconds":1e300}"#, 400, "holdMilliseconds: 1e+300 is not a whole number"),
            (#"{"button":"food","holdMilliseconds":-1e300}"#, 400, "holdMilliseconds: -1e+300 is not a whole"),
            (#"{"button":"food","holdMilliseconds":2.5}"#, 400, "holdMilliseconds: 2.5 is not a whole number"),
            (#"{"button":"food","holdMilliseconds":"long"}"#, 400, "holdMilliseconds: expected a whole number"),
            (#"{"button":"food","holdMilliseconds":[1]}"#, 400, "holdMilliseconds: expected a whole number"),
            (#"{"holdMilliseconds":100}"#, 400, "button: missing"),
            (#"{"button":12}"#, 400, "button: expected a string"),
            (#"{"button":null}"#, 400, "button"),
            ("[]", 400, "expected"),
            ("not json", 400, "not JSON"),
            ("", 400, "not JSON"),
            (huge, 413, "larger than 65536 bytes"),
        ]
        for (body, status, mentions) in cases {
            let (answered, data) = try await ControlClient(socketPath: socket).request(
                "POST", "/sim/press", body: Data(body.utf8))
            let error = try? JSONDecoder().decode(ControlAPI.ErrorResponse.self, from: data)
            #expect(answered == status, "\(body.prefix(60)): \(String(decoding: data, as: UTF8.self))")
            #expect(error?.error.contains(mentions) == true, "\(body.prefix(60)): \(error?.error ?? "no error")")
        }
        // The same checks on the other routes that read a body.
        let slip = try await ControlClient(socketPath: socket).request(
            "POST", "/slip/print", body: Data(#"{"needs":"food"}"#.utf8))
        #expect(slip.0 == 400 && String(decoding: slip.1, as: UTF8.self).contains("needs: expected a list"))
        let printer = try await ControlClient(socketPath: socket).request(
            "POST", "/sim/printer", body: Data(huge.utf8))
        #expect(printer.0 == 413)
        let route = try await ControlClient(socketPath: socket).request("GET", "/nothing")
        #expect(route.0 == 404)

        // Nothing was pressed, and the daemon still serves presses, up to the longest hold allowed.
        #expect(try kiosk.kiosk.database.totals().presses == 0)
        let longest = ControlAPI.PressRequest.holdMillisecondsRange.upperBound
        let pressed = try await ControlClient(socketPath: socket).call(
            "POST", "/sim/press", body: ControlAPI.PressRequest(button: "food", holdMilliseconds: longest),
            as: ControlAPI.PressResponse.self)
        #expect(pressed.result == "stored")
        #expect(try kiosk.kiosk.database.totals().presses == 1)
        try await served.stop()
    }

    /// A socket file nobody listens on (a daemon that died) and a missing one are "not running", at once, not
    /// after the probe's 20 s; the message says how to start the daemon.
    @Test("A socket nobody listens on, or none, is reported as not running, at once")
    func notRunning() async throws {
        let dir = TemporaryDirectory()
        let stale = dir.file("stale.sock")
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: Array(stale.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0)
        close(listener)
        try #require(FileManager.default.fileExists(atPath: stale))

        for path in [stale, dir.file("missing.sock")] {
            let started = ContinuousClock.now
            var refused: ControlError?
            do {
                _ = try await ControlClient.firstLive([path])
            } catch {
                refused = error
            }
            #expect(ContinuousClock.now - started < .seconds(5), "\(path)")
            #expect(refused?.code == .notRunning, "\(path): \(String(describing: refused))")
            #expect(
                refused?.description.contains("the kiosk daemon is not running (nothing listens at \(path))") == true)
        }
    }

    /// A body over the limit that never ends gets its 413, and the daemon closes the connection once the body
    /// timeout has passed instead of reading it for ever.
    @Test("An endless body over the limit is answered 413 and its connection closed after the body timeout")
    func endlessBody() async throws {
        var limits = ControlServer.Limits.standard
        // Long enough that a loaded machine still reads the first 64 KiB in time (the answer is then 413, not 408).
        limits.bodyTimeout = .seconds(4)
        let served = try await ServedKiosk.start(limits: limits)
        let connection = try #require(RawConnection.open(served.socket))
        connection.send("POST /sim/press HTTP/1.1\r\nHost: hubkiosk\r\nContent-Length: 1000000000\r\n\r\n")
        let chunk = String(repeating: "x", count: 16_384)
        let started = Date()
        var answer = ""
        var closed = false
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date().timeIntervalSince(started) < 40, !closed {
            connection.send(chunk)
            let n = buffer.withUnsafeMutableBytes { read(connection.descriptor, $0.baseAddress, $0.count) }
            if n > 0 {
                answer += String(decoding: buffer[0..<n], as: UTF8.self)
            } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                closed = true
            } else {
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        connection.close()
        #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer.prefix(80))")
        #expect(answer.contains("larger than 65536 bytes"))
        #expect(closed, "the daemon kept reading the endless body")
        #expect(Date().timeIntervalSince(started) >= 3.9)
        try await served.stop()
    }

    @Test("A press's release time saturates instead of overflowing the clock", arguments: [Int64(0), 10_000_000_000])
    func releaseSaturates(start: Int64) {
        let at = MonotonicInstant(nanoseconds: start)
        let end = MonotonicInstant(nanoseconds: .max)
        #expect(SimulatedButtons.release(after: .milliseconds(120), from: at).nanoseconds == start + 120_000_000)
        #expect(SimulatedButtons.release(after: .zero, from: at) == at)
        #expect(SimulatedButtons.release(after: .milliseconds(-1), from: at) == at)
        #expect(SimulatedButtons.release(after: .milliseconds(Int.min), from: at) == at)
        #expect(SimulatedButtons.release(after: .milliseconds(Int.max), from: at) == end)
        #expect(SimulatedButtons.release(after: .seconds(Int64.max), from: at) == end)
        #expect(SimulatedButtons.release(after: .nanoseconds(Int64.max - start), from: at) == end)
        #expect(SimulatedButtons.release(after: .nanoseconds(Int64.max - start - 1), from: at).nanoseconds == .max - 1)
    }

    @Test(
        "A hold in a request is whole milliseconds, saturating",
        arguments: [
            (Duration.milliseconds(120), 120), (.microseconds(1500), 1), (.seconds(3600), 3_600_000),
            (.seconds(Int64.max), Int.max), (.seconds(Int64.min), Int.min), (.zero, 0),
        ])
    func holdConversion(hold: Duration, milliseconds: Int) {
        #expect(ControlAPI.PressRequest(button: "food", hold: hold).holdMilliseconds == milliseconds)
    }

    /// About a thousand connections that never send anything and slowloris requests (a head or a body that never
    /// ends), kept up for as long as the test lasts, against the daemon's shipped limits: buttons keep being served,
    /// the real `hubkiosk` gets its `status` and its `sim press` through (it waits behind the flood while the server
    /// drops idle connections), the server never holds more connections than its limit, and it closes every
    /// attacking connection itself.
    @Test("A flood of idle and slow connections does not starve the kiosk or hubkiosk", .timeLimit(.minutes(5)))
    func flood() async throws {
        let limits = ControlServer.Limits.standard
        let served = try await ServedKiosk.start(limits: limits)
        let (kiosk, socket) = (served.kiosk, served.socket)
        // Where `hubkiosk --state-dir` looks for the daemon (the daemon links its socket the same way).
        let stateDirectory = kiosk.state.path
        try FileManager.default.createSymbolicLink(
            atPath: ControlSocketLocator.socketPath(stateDirectory: stateDirectory), withDestinationPath: socket)

        let baseline = RawConnection.openDescriptorCount()
        var attackers: [RawConnection] = []
        for n in 0..<1_060 {
            guard let connection = RawConnection.open(socket) else { continue }
            switch n {
            case 1_000..<1_030:
                connection.send("POST /sim/press HTTP/1.1\r\nHost: x\r\nContent-Le")
            case 1_030...:
                connection.send("POST /sim/press HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"button\":")
            default:
                break
            }
            attackers.append(connection)
        }
        #expect(attackers.count == 1_060, "the backlog takes the whole flood (\(attackers.count) open)")
        let serverSide = RawConnection.openDescriptorCount() - baseline - attackers.count
        #expect(serverSide <= limits.maximumConnections + 8, "server-side descriptors \(serverSide)")

        // The flood is kept up (each connection the server drops is replaced by a new idle one) until told to stop.
        var stop: [Int32] = [0, 0]
        try #require(pipe(&stop) == 0)
        let (stopReader, stopWriter) = (stop[0], stop[1])
        let opened = attackers
        async let flooded = offPool {
            IdleFlood.sustain(opened, socket: socket, until: stopReader, deadline: Date().addingTimeInterval(240))
        }

        // A physical press is served at once: the buttons do not go through the socket.
        let buttons = try #require(kiosk.kiosk.simulator).buttons
        let food = try #require(kiosk.kiosk.setup.configuration.layout.button(named: "food"))
        let event = try #require(buttons.press(food.id, hold: .milliseconds(100)))
        let physical = await kiosk.kiosk.service.result(forEvent: event)

        // The real tool, with its shipped timeouts, is served during the flood. (Nothing throws until the flood
        // is stopped.)
        func hubkiosk(_ arguments: [String]) async -> ToolRun {
            do {
                return try await ToolRun.run("hubkiosk", arguments, environment: ["PATH": "/usr/bin:/bin"])
            } catch {
                return ToolRun(status: -1, stdout: "", stderr: "\(error)")
            }
        }
        let pressed = await hubkiosk(["sim", "press", "money", "--state-dir", stateDirectory])
        let status = await hubkiosk(["status", "--json", "--state-dir", stateDirectory])

        _ = write(stopWriter, "x", 1)
        let (replaced, remaining) = try await flooded
        _ = close(stopWriter)
        _ = close(stopReader)

        guard case .acknowledged(let outcome) = physical else {
            Issue.record("the physical press was not stored")
            return
        }
        #expect(outcome.counted)
        #expect(pressed.status == 0, "sim press: \(pressed.stderr)")
        #expect(pressed.stdout.contains("money: counted"), "sim press: \(pressed.stdout)")
        #expect(status.status == 0, "status: \(status.stderr)")
        let counts = try? JSONDecoder().decode(ControlAPI.StatusResponse.self, from: Data(status.stdout.utf8))
        #expect(counts?.presses == 2, "status: \(status.stdout)")
        #expect(replaced >= 256, "the server dropped idle connections during the flood (\(replaced))")

        // Every attacking connection still open is closed by the server (idle, slow head, slow body alike).
        let closed = try await offPool {
            RawConnection.waitUntilClosedByPeer(remaining, deadline: Date().addingTimeInterval(120))
        }
        #expect(closed == remaining.count, "\(closed) of \(remaining.count) closed by the server")
        print(
            "flood: \(attackers.count) connections kept open, \(replaced) dropped by the server and replaced while "
                + "hubkiosk ran, at most \(serverSide) held by the server, the last \(closed) closed by the server")

        try await served.stop()
    }
}

/// A flood of idle connections kept up: each one the server closes is replaced by a new idle one.
enum IdleFlood {
    /// Watches `connections` (in `poll`, not by sleeping); when the server closes one, opens another to `socket`.
    /// Stops when `stop` becomes readable, or at `deadline` (a bound so that the test stops by itself). Returns how
    /// many were replaced and the connections still open.
    static func sustain(
        _ connections: [RawConnection], socket: String, until stop: Int32, deadline: Date
    ) -> (replaced: Int, open: [RawConnection]) {
        var open = Set(connections.map(\.descriptor))
        var replaced = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var fds = [pollfd(fd: stop, events: Int16(POLLIN), revents: 0)]
            fds += open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&fds, nfds_t(fds.count), 1000) > 0 else { continue }
            if fds[0].revents != 0 { break }
            for entry in fds.dropFirst() where entry.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                guard n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) else { continue }
                open.remove(entry.fd)
                _ = close(entry.fd)
                if let fresh = RawConnection.open(socket) {
                    open.insert(fresh.descriptor)
                    replaced += 1
                }
            }
        }
        return (replaced, open.map { RawConnection(descriptor: $0) })
    }
}
