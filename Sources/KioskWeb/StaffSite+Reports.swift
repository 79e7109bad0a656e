import Foundation
import HubWeb
import Hummingbird
import KioskControl
import KioskCore
import KioskRuntime
import KioskStore

extension StaffSite {
    /// Charts of the last 12 weeks, the needs of the last 4, visits by hour of day, and the export form.
    func reports(_ request: Request, _ context: WebContext) async throws -> Response {
        let session = try site.require([Self.staffRole], context)
        let today = timeZone.localDate(of: service.clock.wall.date)
        let firstWeek = today.startOfWeek.adding(days: -77)
        let needsFrom = today.startOfWeek.adding(days: -21)
        let (weeks, hours) = try await Self.blocking { [database, layout] in
            let weeks = try database.tallyReport(
                hubID: "", needs: layout.needs.map(\.code), grouping: .week, from: firstWeek, to: today)
            let hours = try database.tallyReport(
                hubID: "", needs: layout.needs.map(\.code), grouping: .hour, from: needsFrom, to: today)
            return (weeks, hours)
        }
        let weekLabels = weeks.rows.map { "\($0.period.start.month)/\($0.period.start.day)" }
        let weekValues = weeks.rows.map(\.visits)
        var needTotals: [NeedCode: Int] = [:]
        for row in weeks.rows where row.period.start >= needsFrom {
            for (code, count) in row.needs { needTotals[code, default: 0] += count }
        }
        let needLabels = layout.needs.map(\.label)
        let needValues = layout.needs.map { needTotals[$0.code] ?? 0 }
        var byHour = [Int](repeating: 0, count: 24)
        for row in hours.rows {
            if let hour = row.period.hour, (0..<24).contains(hour) { byHour[hour] += row.visits }
        }
        let values: [String: Any] = [
            "weeksChart": SVGChart.columns(
                id: "weeks", title: "Visits per week, last 12 weeks", labels: weekLabels, values: weekValues),
            "weeks": zip(weeks.rows, weekValues).map { row, visits in
                ["label": "Week of \(row.period.start)", "visits": visits] as [String: Any]
            },
            "needsChart": SVGChart.bars(
                id: "needs", title: "Needs of the last 4 weeks", labels: needLabels, values: needValues),
            "needs": zip(needLabels, needValues).map { ["label": $0, "count": $1] as [String: Any] },
            "hoursChart": SVGChart.columns(
                id: "hours", title: "Visits by hour of day, last 4 weeks", labels: (0..<24).map { "\($0)" },
                values: byHour, labelEvery: 3),
            "hours": byHour.enumerated().filter { $0.element > 0 }.map {
                ["hour": String(format: "%02d:00", $0.offset), "visits": $0.element] as [String: Any]
            },
            "from": "\(firstWeek)", "to": "\(today)",
        ]
        return site.page("reports", title: "Reports", session: session, values: values, current: "/reports")
    }

    /// `GET /export?from=…&to=…&by=…&format=csv|json&suppress=on`: the hub's tallies as a download (suppressed
    /// unless the box is cleared).
    func export(_ request: Request, _ context: WebContext) async throws -> Response {
        _ = try site.require([Self.staffRole], context)
        let query = request.uri.queryParameters
        func date(_ key: Substring) throws -> LocalDate? {
            guard let text = query[key].map(String.init), !text.isEmpty else { return nil }
            guard let date = LocalDate(iso: text) else {
                throw HTTPError(.badRequest, message: "The \(key) date \"\(text)\" is not a date like 2026-12-01.")
            }
            return date
        }
        let from = try date("from")
        let to = try date("to")
        if let from, let to, to < from {
            throw HTTPError(.badRequest, message: "The last day (\(to)) is before the first (\(from)).")
        }
        let groupingText = query["by"].map(String.init) ?? "week"
        guard let grouping = TallyGrouping(rawValue: groupingText) else {
            throw HTTPError(.badRequest, message: "Group by hour, day, week or month, not \"\(groupingText)\".")
        }
        let format = query["format"].map(String.init) ?? "csv"
        guard format == "csv" || format == "json" else {
            throw HTTPError(.badRequest, message: "The format is CSV or JSON, not \"\(format)\".")
        }
        let suppress = query["suppress"] != nil
        let report = try await Self.blocking { [database, layout, service] in
            try database.tallyReport(
                hubID: service.configuration.hubID, needs: layout.needs.map(\.code), grouping: grouping, from: from,
                to: to)
        }
        let text = format == "csv" ? report.csv(suppress: suppress) : report.json(suppress: suppress)
        let name = "\(service.configuration.hubID)-\(grouping.rawValue)\(suppress ? "-suppressed" : "-exact").\(format)"
        return WebSite.download(
            Array(text.utf8), type: format == "csv" ? "text/csv; charset=utf-8" : "application/json", filename: name)
    }

    // MARK: - Simulator

