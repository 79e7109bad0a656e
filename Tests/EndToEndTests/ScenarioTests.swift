import ESCPOS
import Foundation
import KioskApp
import KioskConfig
import KioskControl
import KioskCore
import KioskRuntime
import KioskSimulator
import KioskStore
import Testing

@Suite("The kiosk end to end, in process on the simulator")
struct ScenarioTests {
    @Test("A busy morning: stored rows, flags, decoded slips and exported tallies")
    func busyMorning() async throws {
        let kiosk = try InProcessKiosk(start: "2026-12-03T10:00", control: true)
        let lines = try await kiosk.play("busy-morning")
        #expect(lines.count == 30)
        let database = kiosk.kiosk.database

        // Every press is stored, with its flags.
        let presses = try database.allPresses()
        #expect(presses.count == 27)
        #expect(presses.filter { $0.flags.contains(.burst) }.count == 14)
        #expect(presses.filter { $0.flags.contains(.stuck) }.map(\.button) == ["housing"])
        #expect(presses.filter { $0.flags == [.duplicate] }.map(\.button) == ["food"])
        #expect(presses.allSatisfy { $0.clockSynchronized && !$0.timeApproximate && $0.bootID == kiosk.clock.bootID })
        let ids = presses.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { UUID(uuidString: $0) != nil && Array($0)[14] == "4" }, "random UUIDv4 ids")

        // Slips: six printed, the one during the paper-out recorded as not printed, nothing replayed.
        let slips = try database.allSlips()
        #expect(slips.filter { $0.status == "printed" }.count == 6)
        #expect(slips.filter { $0.status == "not_printed" }.map(\.reason) == ["paper out"])
        #expect(slips.map(\.needs).contains(["money", "housing", "wellbeing", "social", "caring"]), "merged slip")

