import Foundation
import HubReportAPI
import KioskCore
import KioskTestSupport
import Testing

/// A malformed or hostile body is a problem naming the field, never a crash.
@Suite struct WireValidationTests {
    static func validBatchJSON(seed: UInt64 = 11, maxBuckets: Int = 4) throws -> (TallyBatch, Data) {
        var generator = KioskBatchGenerator(seed: seed)
        var batch = generator.batch(maxBuckets: maxBuckets)
        while batch.buckets.isEmpty || batch.granularity != .hour { batch = generator.batch(maxBuckets: maxBuckets) }
        return (batch, try HubReportJSON.encode(batch))
    }

    /// Replaces `"key":value` for the first bucket's `key` in the encoded body.
    static func replacing(_ key: String, with raw: String, in data: Data) throws -> Data {
        var text = String(decoding: data, as: UTF8.self)
        let pattern = try #require(try? Regex("\"\(key)\":(\"[^\"]*\"|[-0-9]+|\\{[^}]*\\})"))
        let match = try #require(text.firstMatch(of: pattern))
        text.replaceSubrange(match.range, with: "\"\(key)\":\(raw)")
        return Data(text.utf8)
    }

    @Test func everyTruncationOfABodyIsAMalformedRequestProblem() throws {
        let (_, data) = try Self.validBatchJSON(maxBuckets: 1)
        for length in 0..<data.count {
            let problem = try #require(throws: ProblemDetails.self, "a prefix of \(length) bytes decoded") {
                try HubReportJSON.decode(TallyBatch.self, from: data.prefix(length))
            }
            #expect(problem.status == 400 && problem.kind == .malformedRequest)
        }
    }

    @Test(arguments: [
        ("hour", "\"9\"", "#/buckets/0/hour"),
        ("hour", "1e400", "#/buckets/0/hour"),
        ("date", "\"2026-12-01T10:15:00Z\"", "#/buckets/0/date"),
        ("date", "\"2026-02-30\"", "#/buckets/0/date"),
        ("date", "20261201", "#/buckets/0/date"),
        ("revision", "-1", "#/buckets/0/revision"),
        ("revision", "18446744073709551616", "#/buckets/0/revision"),
        ("visits", "99999999999999999999999", "#/buckets/0/visits"),
        ("visits", "1.5", "#/buckets/0/visits"),
        ("visits_by_need", "{\"food\":true}", "#/buckets/0/visits_by_need/food"),
        ("visits_by_need", "{\"food\":-1.25}", "#/buckets/0/visits_by_need/food"),
        ("visits_by_need", "[3]", "#/buckets/0/visits_by_need"),
        ("backlog", "1e30", "#/health/backlog"),
        ("slips_printed", "null", "#/buckets/0/slips_printed"),
        ("granularity", "\"minute\"", "#/granularity"),
        ("backlog", "\"many\"", "#/health/backlog"),
        ("printer", "\"on fire\"", "#/health/printer"),
    ])
    func aWrongTypeOrShapeNamesTheField(key: String, raw: String, pointer: String) throws {
        let (_, data) = try Self.validBatchJSON()
        let body = try Self.replacing(key, with: raw, in: data)
        let problem = try #require(throws: ProblemDetails.self) {
            try HubReportJSON.decode(TallyBatch.self, from: body)
        }
        #expect(problem.status == 400)
        #expect(problem.errors?.map(\.pointer) == [pointer], "\(problem)")
    }

    @Test func aMissingFieldIsNamed() throws {
        let body = Data(#"{"hub_id":"hub-1","granularity":"hour","buckets":[{"date":"2026-12-01","hour":3}]}"#.utf8)
        let problem = try #require(throws: ProblemDetails.self) {
            try HubReportJSON.decode(TallyBatch.self, from: body)
        }
        #expect(problem.errors?.first?.pointer == "#/buckets/0/revision")
        #expect(problem.detail.contains("missing"))
    }

    /// One hostile value at a time, in any bucket of any batch: that bucket is rejected naming exactly that field
    /// (the rest of the batch stays mergeable); a bucket sent twice is a 422 for the whole batch.
    @Test(arguments: Array(UInt64(1)...12))
    func anOutOfBoundsValueIsAnInvalidFieldProblemNamingIt(seed: UInt64) throws {
        var generator = KioskBatchGenerator(seed: seed)
        var random = SplitMix64(seed: seed &* 31)
        for round in 0..<40 {
            var batch = generator.batch(maxBuckets: 20)
            guard !batch.buckets.isEmpty else { continue }
            let index = Int.random(in: 0...(batch.buckets.count - 1), using: &random)
            let hostile = [Int.min, -1, 100_001, Int.max][Int.random(in: 0...3, using: &random)]
            let prefix = "#/buckets/\(index)"
            let expected: String
            switch round % 8 {
            case 0:
                batch.buckets[index].counts.visits = hostile
                expected = "\(prefix)/visits"
                batch.buckets[index].counts.visitsByNeed = [:]
            case 1:
                batch.buckets[index].counts.slipsPrinted = hostile
                expected = "\(prefix)/slips_printed"
            case 2:
                batch.buckets[index].counts.slipsNotPrinted = hostile
                expected = "\(prefix)/slips_not_printed"
            case 3:
                batch.buckets[index].counts.visitsByNeed["food"] = hostile
                expected = "\(prefix)/visits_by_need/food"
            case 4:
                let bad = ["Food", "", "1food", "food bank", "f\u{301}ood", String(repeating: "a", count: 33), "x/y"]
                let code = bad[Int.random(in: 0...(bad.count - 1), using: &random)]
                batch.buckets[index].counts.visitsByNeed = [NeedCode(code): 0]
                expected = JSONPathComponent.pointer(
                    ["buckets", .index(index), "visits_by_need", .key(code)])
            case 5:
                if batch.granularity == .hour {
                    batch.buckets[index].key.hour = [Int.min, -1, 24, Int.max][Int.random(in: 0...3, using: &random)]
                } else {
                    batch.buckets[index].key.hour = 3
                }
                expected = "\(prefix)/hour"
            case 6:
                // A need counted more often than the bucket's visits.
                batch.buckets[index].counts.visitsByNeed["money"] = batch.buckets[index].counts.visits + 1
                expected = "\(prefix)/visits_by_need/money"
            default:
                batch.buckets.append(batch.buckets[index])
                expected = "#/buckets/\(batch.buckets.count - 1)"
            }
            if round % 8 == 7 {
                let problem = try #require(throws: ProblemDetails.self) { try batch.validated(signedBy: batch.hubID) }
                #expect(problem.status == 422 && problem.kind == .invalidField)
                #expect(problem.errors?.map(\.pointer) == [expected], "seed \(seed) round \(round): \(problem)")
                #expect(batch.bucketRejections().isEmpty)
            } else {
                #expect(throws: Never.self) { try batch.validated(signedBy: batch.hubID) }
                let rejections = batch.bucketRejections()
                #expect(Array(rejections.keys) == [index], "seed \(seed) round \(round)")
                #expect(rejections[index]?.hasPrefix(expected + " ") == true, "\(rejections)")
            }

            // Through the wire as well: encode, decode, validate.
            let decoded = try HubReportJSON.decode(TallyBatch.self, from: try HubReportJSON.encode(batch))
            #expect(decoded.fieldErrors().map(\.pointer) == [expected])
        }
    }

    /// Dates from 2000-01-01 to two days after the service's today; outside, the bucket is rejected naming `date`.
    @Test(arguments: [
        ("0000-02-29", false), ("1999-12-31", false), ("2000-01-01", true), ("2026-12-03", true),
        ("2026-12-04", false), ("9999-12-31", false),
    ])
    func bucketDatesAreBounded(date: String, accepted: Bool) throws {
        let today = LocalDate(year: 2026, month: 12, day: 1)!
        let bucket = TallyBucket(
            key: BucketKey(date: try #require(LocalDate(iso: date)), hour: 9), revision: 1, counts: TallyCounts())
        let batch = TallyBatch(
            hubID: "leith", granularity: .hour, buckets: [bucket],
            health: KioskHealth(version: "1", printer: .ready, openAlerts: [], backlog: 0))
        let rejections = batch.bucketRejections(today: today)
        if accepted {
            #expect(rejections.isEmpty, "\(rejections)")
        } else {
            #expect(rejections[0]?.hasPrefix("#/buckets/0/date is \(date);") == true, "\(rejections)")
        }
        #expect(throws: Never.self) { try batch.validated(signedBy: "leith") }
    }

    @Test func tooManyBucketsIsOneProblemWithoutWalkingThem() throws {
        let limits = WireLimits(maxBuckets: 10)
        var generator = KioskBatchGenerator(seed: 3)
        var batch = generator.batch(maxBuckets: 0)
        batch.granularity = .day
        batch.buckets = (0..<11).map {
            TallyBucket(
                key: BucketKey(date: LocalDate(daysSinceEpoch: 20_000 + $0), hour: nil), revision: 1,
                counts: TallyCounts(visits: -1))
        }
        #expect(batch.fieldErrors(limits: limits).map(\.pointer) == ["#/buckets"])
        batch.buckets.removeLast()
        #expect(batch.fieldErrors(limits: limits).count == 10)
    }

    @Test func aBatchForAnotherHubIsForbidden() throws {
        let (batch, _) = try Self.validBatchJSON()
        let problem = try #require(throws: ProblemDetails.self) { try batch.validated(signedBy: "someone-else") }
        #expect(problem.status == 403 && problem.kind == .hubMismatch)
        #expect(throws: Never.self) { try batch.validated(signedBy: batch.hubID) }
    }

    @Test func hubIDsAndHealthAreBounded() throws {
        var (batch, _) = try Self.validBatchJSON()
        batch.hubID = "Hub One"
        batch.health.version = String(repeating: "9", count: 65)
        batch.health.backlog = -3
        batch.health.openAlerts = [.printer, .printer]
        #expect(
            batch.fieldErrors().map(\.pointer) == [
                "#/hub_id", "#/health/version", "#/health/open_alerts", "#/health/backlog",
            ])
    }

    @Test func enrolmentRequestsAreChecked() throws {
        let good = EnrolmentRequest(code: "K7QF-3MXA", publicKey: HubPrivateKey().publicKey.base64, kioskVersion: "1.0")
        #expect(throws: Never.self) { try good.validated() }
        var bad = good
        bad.code = "short"
        bad.publicKey = Data(repeating: 1, count: 31).base64EncodedString()
        bad.kioskVersion = "line\nbreak"
        let problem = try #require(throws: ProblemDetails.self) { try bad.validated() }
        #expect(problem.errors?.map(\.pointer) == ["#/code", "#/public_key", "#/kiosk_version"])
        #expect(problem.status == 422)
        bad = good
        bad.publicKey = "not base64!"
        #expect(bad.fieldErrors().map(\.pointer) == ["#/public_key"])
    }

    @Test func problemsRoundTripAsProblemJSON() throws {
        let problem = ProblemDetails(
            .invalidField, detail: "2 values are out of bounds.",
            errors: [FieldError(pointer: "#/buckets/0/hour", detail: "is 24; an hour is 0–23")])
        let data = try HubReportJSON.encode(problem)
        let object = try #require(try JSONDecoder().decode(JSONValue.self, from: data).object)
        #expect(Set(object.keys) == ["type", "title", "status", "detail", "what_to_do", "errors"])
        #expect(object["type"]?.string == "urn:hubreport:problem:invalid-field")
        #expect(try HubReportJSON.decode(ProblemDetails.self, from: data) == problem)
        for kind in ProblemKind.allCases {
            #expect(ProblemKind(typeURI: kind.typeURI) == kind)
            #expect((400...599).contains(kind.status) && !kind.whatToDo.isEmpty)
        }
    }

    @Test func responsesRoundTrip() throws {
        let key = BucketKey(date: LocalDate(year: 2026, month: 12, day: 1)!, hour: nil)
        let response = TallyBatchResponse(
            hubID: "hub-1",
            results: [
                BucketResult(key: key, revision: 3, status: .stale, heldRevision: 5),
                BucketResult(key: BucketKey(date: key.date, hour: 0), revision: 1, status: .accepted, heldRevision: 1),
            ])
        let data = try HubReportJSON.encode(response)
        #expect(try HubReportJSON.decode(TallyBatchResponse.self, from: data) == response)
        #expect(!String(decoding: data, as: UTF8.self).contains("\"hour\":null"))
        let enrolled = EnrolmentResponse(hubID: "hub-1", hubName: "Leith Hub", partnership: "Edinburgh HSCP")
        #expect(try HubReportJSON.decode(EnrolmentResponse.self, from: HubReportJSON.encode(enrolled)) == enrolled)
    }
}

