import Foundation
import HubReportAPI
import KioskApp
import KioskConfig
import KioskCore
import KioskRuntime
import KioskSimulator
import KioskStore
import KioskTestSupport
import Testing

@testable import KioskSync

/// What leaves the box: every payload the kiosk can produce, after random mornings with clock jumps, holds counts
/// per bucket and the kiosk's health, and nothing else: no ids, no times finer than the bucket, no flags.
@Suite("Sync: what leaves the box")
struct SyncPayloadTests {
    static let bucketKeys: Set<String> = [
        "date", "hour", "revision", "visits", "visits_by_need", "slips_printed", "slips_not_printed",
    ]

    @Test("Random days with clock jumps: each batch is only counts per bucket and health", arguments: 1...12)
    func payloads(seed: UInt64) async throws {
        var random = SplitMix64(seed: seed)
        let kiosk = try InProcessKiosk(start: "2026-12-03T08:30")
        let layout = kiosk.kiosk.setup.configuration.layout
        let names = layout.buttons.map(\.id.description)
        var offset = Duration.zero
        for _ in 0..<Int.random(in: 20...80, using: &random) {
            offset += .milliseconds(Int64.random(in: 200...400_000, using: &random))
            try await kiosk.driver.wait(until: offset)
            if Int.random(in: 0..<25, using: &random) == 0 {
                // The wall clock jumps (an NTP step, a wrong RTC), back or forward, synchronised or not.
                let jump = TimeInterval(Int.random(in: -7200...7200, using: &random))
                kiosk.clock.setWall(
                    kiosk.clock.wall.date.addingTimeInterval(jump), synchronized: Bool.random(using: &random))
            }
            let name = names[Int.random(in: 0..<names.count, using: &random)]
            _ = try await kiosk.driver.press(name, hold: .milliseconds(Int64.random(in: 30...900, using: &random)))
        }
        try await kiosk.driver.wait(until: offset + .seconds(3600))
        let (printer, alerts) = await kiosk.kiosk.service.healthSnapshot()
        let health = KioskHealth(
            version: "0.1.0", printer: SyncService.printerHealth(printer),
            openAlerts: alerts.compactMap(AlertKind.init),
            backlog: 3)
        let needCodes = Set(layout.needs.map(\.code.rawValue))
        var buckets = 0
        for (resolution, granularity) in [(LedgerResolution.hour, TallyGranularity.hour), (.day, .day)] {
            let ledger = try kiosk.kiosk.database.unacknowledgedBuckets(resolution, limit: 10_000)
            #expect(!ledger.isEmpty)
            let batch = SyncEngine.batch(
                hubID: "brae-street", granularity: granularity, buckets: ledger, health: health)
            let data = try HubReportJSON.encode(batch)
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(Set(json.keys) == ["hub_id", "granularity", "buckets", "health"])
            let healthJSON = try #require(json["health"] as? [String: Any])
            #expect(Set(healthJSON.keys) == ["version", "printer", "open_alerts", "backlog"])
            let kinds = try #require(healthJSON["open_alerts"] as? [String])
            #expect(!kinds.contains("talk"), "asking to talk to someone is never sent")
            for bucket in try #require(json["buckets"] as? [[String: Any]]) {
                buckets += 1
                #expect(Set(bucket.keys).isSubset(of: Self.bucketKeys), "\(bucket.keys)")
                let date = try #require(bucket["date"] as? String)
                #expect(date.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil, "only a date: \(date)")
                if resolution == .hour {
                    let hour = try #require(bucket["hour"] as? Int)
                    #expect((0...23).contains(hour))
                } else {
                    #expect(bucket["hour"] == nil, "a day bucket has no hour")
                }
                let visits = try #require(bucket["visits"] as? Int)
                let needs = try #require(bucket["visits_by_need"] as? [String: Int])
                #expect(Set(needs.keys).isSubset(of: needCodes))
                #expect(needs.values.allSatisfy { $0 >= 0 && $0 <= visits }, "a need counts once per visit")
                for key in ["revision", "slips_printed", "slips_not_printed"] {
                    #expect((bucket[key] as? Int).map { $0 >= 0 } == true, "\(key)")
                }
            }
            // No id and no clock time anywhere in the bytes.
            let text = String(decoding: data, as: UTF8.self)
            #expect(text.firstMatch(of: /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-/) == nil, "no UUID")
            #expect(text.firstMatch(of: /\d{2}:\d{2}/) == nil, "no time of day")
            #expect(text.firstMatch(of: /T\d{2}/) == nil, "no ISO 8601 time")
        }
        #expect(buckets > 0)
        try await kiosk.stop()
    }
}
