import Foundation
import HubReportAPI
import KioskCore

extension ReportExport {
    /// A count as exported: exact with `exact`, else through KioskCore's ``Suppression``.
    func cell(_ count: Int, exact: Bool) -> TallyCell {
        exact ? .count(count) : Suppression.apply(count)
    }

    /// RFC 4180 CSV: a header row, one row per period and hub, then the totals; CRLF line ends.
    public func csv(exact: Bool) -> String {
        var lines: [[String]] = [
            ["period", "start", "end", "partial", "hub", "hub_name", "visits"] + needs.map(\.rawValue)
                + ["slips_printed", "slips_not_printed"]
        ]
        for row in rows + totals {
            lines.append(
                [
                    row.period, row.start.description, row.end.description, row.partial ? "true" : "false", row.hub,
                    row.hub == Self.allHubs ? "all hubs" : hubNames[row.hub] ?? "",
                    cell(row.visits, exact: exact).description,
                ] + needs.map { cell(row.needs[$0] ?? 0, exact: exact).description }
                    + [
                        cell(row.slipsPrinted, exact: exact).description,
                        cell(row.slipsNotPrinted, exact: exact).description,
                    ])
        }
        return lines.map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The same content as JSON (`JSONEncoder`): counts are numbers, suppressed counts the string `"[c]"`.
    public func json(exact: Bool) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(JSONExport(self, exact: exact))
    }
}

/// The JSON document of an export.
struct JSONExport: Encodable {
    struct Need: Encodable {
        var code: String
        var label: String?
        /// False for a code the partnership does not list (kept, never dropped).
        var partnership: Bool
    }

    struct Cell: Encodable {
        var value: TallyCell

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch value {
            case .count(let count): try container.encode(count)
            case .suppressed: try container.encode(TallyCell.suppressedMarker)
            }
        }
    }

    struct Row: Encodable {
        var period: String
        var start: String
        var end: String
        var partial: Bool
        var hub: String
        var visits: Cell
        var needs: [String: Cell]
        var slipsPrinted: Cell
        var slipsNotPrinted: Cell

        enum CodingKeys: String, CodingKey {
            case period, start, end, partial, hub, visits, needs
            case slipsPrinted = "slips_printed"
            case slipsNotPrinted = "slips_not_printed"
        }
    }

    var partnership: String
    var by: String
    var from: String?
    var to: String?
    var suppressed: Bool
    var suppression: String?
    var needs: [Need]
    var hubs: [String: String]
    var rows: [Row]
    var totals: [Row]

    init(_ export: ReportExport, exact: Bool) {
        partnership = export.partnership.name
        by = export.grouping.rawValue
        from = export.from?.description
        to = export.to?.description
        suppressed = !exact
        suppression =
            exact
            ? nil
            : "counts of 1-\(Suppression.threshold) shown as \"\(TallyCell.suppressedMarker)\", others rounded to "
                + "the nearest 5; all-hub rows and totals summed exactly before rounding"
        needs = export.needs.map { code in
            Need(
                code: code.rawValue, label: export.partnership.needs.first { $0.code == code }?.label,
                partnership: export.partnership.knows(code))
        }
        hubs = export.hubNames
        func row(_ row: ReportExport.Row) -> Row {
            Row(
                period: row.period, start: row.start.description, end: row.end.description, partial: row.partial,
                hub: row.hub, visits: Cell(value: export.cell(row.visits, exact: exact)),
                needs: Dictionary(
                    uniqueKeysWithValues: export.needs.map {
                        ($0.rawValue, Cell(value: export.cell(row.needs[$0] ?? 0, exact: exact)))
                    }),
                slipsPrinted: Cell(value: export.cell(row.slipsPrinted, exact: exact)),
                slipsNotPrinted: Cell(value: export.cell(row.slipsNotPrinted, exact: exact)))
        }
        rows = export.rows.map(row)
        totals = export.totals.map(row)
    }
}