    func simulatorPage(_ context: WebContext) async throws -> Response {
        let session = try site.require([Self.staffRole], context)
        guard let simulator else { throw HTTPError(.notFound) }
        let status = try await service.status()
        let printer = await simulator.printerStatus
        let buttons: [[String: Any]] = layout.buttons.map { button in
            let pattern = status.lights[.button(button.id)] ?? .off
            let label = button.need.flatMap { layout.need($0)?.label } ?? "Just visiting (check in)"
            return ["id": button.id.rawValue, "label": label, "light": pattern.rawValue]
        }
        let slips = simulator.recentSlips.suffix(3).reversed().map { slip in
            ["number": slip.number, "html": receipts.render(slip.bytes, label: "Slip \(slip.number)")] as [String: Any]
        }
        let values: [String: Any] = [
            "buttons": buttons, "alertLight": (status.lights[.staffAlert] ?? .off).rawValue,
            "printers": PrinterStatus.keys.map { key in
                ["key": key, "checked": key == printer.key] as [String: Any]
            },
            "printer": Self.printerText(status.printer), "visits": status.today.visits,
            "presses": status.today.presses, "slipsPrinted": status.today.slipsPrinted, "slips": slips,
            "hasSlips": !slips.isEmpty,
            "clock": Self.clockText(service.clock.wall.date, timeZone: timeZone),
            "advanced": simulator.clockAdvanced > .zero
                ? "moved forward \(Int(simulator.clockAdvanced.secondsDouble / 60)) minutes" as Any : false,
            "needs": layout.needs.map {
                ["label": $0.label, "count": status.today.needs[$0.code] ?? 0] as [String: Any]
            },
        ]
        return site.page(
            "sim", title: "Simulator", session: session, values: values, current: "/sim", events: "/events")
    }

    func simulatorPress(_ request: Request, _ context: WebContext) async throws -> Response {
        let session = try site.require([Self.staffRole], context)
        let form = try await site.form(request, context)
        guard let simulator else { throw HTTPError(.notFound) }
        guard let name = form["button"], let button = layout.button(named: name) else {
            throw HTTPError(.badRequest, message: "That is not a button of this kiosk.")
        }
        if let event = simulator.press(button.id, hold: simulator.defaultHold) {
            switch await service.result(forEvent: event) {
            case .acknowledged(let outcome):
                site.flash(
                    "Pressed \(button.id): \(outcome.counted ? "counted" : "stored, not counted")"
                        + (outcome.flags.names.isEmpty ? "" : " (\(outcome.flags.names.joined(separator: ", ")))"),
                    for: session)
            case .failed(let error):
                site.flash("Pressed \(button.id): not stored (\(error.description)).", for: session)
            case .ignored, nil: site.flash("Pressed \(button.id): ignored.", for: session)
            }
        } else {
            site.flash("Pressed \(button.id): ignored (a bounce).", for: session)
        }
        // Show the slip on the next page if it prints soon (a slip held back by the slip interval comes later,
        // and the page's live updates show it).
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await service.waitUntilPrinted() }
            group.addTask { try? await Task.sleep(for: .seconds(3)) }
            await group.next()
            group.cancelAll()
        }
        return WebSite.redirect("/sim")
    }

    func simulatorClock(_ request: Request, _ context: WebContext) async throws -> Response {
        let session = try site.require([Self.staffRole], context)
        let form = try await site.form(request, context)
        guard let simulator else { throw HTTPError(.notFound) }
        let choices = ["1": 60, "10": 600, "60": 3600, "1440": 86_400]
        guard let text = form["minutes"], let seconds = choices[text] else {
            throw HTTPError(.badRequest, message: "Move the clock by 1, 10, 60 or 1440 minutes.")
        }
        // Every edge already made (a button's release) is handled first: a jump must not find a button held.
        await service.flush()
        guard simulator.advanceClock(by: .seconds(seconds)) else {
            throw HTTPError(.conflict, message: "This simulator's clock cannot be moved.")
        }
        await service.flush()
        site.flash("The clock moved forward \(text) minutes.", for: session)
        return WebSite.redirect("/sim")
    }

    static func clockText(_ date: Date, timeZone: HubTimeZone) -> String {
        let day = timeZone.localDate(of: date)
        let formatter = DateFormatter()
        formatter.timeZone = timeZone.timeZone
        formatter.dateFormat = "EEEE HH:mm"
        return "\(formatter.string(from: date)), \(day)"
    }

    func simulatorPrinter(_ request: Request, _ context: WebContext) async throws -> Response {
        let session = try site.require([Self.staffRole], context)
        let form = try await site.form(request, context)
        guard let simulator else { throw HTTPError(.notFound) }
        guard let key = form["state"], let state = PrinterStatus(key: key) else {
            throw HTTPError(.badRequest, message: "Choose one of: \(PrinterStatus.keys.joined(separator: ", ")).")
        }
        simulator.setPrinter(state)
        await service.refreshPrinterStatus()
        site.flash("The simulated printer is now \(key).", for: session)
        return WebSite.redirect("/sim")
    }
}
