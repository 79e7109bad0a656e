import Foundation
import HubReport
import HubReportAPI
import KioskCore
import KioskTestSupport
import Testing

/// `POST /v1/tallies` over real HTTP on 127.0.0.1, signed with a real ed25519 key pair as a kiosk signs.
@Suite struct TalliesHTTPTests {
    static let batch = Batches.batch(
        "leith",
        [
            Batches.bucket(hour: 9, revision: 2, visits: 14, needs: ["food": 6, "money": 3]),
            Batches.bucket(hour: 10, revision: 1, visits: 3, needs: ["talk": 1]),
        ])

    @Test func aSignedBatchIsMergedAndAnsweredPerBucket() async throws {
        try await ServiceFixture.run { service in
            let key = try await service.enrolledHub("leith")
            let response = try await service.send(Self.batch, key: key)
            #expect(response.status == 200)
            let answer = try HubReportJSON.decode(TallyBatchResponse.self, from: response.body)
            #expect(answer.hubID == "leith")
            #expect(answer.results.map(\.status) == [.accepted, .accepted])
            #expect(answer.results.map(\.heldRevision) == [2, 1])
            let stored = try await service.stored()
            #expect(stored.map(\.counts) == Self.batch.buckets.map(\.counts))
            #expect(try await service.store.hubs().first?.lastSyncAt == service.clock.unix)
        }
    }

    /// The same batch twice, out of order, and re-sent after a lost response: the same totals.
    @Test func resendingInAnyOrderGivesTheSameTotals() async throws {
        try await ServiceFixture.run { service in
            let key = try await service.enrolledHub("leith")
            let older = Batches.batch("leith", [Batches.bucket(hour: 9, revision: 1, visits: 5, needs: ["food": 2])])
            let newer = Self.batch
            #expect(try await service.send(newer, key: key).status == 200)
            let expected = try await service.stored()
            // The response to the next one is "lost": the kiosk re-sends it, signed anew.
            #expect(try await service.send(newer, key: key).status == 200)
            let late = try await service.send(older, key: key)
            #expect(late.status == 200)
            let answer = try HubReportJSON.decode(TallyBatchResponse.self, from: late.body)
            #expect(answer.results.map(\.status) == [.stale])
            #expect(answer.results.map(\.heldRevision) == [2])
            #expect(try await service.send(newer, key: key).status == 200)
            #expect(try await service.stored() == expected)
        }
    }

