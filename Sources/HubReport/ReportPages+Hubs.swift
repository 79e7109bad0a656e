import Foundation
import HubReportAPI
import HubWeb
import Hummingbird
import KioskCore

extension ReportPages {
    /// `/`: every hub of the partnership with its last sync, software, printer and this week's visits.
    func hubsPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let (session, role) = try session(context)
        let exact = showsExact(request, role: role)
        let hubs = try await store.hubs()
        let week = try await thisWeek()
        let rows: [[String: Any]] = hubs.map { hub in
            let alerts = hub.health?.openAlerts.map(\.rawValue).joined(separator: ", ") ?? ""
            return [
                "id": hub.id, "name": hub.name, "state": hub.state.rawValue,
                "lastSync": Self.lastSync(hub.lastSyncAt, role: role),
                "version": hub.health?.version ?? hub.kioskVersion ?? "–",
                "printer": hub.health?.printer.rawValue ?? "–",
                "alerts": alerts.isEmpty ? false : alerts,
                "week": Self.shown(week[hub.id] ?? 0, exact: exact),
            ]
        }
        return site.page(
            "hubs", title: "Hubs", session: session,
            values: [
                "hubs": rows, "empty": hubs.isEmpty, "weekStart": today.startOfWeek.description,
                "suppression": suppressionValues(request, role: role, exact: exact, path: "/"),
                "coordinator": role == .coordinator,
            ], current: "/")
    }

    /// `/hubs/{id}`: one hub's facts and charts.
    func hubPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let (session, role) = try session(context)
        let id = context.parameters.get("id") ?? ""
        guard let hub = try await store.hubs().first(where: { $0.id == id }) else {
            throw HTTPError(.notFound, message: "There is no hub \"\(id)\"; the Hubs page lists them.")
        }
        let exact = showsExact(request, role: role)
        let activity = try await activity(hub: hub.id)
        let charts = [
            weeklyChart(activity, hubs: [hub.id], names: [hub.id: hub.name], exact: exact, id: "weeks"),
            needsChart(activity, exact: exact, id: "needs"),
            hoursChart(activity, hub: hub.id, exact: exact),
        ]
        return site.page(
            "hub", title: hub.name, session: session,
            values: [
                "id": hub.id, "name": hub.name, "state": hub.state.rawValue,
                "lastSync": Self.lastSync(hub.lastSyncAt, role: role),
                "version": hub.health?.version ?? hub.kioskVersion ?? "–",
                "printer": hub.health?.printer.rawValue ?? "–",
                "alerts": hub.health?.openAlerts.map(\.rawValue).joined(separator: ", ") ?? "none",
                "backlog": hub.health.map { String($0.backlog) } ?? "–",
                "charts": charts, "weeks": Self.chartWeeks,
                "suppression": suppressionValues(request, role: role, exact: exact, path: "/hubs/\(hub.id)"),
            ], current: "/")
    }

    /// `/charts`: visits per week, the needs mix and the hour of day across hubs.
    func chartsPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let (session, role) = try session(context)
        let exact = showsExact(request, role: role)
        let hubs = try await store.hubs()
        let names = Dictionary(hubs.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let activity = try await activity()
        let ids = (Set(hubs.map(\.id)).union(activity.hubs)).sorted()
        let charts = [
            weeklyChart(activity, hubs: ids, names: names, exact: exact, id: "weeks"),
            needsChart(activity, exact: exact, id: "needs"),
            heatmap(activity, hubs: ids, names: names, exact: exact),
        ]
        return site.page(
            "charts", title: "Charts", session: session,
            values: [
                "charts": charts, "weeks": Self.chartWeeks, "hubCount": ids.count,
                "suppression": suppressionValues(request, role: role, exact: exact, path: "/charts"),
            ], current: "/charts")
    }

    /// What a page says about suppression, and a coordinator's switch.
    func suppressionValues(_ request: Request, role: ReportRole, exact: Bool, path: String) -> [String: Any] {
        [
            "exact": exact, "coordinator": role == .coordinator,
            "toggle": exact ? path : path + "?exact=1",
        ]
    }

    // MARK: - Charts, each with its table

    func weeklyChart(
        _ activity: ReportActivity, hubs: [String], names: [String: String], exact: Bool, id: String
    ) -> [String: Any] {
        let labels = activity.weeks.map { "\($0.isoWeek.week)" }
        let totals = activity.weekly(hubs)
        let title = "Visits per week (ISO week number), last \(activity.weeks.count) weeks"
        let svg = SVGChart.columns(
            id: id, title: title, labels: labels, values: totals.map { Self.drawn($0, exact: exact) })
        let several = hubs.count > 1
        let headers = ["Week starting"] + hubs.map { names[$0] ?? $0 } + (several ? ["All hubs"] : [])
        let rows: [[String: Any]] = activity.weeks.enumerated().map { index, week in
            var cells = hubs.map { Self.shown(activity.visits[$0]?[week] ?? 0, exact: exact) }
            if several { cells.append(Self.shown(totals[index], exact: exact)) }
            return ["label": week.description, "cells": cells]
        }
        return ["id": id, "title": title, "svg": svg, "headers": headers, "rows": rows]
    }

    func needsChart(_ activity: ReportActivity, exact: Bool, id: String) -> [String: Any] {
        let codes = partnership.needs.map(\.code) + partnership.unknown(activity.needs.keys)
        let title = "Visits per need, last \(activity.weeks.count) weeks"
        let svg = SVGChart.bars(
            id: id, title: title, labels: codes.map(label),
            values: codes.map { Self.drawn(activity.needs[$0] ?? 0, exact: exact) })
        let rows: [[String: Any]] = codes.map {
            ["label": label($0), "cells": [Self.shown(activity.needs[$0] ?? 0, exact: exact)]]
        }
        return ["id": id, "title": title, "svg": svg, "headers": ["Need", "Visits"], "rows": rows]
    }

    func hoursChart(_ activity: ReportActivity, hub: String, exact: Bool) -> [String: Any] {
        let counts = activity.hours[hub] ?? Array(repeating: 0, count: 24)
        let labels = (0..<24).map { $0 < 10 ? "0\($0)" : "\($0)" }
        let title = "Visits by hour of day, last \(activity.weeks.count) weeks"
        let svg = SVGChart.columns(
            id: "hours", title: title, labels: labels, values: counts.map { Self.drawn($0, exact: exact) },
            labelEvery: 3)
        let rows: [[String: Any]] = labels.enumerated().map { hour, label in
            ["label": "\(label):00", "cells": [Self.shown(counts[hour], exact: exact)]]
        }
        return ["id": "hours", "title": title, "svg": svg, "headers": ["Hour", "Visits"], "rows": rows]
    }

    func heatmap(
        _ activity: ReportActivity, hubs: [String], names: [String: String], exact: Bool
    ) -> [String: Any] {
        let labels = (0..<24).map { $0 < 10 ? "0\($0)" : "\($0)" }
        let title = "Visits by hour of day and hub, last \(activity.weeks.count) weeks"
        let counts = hubs.map { activity.hours[$0] ?? Array(repeating: 0, count: 24) }
        let svg = SVGChart.heatmap(
            id: "hours", title: title, rows: hubs.map { names[$0] ?? $0 }, columns: labels,
            values: counts.map { $0.map { Self.drawn($0, exact: exact) } })
        let rows: [[String: Any]] = hubs.enumerated().map { index, hub in
            ["label": names[hub] ?? hub, "cells": counts[index].map { Self.shown($0, exact: exact) }]
        }
        return ["id": "hours", "title": title, "svg": svg, "headers": ["Hub"] + labels, "rows": rows]
    }
}
