import Foundation

/// Counted visits and needs of one period.
public struct TallyRow: Hashable, Sendable {
    public var period: TallyPeriod
    public var visits: Int
    public var needs: [NeedCode: Int]

    public init(period: TallyPeriod, visits: Int = 0, needs: [NeedCode: Int] = [:]) {
        self.period = period
        self.visits = visits
        self.needs = needs
    }
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

    /// Builds the report from per-period counts. `from`/`to` widen the range to whole periods around them.
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
        var allNeeds = needs
        for counts in needCounts.values {
            for code in counts.keys.sorted() where !allNeeds.contains(code) { allNeeds.append(code) }
        }
        self.needs = allNeeds
        let periods = Set(visits.keys).union(needCounts.keys)
        let first = from.map { TallyPeriod(containing: $0, by: grouping) } ?? periods.min()
        let last = to.map { TallyPeriod(containing: $0, by: grouping) } ?? periods.max()
        var rows: [TallyRow] = []
        if let first, let last, first <= last {
            var period = first
            while period <= last {
                rows.append(TallyRow(period: period, visits: visits[period] ?? 0, needs: needCounts[period] ?? [:]))
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

    /// RFC 4180 CSV: a header row, one row per period, and a `total` row; CRLF line ends.
    public func csv(suppress: Bool) -> String {
        var lines: [[String]] = []
        lines.append(["hub", "period", "start", "end", "visits"] + needs.map(\.rawValue))
        for row in rows {
            lines.append(
                [hubID, row.period.label, row.period.start.description, row.period.end.description]
                    + [cell(row.visits, suppress: suppress).description]
                    + needs.map { cell(row.needs[$0] ?? 0, suppress: suppress).description })
        }
        let total = total
        lines.append(
            [hubID, "total", rows.first?.period.start.description ?? "", rows.last?.period.end.description ?? ""]
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
            "\n    {\"period\": \(JSONText.quote(row.period.label)), \"start\": \"\(row.period.start)\", "
                + "\"end\": \"\(row.period.end)\", \"visits\": \(value(row.visits)), \"needs\": \(needsObject(row.needs))}"
        }.joined(separator: ",")
        out += rows.isEmpty ? "],\n" : "\n  ],\n"
        let total = total
        out += "  \"total\": {\"visits\": \(value(total.visits)), \"needs\": \(needsObject(total.needs))}\n"
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
