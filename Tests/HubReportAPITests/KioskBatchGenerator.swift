import HubReportAPI
import KioskCore
import KioskTestSupport

/// Random batches of the kind a kiosk produces: valid hub ids, distinct buckets, needs counted at most once per
/// visit, health without "talk to someone".
struct KioskBatchGenerator {
    var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    static let needs: [NeedCode] = [
        "money", "food", "housing", "wellbeing", "social", "caring", "work", "talk", "food-bank", "carers_centre",
    ]

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    mutating func hubID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789-_")
        let first = alphabet[int(0...35)]
        return String([first] + (0..<int(0...20)).map { _ in alphabet[int(0...(alphabet.count - 1))] })
    }

    mutating func counts(maxVisits: Int) -> TallyCounts {
        let visits = int(0...maxVisits)
        var byNeed: [NeedCode: Int] = [:]
        for code in Self.needs where int(0...2) == 0 { byNeed[code] = int(0...visits) }
        let slips = byNeed.values.reduce(0, +)
        let printed = int(0...slips)
        return TallyCounts(
            visits: visits, visitsByNeed: byNeed, slipsPrinted: printed, slipsNotPrinted: int(0...(slips - printed)))
    }

    mutating func batch(maxBuckets: Int = 60) -> TallyBatch {
        let granularity: TallyGranularity = int(0...3) == 0 ? .day : .hour
        let firstDay = LocalDate(year: 2026, month: 1, day: 1)!.daysSinceEpoch + int(0...2000)
        var keys = Set<BucketKey>()
        for _ in 0..<int(0...maxBuckets) {
            let date = LocalDate(daysSinceEpoch: firstDay + int(0...5))
            keys.insert(BucketKey(date: date, hour: granularity == .hour ? int(0...23) : nil))
        }
        let buckets = keys.sorted().map { key in
            TallyBucket(
                key: key, revision: UInt64.random(in: 1...UInt64.max, using: &random),
                counts: counts(maxVisits: granularity == .hour ? 80 : 1500))
        }
        let alerts = AlertKind.allCases.filter { _ in int(0...3) == 0 }
        let health = KioskHealth(
            version: "0.\(int(0...40)).\(int(0...9))",
            printer: PrinterHealth.allCases[int(0...(PrinterHealth.allCases.count - 1))],
            openAlerts: alerts, backlog: buckets.count + int(0...5000))
        return TallyBatch(hubID: hubID(), granularity: granularity, buckets: buckets, health: health)
    }
}
