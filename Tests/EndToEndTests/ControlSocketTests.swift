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
            let (answered, data) = try await offPool {
                try ControlClient(socketPath: socket).request("POST", "/sim/press", body: Data(body.utf8))
            }
            let error = try? JSONDecoder().decode(ControlAPI.ErrorResponse.self, from: data)
            #expect(answered == status, "\(body.prefix(60)): \(String(decoding: data, as: UTF8.self))")
            #expect(error?.error.contains(mentions) == true, "\(body.prefix(60)): \(error?.error ?? "no error")")
        }
        // The same checks on the other routes that read a body.
        let slip = try await offPool {
            try ControlClient(socketPath: socket).request("POST", "/slip/print", body: Data(#"{"needs":"food"}"#.utf8))
        }
        #expect(slip.0 == 400 && String(decoding: slip.1, as: UTF8.self).contains("needs: expected a list"))
        let printer = try await offPool {
            try ControlClient(socketPath: socket).request("POST", "/sim/printer", body: Data(huge.utf8))
        }
        #expect(printer.0 == 413)
        let route = try await offPool { try ControlClient(socketPath: socket).request("GET", "/nothing") }
        #expect(route.0 == 404)

        // Nothing was pressed, and the daemon still serves presses, up to the longest hold allowed.
        #expect(try kiosk.kiosk.database.totals().presses == 0)
        let longest = ControlAPI.PressRequest.holdMillisecondsRange.upperBound
        let pressed = try await offPool {
            try ControlClient(socketPath: socket).call(
                "POST", "/sim/press", body: ControlAPI.PressRequest(button: "food", holdMilliseconds: longest),
                as: ControlAPI.PressResponse.self)
        }
        #expect(pressed.result == "stored")
        #expect(try kiosk.kiosk.database.totals().presses == 1)
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

    /// About a thousand connections that never send anything, slowloris requests (a head or a body that never
    /// ends): buttons keep being served, socket requests are served once the server drops the idle ones, the
    /// server never holds more connections than its limit, and every idle connection is closed after the timeout.
    @Test("A flood of idle and slow connections does not starve the kiosk", .timeLimit(.minutes(3)))
    func flood() async throws {
        let limits = ControlServer.Limits(
            maximumConnections: 32, idleTimeout: .milliseconds(300), bodyTimeout: .milliseconds(300))
        let served = try await ServedKiosk.start(limits: limits)
        let (kiosk, socket) = (served.kiosk, served.socket)

        let baseline = RawConnection.openDescriptorCount()
        var attackers: [RawConnection] = []
        var refused = 0
        for n in 0..<1_060 {
            guard let connection = RawConnection.open(socket) else {
                refused += 1
                continue
            }
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
        #expect(attackers.count >= 200, "the backlog takes a few hundred (\(attackers.count) open, \(refused) refused)")
        let serverSide = RawConnection.openDescriptorCount() - baseline - attackers.count
        #expect(serverSide <= limits.maximumConnections + 8, "server-side descriptors \(serverSide)")

        // A physical press is served at once: the buttons do not go through the socket.
        let buttons = try #require(kiosk.kiosk.simulator).buttons
        let food = try #require(kiosk.kiosk.setup.configuration.layout.button(named: "food"))
        let event = try #require(buttons.press(food.id, hold: .milliseconds(100)))
        guard case .acknowledged(let outcome) = await kiosk.kiosk.service.result(forEvent: event) else {
            Issue.record("the physical press was not stored")
            return
        }
        #expect(outcome.counted)

        // A socket request waits in the backlog until idle connections are dropped, then is served.
        let asked = Date()
        let pressed = try await offPool {
            try ControlClient(socketPath: socket, timeout: .seconds(60)).call(
                "POST", "/sim/press", body: ControlAPI.PressRequest(button: "money"),
                as: ControlAPI.PressResponse.self)
        }
        #expect(pressed.result == "stored" && pressed.counted == true)
        let waited = Date().timeIntervalSince(asked)
        let during = RawConnection.openDescriptorCount() - baseline - attackers.count
        #expect(during <= limits.maximumConnections + 8, "server-side descriptors \(during)")

        // Every attacking connection is closed by the server (idle, slow head, slow body alike).
        let opened = attackers
        let closed = try await offPool {
            RawConnection.waitUntilClosedByPeer(opened, deadline: Date().addingTimeInterval(120))
        }
        #expect(closed == attackers.count, "\(closed) of \(attackers.count) closed by the server")
        let status = try await offPool {
            try ControlClient(socketPath: socket, timeout: .seconds(5)).call(
                "GET", "/status", as: ControlAPI.StatusResponse.self)
        }
        #expect(status.presses == 2)
        print(
            "flood: \(attackers.count) connections open (\(refused) refused by the full backlog), at most "
                + "\(max(serverSide, during)) held by the server, a socket press served after \(Int(waited * 1000)) ms, "
                + "all \(closed) closed by the server")

        try await served.stop()
    }
}
