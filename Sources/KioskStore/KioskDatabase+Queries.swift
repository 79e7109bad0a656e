import Foundation
import GRDB
import KioskCore

/// A stored press, as tests, status pages and checks read it back.
public struct StoredPress: Hashable, Sendable {
    public var id: String
    public var button: ButtonID
    public var need: NeedCode?
    public var pressedAt: Date
    public var monotonicNanoseconds: Int64
    public var bootID: String
    public var clockSynchronized: Bool
    public var timeApproximate: Bool
    public var timeCorrected: Bool
    public var flags: PressFlags
    public var visitID: String
}

/// A stored slip and what became of it.
public struct StoredSlip: Hashable, Sendable {
    public var id: String
    public var origin: String
    public var needs: [NeedCode]
    public var pressID: String?
    public var status: String
    public var reason: String?
}

/// Exact counts of one day, for staff (never sent to partners as they are): `counts.visits`, `counts.needs`, …
@dynamicMemberLookup
public struct DayCounts: Hashable, Sendable {
    public var day: LocalDate
    public var counts: StoreTotals

    public subscript<Value>(dynamicMember key: KeyPath<StoreTotals, Value>) -> Value { counts[keyPath: key] }
}

extension KioskDatabase {
    /// The SQL that counts counted visits per local day: what an export runs (and what the benchmark compares with
    /// the `sqlite3` tool running the same text). It reads its covering index in order, without sorting; days are
    /// folded into weeks and months afterwards.
    public static let visitTallySQL = """
        SELECT local_day, COUNT(*) AS visits
        FROM visit WHERE counted = 1 AND local_day BETWEEN ?1 AND ?2
        GROUP BY local_day
        """

    /// The SQL that counts, per local day and need, the visits that recorded the need.
    public static let needTallySQL = """
        SELECT local_day, need, COUNT(*) AS visits
        FROM visit_need WHERE local_day BETWEEN ?1 AND ?2
        GROUP BY local_day, need
        """

    /// The SQL that counts, per local day and hour, the counted visits of the ledger (migration v5).
    public static let ledgerVisitTallySQL = """
        SELECT local_day, local_hour, visits
        FROM ledger_hour WHERE local_day BETWEEN ?1 AND ?2 AND visits != 0
        """

    /// The SQL that counts, per local day, hour and need, the visits of the ledger that recorded the need.
    public static let ledgerNeedTallySQL = """
        SELECT local_day, local_hour, need, visits
        FROM ledger_need WHERE local_day BETWEEN ?1 AND ?2 AND visits != 0
        """

    /// Tallies of counted visits and needs by period, between `from` and `to` inclusive (local dates).
    ///
    /// Read from the tally ledger, which stays when raw presses are purged; a file from before the ledger
    /// (opened read-only, so not migrated) is tallied from its visits and needs.
    public func tallyReport(
        hubID: String,
        needs: [NeedCode],
        grouping: TallyGrouping,
        from: LocalDate? = nil,
        to: LocalDate? = nil
    ) throws(StoreError) -> TallyReport {
        let low = from?.daysSinceEpoch ?? Int(Int32.min)
        let high = to?.daysSinceEpoch ?? Int(Int32.max)
        let (visits, needCounts) = try readSync { db in
            var visits: [TallyPeriod: Int] = [:]
            var needCounts: [TallyPeriod: [NeedCode: Int]] = [:]
            var periods: [Int: TallyPeriod] = [:]
            func period(_ day: Int, _ hour: Int) -> TallyPeriod {
                let key = grouping == .hour ? day * 24 + hour : day * 24
                if let known = periods[key] { return known }
                let value = TallyPeriod(containing: LocalDate(daysSinceEpoch: day), hour: hour, by: grouping)
                periods[key] = value
                return value
            }
            let ledger = try db.tableExists("ledger_hour")
            let visitSQL: String
            let needSQL: String
            if ledger {
                visitSQL = KioskDatabase.ledgerVisitTallySQL
                needSQL = KioskDatabase.ledgerNeedTallySQL
            } else if grouping == .hour {
                visitSQL = """
                    SELECT local_day, local_hour, COUNT(*) FROM visit WHERE counted = 1 AND local_day BETWEEN ?1 AND ?2
                    GROUP BY local_day, local_hour
                    """
                needSQL = """
                    SELECT vn.local_day, v.local_hour, vn.need, COUNT(*) FROM visit_need vn JOIN visit v ON v.id = vn.visit_id
                    WHERE vn.local_day BETWEEN ?1 AND ?2 GROUP BY vn.local_day, v.local_hour, vn.need
                    """
            } else {
                visitSQL = "SELECT local_day, 0, visits FROM (\(KioskDatabase.visitTallySQL))"
                needSQL = "SELECT local_day, 0, need, visits FROM (\(KioskDatabase.needTallySQL))"
            }
            let visitRows = try Row.fetchCursor(db, sql: visitSQL, arguments: [low, high])
            while let row = try visitRows.next() {
                visits[period(row[0], row[1]), default: 0] += row[2] as Int
            }
            var codes: [String: NeedCode] = [:]
            let needRows = try Row.fetchCursor(db, sql: needSQL, arguments: [low, high])
            while let row = try needRows.next() {
                let name: String = row[2]
                let code = codes[name] ?? NeedCode(name)
                codes[name] = code
                needCounts[period(row[0], row[1]), default: [:]][code, default: 0] += row[3] as Int
            }
            return (visits, needCounts)
        }
        return TallyReport(
            hubID: hubID, grouping: grouping, needs: needs, visits: visits, needCounts: needCounts, from: from, to: to)
    }

