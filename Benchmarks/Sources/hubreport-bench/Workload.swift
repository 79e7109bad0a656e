import Foundation
import HubReportAPI
import KioskCore

/// The simulated partnership: `hubs` hubs, each open 10 hours a day (09:00–19:00) on each of the `days` days up to
/// yesterday, one hour bucket per opening hour with 1–3 needs. Deterministic: the same seed gives the same rows to
/// the API and to the bare inserts.
struct Workload: Sendable {
    var hubs: Int
    var days: Int
    var seed: UInt64 = 7

    static let needs: [NeedCode] = ["money", "food", "housing", "wellbeing", "social", "caring", "work", "talk"]
    static let openingHours = 9..<19

    var bucketsPerHub: Int { days * Workload.openingHours.count }

    func hubID(_ index: Int) -> String { "hub-\(String(format: "%04d", index))" }

    /// The first day of the year of tallies: `days` days back from yesterday (UTC).
    var firstDay: LocalDate {
        let today = Int(Date().timeIntervalSince1970 / 86_400)
        return LocalDate(daysSinceEpoch: today - days)
    }

    /// Every bucket of hub `index`, in order, revisions 1, 2, …
    func buckets(hub index: Int) -> [TallyBucket] {
        var random = SplitMix(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
        var buckets: [TallyBucket] = []
        buckets.reserveCapacity(bucketsPerHub)
        let first = firstDay
        var revision: UInt64 = 0
        for day in 0..<days {
            let date = first.adding(days: day)
            for hour in Workload.openingHours {
                revision += 1
                let visits = Int(random.next() % 8) + 1
                var byNeed: [NeedCode: Int] = [:]
                let needCount = Int(random.next() % 3) + 1
                while byNeed.count < needCount {
                    byNeed[Workload.needs[Int(random.next() % UInt64(Workload.needs.count))]] =
                        Int(random.next() % UInt64(visits)) + 1
                }
                let slips = byNeed.values.reduce(0, +)
                let notPrinted = random.next() % 20 == 0 ? 1 : 0
                buckets.append(
                    TallyBucket(
                        key: BucketKey(date: date, hour: hour), revision: revision,
                        counts: TallyCounts(
                            visits: visits, visitsByNeed: byNeed, slipsPrinted: slips - notPrinted,
                            slipsNotPrinted: notPrinted)))
            }
        }
        return buckets
    }
}

/// SplitMix64, a small seeded generator.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
