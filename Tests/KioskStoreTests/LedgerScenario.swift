import Foundation
import GRDB
import KioskCore
import KioskStore
import KioskTestSupport
import Testing

/// Counts of one hour bucket: what the ledger holds and what a rebuild from the raw rows gives.
struct BucketCounts: Equatable, CustomStringConvertible {
    var visits = 0
    var needs: [NeedCode: Int] = [:]
    var printed = 0
    var notPrinted = 0

    var isZero: Bool { visits == 0 && printed == 0 && notPrinted == 0 && needs.values.allSatisfy { $0 == 0 } }

    /// The same counts without needs counted zero times.
    var trimmed: BucketCounts {
        var copy = self
        copy.needs = needs.filter { $0.value != 0 }
        return copy
    }

    var description: String {
        "visits \(visits) needs \(needs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }) "
            + "slips \(printed)/\(notPrinted)"
    }
}

/// A bucket's place: local day (days since 1970-01-01) and hour.
struct BucketKey: Hashable, Comparable, CustomStringConvertible {
    var day: Int
    var hour: Int

    static func < (lhs: BucketKey, rhs: BucketKey) -> Bool { (lhs.day, lhs.hour) < (rhs.day, rhs.hour) }
    var description: String { "\(LocalDate(daysSinceEpoch: day))T\(hour)" }
}