    /// Exact counts of `day`, for the staff status.
    public func dayCounts(_ day: LocalDate) throws(StoreError) -> DayCounts {
        DayCounts(day: day, counts: try counts(localDay: day.daysSinceEpoch))
    }

    /// Every stored press in the order they happened (tests and checks; a busy year is ~200,000 rows).
    public func allPresses() throws(StoreError) -> [StoredPress] {
        try readSync { db in
            try Row.fetchAll(db, sql: "SELECT * FROM press ORDER BY boot_id, mono_ns").map { row in
                StoredPress(
                    id: KioskDatabase.keyText(row["id"]), button: ButtonID(row["button"] as String),
                    need: (row["need"] as String?).map(NeedCode.init(rawValue:)),
                    pressedAt: Date(timeIntervalSince1970: row["pressed_at"]), monotonicNanoseconds: row["mono_ns"],
                    bootID: KioskDatabase.keyText(row["boot_id"]), clockSynchronized: row["clock_synced"],
                    timeApproximate: row["time_approximate"], timeCorrected: row["time_corrected"],
                    flags: PressFlags(rawValue: row["flags"]),
                    visitID: KioskDatabase.keyText(row["visit_id"]))
            }
        }
    }

    /// The ids of every stored press.
    public func pressIDs() throws(StoreError) -> Set<String> {
        try readSync { db in
            Set(try DatabaseValue.fetchAll(db, sql: "SELECT id FROM press").map(KioskDatabase.keyText))
        }
    }

    /// Every slip asked for, oldest first.
    public func allSlips() throws(StoreError) -> [StoredSlip] {
        try readSync { db in
            try Row.fetchAll(db, sql: "SELECT * FROM slip ORDER BY requested_at, id").map { row in
                StoredSlip(
                    id: KioskDatabase.keyText(row["id"]), origin: row["origin"],
                    needs: (row["needs"] as String).split(separator: ",").map { NeedCode(String($0)) },
                    pressID: (row["press_id"] as DatabaseValue).isNull ? nil : KioskDatabase.keyText(row["press_id"]),
                    status: row["status"], reason: row["reason"])
            }
        }
    }

    /// Counted visits and all visits stored.
    public func visitCounts() throws(StoreError) -> (counted: Int, all: Int) {
        try readSync { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM visit WHERE counted = 1") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM visit") ?? 0
            )
        }
    }
}

/// Exact counts over the whole database (scenario checks, `doctor`) or one day (status).
public struct StoreTotals: Hashable, Sendable {
    public var visits: Int
    public var needs: [NeedCode: Int]
    public var presses: Int
    public var flaggedPresses: Int
    public var slipsPrinted: Int
    public var slipsNotPrinted: Int
    public var lastPressAt: Date?
}

extension KioskDatabase {
    public func totals() throws(StoreError) -> StoreTotals {
        try counts(localDay: nil)
    }

    /// The counts of one local day (days since 1970-01-01), or of everything.
    private func counts(localDay: Int?) throws(StoreError) -> StoreTotals {
        let filter = localDay == nil ? "" : "local_day = ?"
        let arguments: StatementArguments = localDay.map { [$0] } ?? []
        func clause(_ condition: String...) -> String {
            let all = condition + (filter.isEmpty ? [] : [filter])
            return all.isEmpty ? "" : " WHERE " + all.joined(separator: " AND ")
        }
        return try readSync { db in
            let visits = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM visit" + clause("counted = 1"), arguments: arguments)
            var needs: [NeedCode: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT need, COUNT(*) AS n FROM visit_need" + clause() + " GROUP BY need",
                arguments: arguments)
            {
                needs[NeedCode(row["need"] as String)] = row["n"]
            }
            let presses = try Row.fetchOne(
                db,
                sql: "SELECT COUNT(*) AS total, SUM(flags & ? != 0) AS flagged, MAX(pressed_at) AS last FROM press"
                    + clause(),
                arguments: [PressFlags.misuse.rawValue] + arguments)
            let slips = try Row.fetchOne(
                db,
                sql: "SELECT SUM(status = 'printed') AS printed, SUM(status = 'not_printed') AS failed FROM slip"
                    + clause(),
                arguments: arguments)
            let lastPress: Double? = presses?["last"]
            return StoreTotals(
                visits: visits ?? 0, needs: needs, presses: presses?["total"] ?? 0,
                flaggedPresses: presses?["flagged"] ?? 0, slipsPrinted: slips?["printed"] ?? 0,
                slipsNotPrinted: slips?["failed"] ?? 0, lastPressAt: lastPress.map { Date(timeIntervalSince1970: $0) })
        }
    }
}