        // The simulator wrote each slip's exact bytes and a decoded rendering.
        let folder = kiosk.kiosk.setup.simulatorOutput + "/slips"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(files.filter { $0.hasSuffix(".escpos") }.count == 6)
        #expect(files.filter { $0.hasSuffix(".txt") }.count == 6)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/slip-000001.escpos")))
        let receipt = ESCPOSDecoder().decode(bytes)
        let text = try String(contentsOfFile: folder + "/slip-000001.txt", encoding: .utf8)
        #expect(text == receipt.rendered(columns: PrinterProfile.epsonTMT20II.columns))
        #expect(receipt.unknown.isEmpty)
        // "As of" the day the directory file was last edited (its check), never after the day of the slip.
        let edited = try #require(
            try FileManager.default.attributesOfItem(atPath: Repository.root.path + "/Simulator/directory.json")[
                .modificationDate] as? Date)
        let asOf = min(HubTimeZone.london.localDate(of: edited), LocalDate(iso: "2026-12-03")!)
        #expect(
            receipt.lines.prefix(3) == [
                "Brae Street Hub", "Places that can help", "Opening times as of \(asOf.shortDisplay)",
            ])
        // At 10:00 on a Thursday the pantry is open; the Friday lunch and the foodbank are next.
        let services = receipt.lines.filter {
            ["Brae Street Community Pantry", "Friday Community Lunch", "Inverallan Foodbank"].contains($0)
        }
        #expect(services == ["Brae Street Community Pantry", "Friday Community Lunch", "Inverallan Foodbank"])
        #expect(receipt.lines.contains("Open now until 12:00"))
        #expect(receipt.lines.contains("Fri 4 Dec 12:00-14:00"))
        #expect(receipt.qrPayloads.first == "https://braestreet.example.org/pantry")
        #expect(receipt.cutCount == 1)
        for label in ["Food", "Money", "benefits"] {
            #expect(!receipt.lines.prefix(3).joined().contains(label))
        }

        // Exported tallies.
        let report = try database.tallyReport(
            hubID: "brae-street", needs: kiosk.kiosk.setup.configuration.layout.needs.map(\.code), grouping: .day)
        let csv = report.csv(suppress: false).components(separatedBy: "\r\n")
        #expect(csv[0] == "hub,period,start,end,partial,visits,money,food,housing,wellbeing,social,caring,work,talk")
        #expect(csv[1] == "brae-street,2026-12-03,2026-12-03,2026-12-03,false,5,2,2,1,2,1,1,0,1")
        let suppressed = report.csv(suppress: true).components(separatedBy: "\r\n")
        #expect(suppressed[1] == "brae-street,2026-12-03,2026-12-03,2026-12-03,false,[c],[c],[c],[c],[c],[c],[c],0,[c]")
        let weekly = try database.tallyReport(hubID: "brae-street", needs: [], grouping: .week)
        #expect(weekly.rows.map(\.period.label) == ["2026-W49"])

        // The same kiosk answers on its control socket.
        let socket = try #require(kiosk.kiosk.controlSocket)
        let response = try await ControlClient(socketPath: socket).call(
            "POST", "/sim/press", body: ControlAPI.PressRequest(button: "caring"), as: ControlAPI.PressResponse.self)
        #expect(response.result == "stored" && response.counted == true && response.newVisit == true)
        var unknown: ControlError?
        do {
            _ = try await ControlClient(socketPath: socket).call(
                "POST", "/sim/press", body: ControlAPI.PressRequest(button: "fod"), as: ControlAPI.PressResponse.self)
        } catch {
            unknown = error
        }
        #expect(unknown?.status == 404)
        #expect(unknown?.valid?.contains("food") == true && unknown?.valid?.contains("checkin") == true)
        let status = try await ControlClient(socketPath: socket).call(
            "GET", "/status", as: ControlAPI.StatusResponse.self)
        #expect(status.visits == 6)
        #expect(["printing", "on"].contains(status.lights["button:caring"]), "blinking while its slip prints, then on")
        var settled = status
        for _ in 0..<200 where settled.lights["button:caring"] == "printing" {
            try await Task.sleep(for: .milliseconds(10))
            settled = try await ControlClient(socketPath: socket).call(
                "GET", "/status", as: ControlAPI.StatusResponse.self)
        }
        #expect(settled.lights["button:caring"] == "on", "steady once the slip is out")

        // SIGTERM's path: the kiosk stops, and its socket goes.
        try await kiosk.stop()
        #expect(!FileManager.default.fileExists(atPath: socket))
        #expect(try database.integrityProblems().isEmpty)
    }

    @Test("Paper out: visits count, slips are recorded as not printed, nothing is replayed")
    func paperOut() async throws {
        let kiosk = try InProcessKiosk()
        _ = try await kiosk.play("paper-out")
        // The order of a settled hour's slips is not kept (privacy at rest keeps their times to the hour): counted
        // by outcome; the printer's own record says the two printed ones came out.
        let slips = try kiosk.kiosk.database.allSlips()
        #expect(slips.map(\.status).sorted() == ["not_printed", "not_printed", "printed", "printed"])
        #expect(kiosk.kiosk.simulator?.printer.printedCount == 2)
        #expect(try kiosk.kiosk.database.totals().visits == 3)
        try await kiosk.stop()
    }

    @Test("A full disk: the press is not acknowledged, staff are alerted, the kiosk stays up and recovers")
    func diskFull() async throws {
        let kiosk = try InProcessKiosk()
        let service = kiosk.kiosk.service
        let buttons = try #require(kiosk.kiosk.simulator?.buttons)
        let database = kiosk.kiosk.database
        try database.setMaximumPageCount(Int(try database.pragma("page_count")!)! + 2)
        var failure: StoreError?
        var acknowledged = 0
        for _ in 0..<2000 {
            // Each press starts a new visit; the slip before it is out first (a slip kept waiting 60 s would expire).
            await kiosk.driver.finish()
            kiosk.clock.advance(by: .seconds(61))
            let id = try #require(buttons.down("food"))
            let result = await service.result(forEvent: id)
            if case .failed(let error) = result {
                // Held down until space is back: its release is an input that may store, and clear the alert.
                failure = error
                break
            }
            kiosk.clock.advance(by: .milliseconds(100))
            if let release = buttons.edge("food", .up) { _ = await service.result(forEvent: release.id) }
            acknowledged += 1
        }
        #expect(failure?.code == .full)
        #expect(acknowledged > 0)
        #expect(try database.allPresses().count == acknowledged, "nothing acknowledged is missing, nothing extra")
        let status = try await service.status()
        #expect(status.alerts.contains { if case .storage = $0 { return true } else { return false } })
        #expect(kiosk.kiosk.simulator?.indicator.pattern(of: .staffAlert) == .error)
        #expect(kiosk.kiosk.simulator?.indicator.pattern(of: .button("food")) == .error)
        // Space again: the next press is stored and the alert clears.
        try database.setMaximumPageCount(1_000_000)
        kiosk.clock.advance(by: .milliseconds(100))
        if let release = buttons.edge("food", .up) { _ = await service.result(forEvent: release.id) }
        await kiosk.driver.finish()
        kiosk.clock.advance(by: .seconds(61))
        let id = try #require(buttons.down("money"))
        guard case .acknowledged(let outcome) = await service.result(forEvent: id) else {
            Issue.record("press after recovery not stored")
            return
        }
        #expect(outcome.counted)
        let alerts = try await service.status().alerts
        #expect(alerts.isEmpty, "\(alerts)")
        try await kiosk.stop()
    }

    @Test("Staff print a slip at the desk: it prints at once and counts nothing")
    func staffSlip() async throws {
        let kiosk = try InProcessKiosk()
        _ = try await kiosk.kiosk.service.printStaffSlip(needs: ["housing", "money"])
        await kiosk.driver.finish()
        let slips = try kiosk.kiosk.database.allSlips()
        #expect(slips.map(\.origin) == ["staff"])
        #expect(slips.first?.status == "printed")
        #expect(try kiosk.kiosk.database.totals().visits == 0)
        let printed = try #require(kiosk.kiosk.simulator?.printer.printed.last)
        #expect(printed.receipt.lines.contains("Housing Options Team"))
        try await kiosk.stop()
    }
}