    /// Each covered component changed after signing (and the signature's parameters): 401, nothing stored.
    @Test(arguments: Tamper.allCases)
    func tamperingIsRefused(tamper: Tamper) async throws {
        try await ServiceFixture.run { service in
            let key = try await service.enrolledHub("leith")
            let body = try HubReportJSON.encode(Self.batch)
            var headers = try service.signedHeaders(body, hub: "leith", key: key)
            var sentBody = body
            switch tamper {
            case .method:
                headers = try service.signedHeaders(body, hub: "leith", key: key, method: "PUT")
            case .path:
                headers = try service.signedHeaders(body, hub: "leith", key: key, target: "/v1/enrol")
            case .body:
                // One byte: 14 visits become 15.
                sentBody = Data(
                    String(decoding: body, as: UTF8.self).replacingOccurrences(
                        of: #""visits":14"#, with: #""visits":15"#
                    )
                    .utf8)
                #expect(sentBody.count == body.count && sentBody != body)
            case .contentDigest:
                sentBody = Data(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "14", with: "15").utf8)
                headers = headers.map {
                    $0.0 == ContentDigest.fieldName ? ($0.0, ContentDigest.value(for: sentBody)) : $0
                }
            case .created:
                headers = headers.map {
                    $0.0 == "Signature-Input"
                        ? (
                            $0.0,
                            $0.1.replacingOccurrences(
                                of: "created=\(service.clock.unix)", with: "created=\(service.clock.unix - 1)")
                        )
                        : $0
                }
            case .nonce:
                headers = headers.map {
                    $0.0 == "Signature-Input"
                        ? ($0.0, $0.1.replacingOccurrences(of: "nonce=\"", with: "nonce=\"AAAA")) : $0
                }
            case .keyID:
                _ = try await service.enrolledHub("gorgie")
                headers = headers.map {
                    $0.0 == "Signature-Input"
                        ? ($0.0, $0.1.replacingOccurrences(of: "keyid=\"leith\"", with: "keyid=\"gorgie\"")) : $0
                }
            case .otherKey:
                headers = try service.signedHeaders(body, hub: "leith", key: HubPrivateKey())
            case .unsigned:
                headers = [("Content-Type", "application/json")]
            }
            let response = try await service.client.send("POST", "/v1/tallies", headers: headers, body: sentBody)
            try expectProblem(response, tamper.expected)
            #expect(try await service.stored().isEmpty)
            #expect(try await service.store.hubs().allSatisfy { $0.lastSyncAt == nil })
        }
    }

    enum Tamper: String, CaseIterable, Sendable {
        case method, path, body, contentDigest, created, nonce, keyID, otherKey, unsigned

        var expected: ProblemKind {
            switch self {
            case .body: return .digestMismatch
            case .unsigned: return .signatureMalformed
            default: return .signatureInvalid
            }
        }
    }

    @Test func aReplayedRequestIsRefusedAndCountsOnce() async throws {
        try await ServiceFixture.run { service in
            let key = try await service.enrolledHub("leith")
            let body = try HubReportJSON.encode(Self.batch)
            let headers = try service.signedHeaders(body, hub: "leith", key: key)
            #expect(try await service.client.send("POST", "/v1/tallies", headers: headers, body: body).status == 200)
            let stored = try await service.stored()
            service.clock.advance(by: 200)  // still inside the 300 s window
            let replay = try await service.client.send("POST", "/v1/tallies", headers: headers, body: body)
            try expectProblem(replay, .nonceReplayed)
            #expect(try await service.stored() == stored)
        }
    }

    /// `created` more than 300 s off either way: 401 with the service's Date header and time, nothing stored.
    @Test(arguments: [-301, 301, -86_400 * 365] as [TimeInterval])
    func clockSkewIsRefusedWithTheServiceTime(offset: TimeInterval) async throws {
        try await ServiceFixture.run { service in
            let key = try await service.enrolledHub("leith")
            let body = try HubReportJSON.encode(Self.batch)
            let headers = try service.signedHeaders(
                body, hub: "leith", key: key, at: service.clock.now.addingTimeInterval(offset))
            let response = try await service.client.send("POST", "/v1/tallies", headers: headers, body: body)
            try expectProblem(response, .clockSkew)
            #expect(response.headers["date"] != nil)
            let problem = try HubReportJSON.decode(ProblemDetails.self, from: response.body)
            #expect(problem.serviceTime == "2026-12-01T12:00:00Z")
            #expect(try await service.stored().isEmpty)
        }
    }

    @Test func justInsideTheWindowIsAccepted() async throws {
        try await ServiceFixture.run { service in
            let key = try await service.enrolledHub("leith")
            let body = try HubReportJSON.encode(Self.batch)
            for offset in [-300, 300] as [TimeInterval] {
                let headers = try service.signedHeaders(
                    body, hub: "leith", key: key, at: service.clock.now.addingTimeInterval(offset))
                #expect(
                    try await service.client.send("POST", "/v1/tallies", headers: headers, body: body).status == 200)
            }
        }
    }

    @Test func aRevokedHubIsRefusedAndItsTalliesStay() async throws {
        try await ServiceFixture.run { service in
            let key = try await service.enrolledHub("leith")
            #expect(try await service.send(Self.batch, key: key).status == 200)
            let stored = try await service.stored()
            _ = try await service.store.revokeHub(id: "leith", now: service.clock.unix)
            var later = Self.batch
            later.buckets[0].revision = 3
            later.buckets[0].counts.visits = 20
            let response = try await service.send(later, key: key)
            try expectProblem(response, .hubRevoked)
            #expect(try await service.stored() == stored)
        }
    }

    @Test func aBatchForAnotherHubIsRefused() async throws {
        try await ServiceFixture.run { service in
            let key = try await service.enrolledHub("leith")
            _ = try await service.enrolledHub("gorgie")
            var batch = Self.batch
            batch.hubID = "gorgie"
            let body = try HubReportJSON.encode(batch)
            let response = try await service.client.send(
                "POST", "/v1/tallies", headers: try service.signedHeaders(body, hub: "leith", key: key), body: body)
            try expectProblem(response, .hubMismatch)
            #expect(try await service.stored().isEmpty)
        }
    }

    /// Over the body limit, with a Content-Length or chunked: 413 before anything is read further.
    @Test(arguments: [false, true])
    func anOversizedBodyIs413(chunked: Bool) async throws {
        try await ServiceFixture.run(settings: ReportServer.Settings(limits: WireLimits(maxBodyBytes: 2048))) {
            service in
            let key = try await service.enrolledHub("leith")
            let buckets = (0..<40).map { Batches.bucket(day: $0, revision: 1, visits: 3, needs: ["food": 1]) }
            let body = try HubReportJSON.encode(Batches.batch("leith", buckets))
            #expect(body.count > 2048)
            let response = try await service.client.send(
                "POST", "/v1/tallies", headers: try service.signedHeaders(body, hub: "leith", key: key), body: body,
                chunked: chunked)
            try expectProblem(response, .payloadTooLarge)
            #expect(try await service.stored().isEmpty)
        }
    }

    /// Signed bodies that are not a good batch: 400 for what is not JSON of the right shape, 422 for values out
    /// of bounds; nothing stored.
    @Test(arguments: [
        (#"{"hub_id": "leith", "#, ProblemKind.malformedRequest),
        (#"not json"#, .malformedRequest),
        (
            #"{"hub_id": "leith", "granularity": "hour", "buckets": [{"date": "2026-12-01", "hour": 9}], "health": {}}"#,
            .malformedRequest
        ),
        (
            #"{"hub_id": "leith", "granularity": "minute", "buckets": [], "health": {"version": "1", "printer": "ready", "open_alerts": [], "backlog": 0}}"#,
            .malformedRequest
        ),
        (
            #"{"hub_id": "leith", "granularity": "hour", "buckets": [{"date": "2026-12-01", "hour": 9, "revision": 1, "visits": 1e300, "visits_by_need": {}, "slips_printed": 0, "slips_not_printed": 0}], "health": {"version": "1", "printer": "ready", "open_alerts": [], "backlog": 0}}"#,
            .malformedRequest
        ),
        (
            #"{"hub_id": "Leith!", "granularity": "hour", "buckets": [], "health": {"version": "1", "printer": "ready", "open_alerts": [], "backlog": 0}}"#,
            .invalidField
        ),
        (
            #"{"hub_id": "leith", "granularity": "hour", "buckets": [], "health": {"version": "1", "printer": "ready", "open_alerts": [], "backlog": -1}}"#,
            .invalidField
        ),
    ])
    func badBatchesAreRefused(body: String, kind: ProblemKind) async throws {
        try await ServiceFixture.run { service in
            let key = try await service.enrolledHub("leith")
            let data = Data(body.utf8)
            let response = try await service.client.send(
                "POST", "/v1/tallies", headers: try service.signedHeaders(data, hub: "leith", key: key), body: data)
            try expectProblem(response, kind)
            #expect(try await service.stored().isEmpty)
        }
    }

    /// One bad bucket (out-of-bounds values, a year-9999 date) is rejected with its reason; the others are merged,
    /// so a kiosk re-sending the batch is never stuck.
    @Test func aBadBucketIsRejectedAndTheOthersMerged() async throws {
        try await ServiceFixture.run { service in
            let key = try await service.enrolledHub("leith")
            var batch = Self.batch
            var bad = Batches.bucket(hour: 11, revision: 1, visits: 2, needs: ["food": 3])
            bad.counts.slipsPrinted = -1
            var future = Batches.bucket(hour: 12, revision: 1, visits: 1)
            future.key.date = LocalDate(year: 9999, month: 12, day: 31)!
            batch.buckets.insert(bad, at: 1)
            batch.buckets.append(future)
            for _ in 0..<2 {
                let response = try await service.send(batch, key: key)
                #expect(response.status == 200)
                let answer = try HubReportJSON.decode(TallyBatchResponse.self, from: response.body)
                #expect(answer.results.map(\.status) == [.accepted, .rejected, .accepted, .rejected])
                #expect(answer.results.map(\.key) == batch.buckets.map(\.key))
                #expect(answer.results.map(\.heldRevision) == [2, 0, 1, 0])
                let reason = try #require(answer.results[1].reason)
                #expect(reason.contains("#/buckets/1/slips_printed is -1"), "\(reason)")
                #expect(reason.contains("#/buckets/1/visits_by_need/food is 3"), "\(reason)")
                #expect(answer.results[3].reason?.hasPrefix("#/buckets/3/date is 9999-12-31;") == true)
                #expect(answer.results[0].reason == nil)
                #expect(try await service.stored().map(\.counts) == Self.batch.buckets.map(\.counts))
            }
        }
    }

    @Test func unknownNeedCodesAreKept() async throws {
        try await ServiceFixture.run { service in
            let key = try await service.enrolledHub("leith")
            let batch = Batches.batch("leith", [Batches.bucket(revision: 1, visits: 9, needs: ["gardening": 4])])
            #expect(try await service.send(batch, key: key).status == 200)
            #expect(try await service.stored().first?.counts.visitsByNeed == ["gardening": 4])
            #expect(try await service.store.hubs().first?.needCodes == ["gardening"])
        }
    }
}