enum Ledger {
    /// The hour buckets rebuilt from the raw rows on a connection of the test's own, without the ledger, its
    /// triggers or visit_need: a visit counts when one of its presses broke no rule, a need when one of the
    /// visit's presses of it broke no rule, both in the visit's day and hour; a slip in its own day and hour.
    static func rebuild(_ path: String) throws -> [BucketKey: BucketCounts] {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: config)
        defer { try? queue.close() }
        let misuse = PressFlags.misuse.rawValue
        return try queue.read { db in
            var buckets: [BucketKey: BucketCounts] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT local_day, local_hour, COUNT(*) FROM visit v
                    WHERE EXISTS (SELECT 1 FROM press p WHERE p.visit_id = v.id AND p.flags & ? = 0)
                    GROUP BY local_day, local_hour
                    """, arguments: [misuse])
            {
                buckets[BucketKey(day: row[0], hour: row[1]), default: BucketCounts()].visits = row[2]
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT v.local_day, v.local_hour, p.need, COUNT(DISTINCT v.id) FROM press p
                    JOIN visit v ON v.id = p.visit_id
                    WHERE p.flags & ? = 0 AND p.need IS NOT NULL
                    GROUP BY v.local_day, v.local_hour, p.need
                    """, arguments: [misuse])
            {
                buckets[BucketKey(day: row[0], hour: row[1]), default: BucketCounts()].needs[
                    NeedCode(row[2] as String)] =
                    row[3]
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT local_day, local_hour, SUM(status = 'printed'), SUM(status = 'not_printed') FROM slip
                    GROUP BY local_day, local_hour
                    """)
            {
                var bucket = buckets[BucketKey(day: row[0], hour: row[1]), default: BucketCounts()]
                bucket.printed = row[2]
                bucket.notPrinted = row[3]
                buckets[BucketKey(day: row[0], hour: row[1])] = bucket
            }
            return buckets.filter { !$0.value.isZero }
        }
    }

    /// The ledger's hour buckets, with their counts and revisions.
    static func hours(_ database: KioskDatabase) throws -> [BucketKey: (counts: BucketCounts, revision: UInt64)] {
        var result: [BucketKey: (counts: BucketCounts, revision: UInt64)] = [:]
        for bucket in try database.ledgerBuckets(from: nil, to: nil, resolution: .hour) {
            let key = BucketKey(day: bucket.day.daysSinceEpoch, hour: try #require(bucket.hour))
            result[key] = (
                BucketCounts(
                    visits: bucket.visits, needs: bucket.visitsByNeed, printed: bucket.slipsPrinted,
                    notPrinted: bucket.slipsNotPrinted), bucket.revision
            )
        }
        return result
    }

    /// Checks that the ledger equals the rebuild bucket by bucket (a ledger row at zero where the rebuild has
    /// nothing), and that each day bucket sums its hours.
    static func expectAgrees(
        _ database: KioskDatabase, _ context: String, exceptDays: Set<Int> = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let rebuilt = try rebuild(database.path)
        let ledger = try hours(database)
        for key in Set(rebuilt.keys).union(ledger.keys).sorted() where !exceptDays.contains(key.day) {
            let expected = rebuilt[key]?.trimmed ?? BucketCounts()
            let actual = ledger[key]?.counts.trimmed ?? BucketCounts()
            #expect(actual == expected, "\(context): bucket \(key)", sourceLocation: sourceLocation)
            #expect(
                ledger[key].map { $0.counts.visits >= 0 && $0.counts.needs.values.allSatisfy { $0 >= 0 } } ?? true,
                "\(context): bucket \(key) went negative", sourceLocation: sourceLocation)
        }
        let days = try database.ledgerBuckets(from: nil, to: nil, resolution: .day)
        #expect(Set(days.map(\.day.daysSinceEpoch)) == Set(ledger.keys.map(\.day)), sourceLocation: sourceLocation)
        for day in days {
            let hours = ledger.filter { $0.key.day == day.day.daysSinceEpoch }
            #expect(day.hour == nil, sourceLocation: sourceLocation)
            #expect(
                day.revision == hours.values.reduce(0) { $0 + $1.revision },
                "\(context): a day's revision is the sum of its hours'", sourceLocation: sourceLocation)
            #expect(day.visits == hours.values.reduce(0) { $0 + $1.counts.visits }, sourceLocation: sourceLocation)
            #expect(
                day.slipsPrinted == hours.values.reduce(0) { $0 + $1.counts.printed }, sourceLocation: sourceLocation)
            #expect(
                day.slipsNotPrinted == hours.values.reduce(0) { $0 + $1.counts.notPrinted },
                sourceLocation: sourceLocation)
            var needs: [NeedCode: Int] = [:]
            for hour in hours.values { needs.merge(hour.counts.needs, uniquingKeysWith: +) }
            #expect(day.visitsByNeed == needs, sourceLocation: sourceLocation)
        }
    }
}

/// A kiosk's life in random steps, written through the store's public API the way the daemon writes it: visits
/// of presses (some breaking the rules), slips printed or not, stuck buttons, clock jumps with the clock
/// synchronised or not, clock corrections when it syncs, reboots (rows of boots that never synced marked
/// approximate).
struct LedgerScenario {
    let database: KioskDatabase
    let zone = HubTimeZone.london
    var random: SplitMix64
    /// The true time, and the kiosk's error on it (zero once synchronised, unless a jump moved a synced clock).
    var trueWall = Date(timeIntervalSince1970: 1_795_435_200)  // 2026-11-23 12:00 UTC
    var error: TimeInterval = 0
    var synchronized = true
    var mono: Int64 = 5_000_000_000
    var boot = UUID().uuidString.lowercased()
    var presses: [UUID] = []
    var pendingSlips: [UUID] = []
    let needs: [NeedCode] = ["food", "money", "housing", "talk"]

    init(database: KioskDatabase, seed: UInt64) {
        self.database = database
        self.random = SplitMix64(seed: seed)
    }

    var wall: WallClockReading {
        WallClockReading(date: trueWall.addingTimeInterval(error), synchronized: synchronized)
    }

    mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
    mutating func below(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }

    mutating func advance(seconds: Double) {
        trueWall = trueWall.addingTimeInterval(seconds)
        mono += Int64(seconds * 1e9)
    }

    mutating func commit(_ records: [KioskRecord]) throws {
        try database.commitSync(records, timeZone: zone)
    }

    /// One visit: one to five presses a few seconds apart, a slip for some counted needs.
    mutating func visit() throws {
        let id = UUID()
        let local = zone.local(of: wall.date)
        try commit([
            .visitStarted(
                VisitEntry(
                    id: id, startedAt: wall, startedMonotonic: MonotonicInstant(nanoseconds: mono), bootID: boot,
                    localDay: local.date, localHour: local.time.hour))
        ])
        var counted = false
        var countedNeeds: Set<NeedCode> = []
        for _ in 0..<(1 + below(5)) {
            advance(seconds: Double(1 + below(20)))
            let need: NeedCode? = chance(20) ? nil : needs[below(needs.count)]
            var flags: PressFlags = []
            if chance(15) { flags.insert(chance(50) ? .repeated : .burst) }
            let breaks = flags.breaksRules
            if let need, countedNeeds.contains(need) { flags.insert(.duplicate) }
            let countsVisit = !breaks && !counted
            let countsNeed = !breaks && need != nil && !countedNeeds.contains(need!)
            let press = UUID()
            var records: [KioskRecord] = [
                .press(
                    PressEntry(
                        id: press, button: ButtonID(need?.rawValue ?? "checkin"), need: need, at: wall,
                        monotonic: MonotonicInstant(nanoseconds: mono), bootID: boot, flags: flags, visitID: id,
                        countsVisit: countsVisit, countsNeed: countsNeed))
            ]
            if countsVisit { counted = true }
            if countsNeed, let need {
                countedNeeds.insert(need)
                if chance(50) {
                    let slip = UUID()
                    records.append(
                        .slipRequested(
                            SlipJob(
                                id: slip, needs: [need], origin: .kiosk, pressID: press,
                                requestedAt: MonotonicInstant(nanoseconds: mono), requestedWall: wall, bootID: boot)))
                    pendingSlips.append(slip)
                }
            }
            presses.append(press)
            try commit(records)
            if chance(60) { try finishSlip() }
        }
        advance(seconds: 60)
        try commit([.visitEnded(id: id, lastPressAt: wall)])
    }

    mutating func finishSlip() throws {
        guard !pendingSlips.isEmpty else { return }
        let slip = pendingSlips.remove(at: below(pendingSlips.count))
        let result: SlipResult = chance(75) ? .printed : .notPrinted(reason: "paper out")
        try commit([.slipFinished(id: slip, result: result, at: wall)])
    }

    /// One random step of the kiosk's life.
    mutating func step() async throws {
        switch below(100) {
        case 0..<60:
            try visit()
        case 60..<75:
            // Quiet: minutes to hours, across hour and day boundaries.
            advance(seconds: Double(60 + below(6 * 3600)))
        case 75..<79:
            // A stuck button: the press is flagged and its visit recounted.
            if !presses.isEmpty { try commit([.pressStuck(id: presses[below(presses.count)])]) }
        case 79..<84:
            try finishSlip()
        case 84..<88:
            // The clock jumps (a wrong time set by hand, or a Pi's clock before it syncs): hours to two days
            // either way, while the monotonic clock runs on.
            error += Double(below(2 * 86_400) - 86_400)
        case 88..<93:
            // The clock synchronises: rows of this boot written before are corrected (moved to their true day
            // and hour).
            if !synchronized {
                error = 0
                synchronized = true
                _ = try await database.correctTimes(
                    bootID: boot, now: MonotonicInstant(nanoseconds: mono), wall: trueWall, timeZone: zone)
            }
        case 93..<96:
            // A staff slip.
            let slip = UUID()
            try commit([
                .slipRequested(
                    SlipJob(
                        id: slip, needs: [needs[below(needs.count)]], origin: .staff, pressID: nil,
                        requestedAt: MonotonicInstant(nanoseconds: mono), requestedWall: wall, bootID: boot))
            ])
            pendingSlips.append(slip)
        default:
            // A reboot without a battery clock: the wall clock starts wrong and unsynchronised; rows of earlier
            // boots that never synced are kept and marked approximate.
            advance(seconds: Double(30 + below(600)))
            boot = UUID().uuidString.lowercased()
            mono = Int64(2 + below(20)) * 1_000_000_000
            synchronized = false
            error = -Double(below(30 * 86_400))
            try await database.markApproximate(exceptBoot: boot)
        }
    }
}
