import Foundation

/// Counted visits and needs of one period, or of the days of it that a report's range covers.
public struct TallyRow: Hashable, Sendable {
    public var period: TallyPeriod
    /// The first day counted: the period's first day, or a later one where the report's range starts inside it.
    public var first: LocalDate
    /// The last day counted: the period's last day, or an earlier one where the report's range ends inside it.
    public var last: LocalDate
    public var visits: Int
    public var needs: [NeedCode: Int]

    /// A row of `period` counting the days from `first` to `last` (the whole period when nil).
    public init(
        period: TallyPeriod, first: LocalDate? = nil, last: LocalDate? = nil, visits: Int = 0,
        needs: [NeedCode: Int] = [:]
    ) {
        self.period = period
        self.first = first.map { max($0, period.start) } ?? period.start
        self.last = last.map { min($0, period.end) } ?? period.end
        self.visits = visits
        self.needs = needs
    }

    /// Whether the row counts only some of its period's days.
    public var partial: Bool { first != period.start || last != period.end }
}

/// Visit tallies by period and need, ready to export.
///
/// Only counted visits are tallied: presses that broke the rules are stored but count nothing.
public struct TallyReport: Hashable, Sendable {
    public var hubID: String
    public var grouping: TallyGrouping
    public var needs: [NeedCode]
    /// One row per period from the first to the last, periods without visits included.
    public var rows: [TallyRow]

    /// Builds the report from per-period counts. `from`/`to` give the first and last day counted: a period they
    /// fall inside gets a row that says which of its days it counts (``TallyRow/first``, ``TallyRow/last``) and
    /// is marked ``TallyRow/partial``.
    public init(
        hubID: String,
        grouping: TallyGrouping,
        needs: [NeedCode],
        visits: [TallyPeriod: Int],
        needCounts: [TallyPeriod: [NeedCode: Int]],
        from: LocalDate? = nil,
        to: LocalDate? = nil
    ) {
        self.hubID = hubID
        self.grouping = grouping
        // Needs counted but not listed follow the listed ones in name order (not in dictionary order, which
        // changes from run to run).
        let counted = Set(needCounts.values.flatMap(\.keys))
        self.needs = needs + counted.subtracting(needs).sorted()
        let periods = Set(visits.keys).union(needCounts.keys)
        let first = from.map { TallyPeriod(containing: $0, by: grouping) } ?? periods.min()
        // The last period of the last day: its last hour when grouped by hour.
        let last = to.map { TallyPeriod(containing: $0, hour: 23, by: grouping) } ?? periods.max()
        var rows: [TallyRow] = []
        if let first, let last, first <= last {
            var period = first
            while period <= last {
                rows.append(
                    TallyRow(
                        period: period, first: from, last: to, visits: visits[period] ?? 0,
                        needs: needCounts[period] ?? [:]))
                period = period.next
            }
        }
        self.rows = rows
    }

    /// Exact totals over every row.
    public var total: (visits: Int, needs: [NeedCode: Int]) {
        var needs: [NeedCode: Int] = [:]
        for row in rows {
            for (code, count) in row.needs { needs[code, default: 0] += count }
        }
        return (rows.reduce(0) { $0 + $1.visits }, needs)
    }

    func cell(_ count: Int, suppress: Bool) -> TallyCell {
        suppress ? Suppression.apply(count) : .count(count)
    }

    /// Whether a row counts only some of its period's days.
    public var partial: Bool { rows.contains(where: \.partial) }

    /// RFC 4180 CSV: a header row, one row per period, and a `total` row; CRLF line ends. `start` and `end` are
    /// the first and last day a row counts; `partial` is `true` where that is not its whole period.
    public func csv(suppress: Bool) -> String {
        var lines: [[String]] = []
        lines.append(["hub", "period", "start", "end", "partial", "visits"] + needs.map(\.rawValue))
        for row in rows {
            lines.append(
                [hubID, row.period.label, row.first.description, row.last.description, String(row.partial)]
                    + [cell(row.visits, suppress: suppress).description]
                    + needs.map { cell(row.needs[$0] ?? 0, suppress: suppress).description })
        }
        let total = total
        lines.append(
            [
                hubID, "total", rows.first?.first.description ?? "", rows.last?.last.description ?? "",
                String(partial),
            ]
                + [cell(total.visits, suppress: suppress).description]
                + needs.map { cell(total.needs[$0] ?? 0, suppress: suppress).description })
        return lines.map { $0.map(TallyReport.csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// JSON with the same content as the CSV: counts are numbers, suppressed counts the string `"[c]"`.
    public func json(suppress: Bool) -> String {
        func value(_ count: Int) -> String {
            switch cell(count, suppress: suppress) {
            case .count(let n): return String(n)
            case .suppressed: return "\"\(TallyCell.suppressedMarker)\""
            }
        }
        func needsObject(_ counts: [NeedCode: Int]) -> String {
            "{" + needs.map { "\(JSONText.quote($0.rawValue)): \(value(counts[$0] ?? 0))" }.joined(separator: ", ")
                + "}"
        }
        var out = "{\n"
        out += "  \"hub\": \(JSONText.quote(hubID)),\n"
        out += "  \"by\": \"\(grouping.rawValue)\",\n"
        out += "  \"suppressed\": \(suppress),\n"
        if suppress {
            out +=
                "  \"suppression\": \"counts of 1-\(Suppression.threshold) shown as \\\"\(TallyCell.suppressedMarker)\\\", "
            out += "others rounded to the nearest 5; totals summed before rounding\",\n"
        }
        out += "  \"needs\": [" + needs.map { JSONText.quote($0.rawValue) }.joined(separator: ", ") + "],\n"
        out += "  \"periods\": ["
        out += rows.map { row in
            "\n    {\"period\": \(JSONText.quote(row.period.label)), \"start\": \"\(row.first)\", "
                + "\"end\": \"\(row.last)\", \"partial\": \(row.partial), \"visits\": \(value(row.visits)), "
                + "\"needs\": \(needsObject(row.needs))}"
        }.joined(separator: ",")
        out += rows.isEmpty ? "],\n" : "\n  ],\n"
        let total = total
        let span =
            rows.isEmpty ? "" : "\"start\": \"\(rows[0].first)\", \"end\": \"\(rows[rows.count - 1].last)\", "
        out += "  \"total\": {\(span)\"partial\": \(partial), \"visits\": \(value(total.visits)), "
        out += "\"needs\": \(needsObject(total.needs))}\n"
        out += "}\n"
        return out
    }
}

/// Minimal JSON text helpers for hand-written, stable JSON output.
public enum JSONText {
    /// `text` as a JSON string literal.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let s where s.value < 0x20:
                out +=
                    "\\u" + String(repeating: "0", count: 4 - String(s.value, radix: 16).count)
                    + String(s.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
