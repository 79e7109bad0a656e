import Foundation
import HubReportAPI
import KioskCore
import Testing

/// Every payload a kiosk can produce carries nothing finer than a bucket, and round-trips.
@Suite struct PayloadPrivacyTests {
    /// What a value of a key may be: the whole schema of a batch, as a whitelist.
    enum Shape {
        case hubID, granularity, date, hour, count, revision, needCounts, version, printer, alerts, object, array
    }

    static let batchKeys: [String: Shape] = [
        "hub_id": .hubID, "granularity": .granularity, "buckets": .array, "health": .object,
    ]
    static let bucketKeys: [String: Shape] = [
        "date": .date, "hour": .hour, "revision": .revision, "visits": .count, "visits_by_need": .needCounts,
        "slips_printed": .count, "slips_not_printed": .count,
    ]
    static let healthKeys: [String: Shape] = [
        "version": .version, "printer": .printer, "open_alerts": .alerts, "backlog": .count,
    ]

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func everyPayloadIsNoFinerThanItsBucket(seed: UInt64) throws {
        var generator = KioskBatchGenerator(seed: seed)
        for _ in 0..<30 {
            let batch = generator.batch()
            let data = try HubReportJSON.encode(batch)
            let root = try #require(try JSONDecoder().decode(JSONValue.self, from: data).object)
            try check(root, against: Self.batchKeys, granularity: batch.granularity)

            let decoded = try HubReportJSON.decode(TallyBatch.self, from: data)
            #expect(decoded == batch, "seed \(seed): encode → decode changed the batch")
            #expect(batch.fieldErrors().isEmpty, "seed \(seed): the service would refuse a kiosk's batch")
            #expect(try HubReportJSON.encode(decoded) == data, "seed \(seed): encoding is not stable")
        }
    }

    /// Checks every key of `object` against the whitelist, and each value's type and range: no ids, no times finer
    /// than a bucket, no flags (a boolean anywhere fails).
    func check(_ object: [String: JSONValue], against keys: [String: Shape], granularity: TallyGranularity) throws {
        for (key, value) in object {
            let shape = try #require(keys[key], "the payload carries a key no schema names: \(key)")
            switch shape {
            case .hubID:
                #expect(WireSyntax.isHubID(try #require(value.string)))
            case .granularity:
                #expect(TallyGranularity(rawValue: try #require(value.string)) == granularity)
            case .date:
                let text = try #require(value.string)
                #expect(text.utf8.count == 10 && WireSyntax.localDate(text) != nil, "\(text) is finer than a date")
            case .hour:
                #expect(granularity == .hour, "a day bucket carries an hour")
                #expect((0...23).contains(try #require(value.integer)))
            case .count:
                #expect(try #require(value.integer) >= 0)
            case .revision:
                switch value {
                case .integer(let revision): #expect(revision >= 0)
                case .unsigned: break
                default: Issue.record("revision is \(value), not a whole number")
                }
            case .needCounts:
                for (code, count) in try #require(value.object) {
                    #expect(NeedCode.isValid(code), "\(code) is not a need code")
                    #expect(try #require(count.integer) >= 0)
                }
            case .version:
                #expect(WireSyntax.isShortText(try #require(value.string)))
            case .printer:
                #expect(PrinterHealth(rawValue: try #require(value.string)) != nil)
            case .alerts:
                guard case .array(let alerts) = value else {
                    Issue.record("open_alerts is \(value), not an array")
                    continue
                }
                let kinds = alerts.compactMap(\.string)
                #expect(kinds.count == alerts.count && kinds.allSatisfy { AlertKind(rawValue: $0) != nil })
                #expect(!kinds.contains("talk"), "health tells when someone asked to talk")
            case .object:
                try check(try #require(value.object), against: Self.healthKeys, granularity: granularity)
            case .array:
                guard case .array(let buckets) = value else {
                    Issue.record("buckets is \(value), not an array")
                    continue
                }
                for bucket in buckets {
                    let fields = try #require(bucket.object)
                    #expect((fields["hour"] != nil) == (granularity == .hour))
                    try check(fields, against: Self.bucketKeys, granularity: granularity)
                }
            }
        }
        #expect(Set(object.keys).isSuperset(of: keys.keys.filter { $0 != "hour" }), "a required key is missing")
    }

    @Test func enrolmentCarriesOnlyTheCodeTheKeyAndTheVersion() throws {
        let key = HubPrivateKey().publicKey
        let request = EnrolmentRequest(code: "K7QF-3MXA-9PLD", publicKey: key.base64, kioskVersion: "1.4.0")
        let data = try HubReportJSON.encode(request)
        let root = try #require(try JSONDecoder().decode(JSONValue.self, from: data).object)
        #expect(Set(root.keys) == ["code", "public_key", "kiosk_version"])
        #expect(try HubReportJSON.decode(EnrolmentRequest.self, from: data) == request)
        #expect(request.fieldErrors().isEmpty)
    }

    @Test func talkToSomeoneIsNeverAnAlertKind() {
        #expect(AlertKind(.talk) == nil)
        #expect(AlertKind(.printer("paper out")) == .printer)
        #expect(AlertKind(.stuckButton("food")) == .stuckButton)
        #expect(!AlertKind.allCases.map(\.rawValue).contains { $0.contains("talk") })
    }
}