@Suite struct RequestBodyTests {
    @Test func onlyJSONBodiesWithinTheLimitAreDecoded() throws {
        let (batch, data) = try WireValidationTests.validBatchJSON()
        for contentType in ["application/json", "application/json; charset=utf-8", " Application/JSON "] {
            #expect(try HubReportJSON.decodeRequest(TallyBatch.self, from: data, contentType: contentType) == batch)
        }
        for contentType in [nil, "text/plain", "application/jsonx", "application/problem+json", ""] {
            let problem = try #require(throws: ProblemDetails.self) {
                try HubReportJSON.decodeRequest(TallyBatch.self, from: data, contentType: contentType)
            }
            #expect(problem.status == 415, "\(contentType ?? "nil")")
        }
        let limits = WireLimits(maxBodyBytes: data.count - 1)
        let problem = try #require(throws: ProblemDetails.self) {
            try HubReportJSON.decodeRequest(
                TallyBatch.self, from: data, contentType: "application/json", limits: limits)
        }
        #expect(problem.status == 413 && problem.kind == .payloadTooLarge)
        #expect(
            try HubReportJSON.decodeRequest(
                TallyBatch.self, from: data, contentType: "application/json",
                limits: WireLimits(maxBodyBytes: data.count))
                == batch)
    }
}
