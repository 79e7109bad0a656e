import Foundation
import HubReport
import HubReportAPI
import Testing

/// `POST /v1/enrol` over real HTTP on 127.0.0.1.
@Suite struct EnrolmentHTTPTests {
    @Test func aFreshCodeEnrolsOnceThenIsUsed() async throws {
        try await ServiceFixture.run { service in
            let code = try await service.addHub("leith")
            let key = HubPrivateKey()
            let response = try await service.enrol(code: code, key: key)
            #expect(response.status == 200)
            let answer = try HubReportJSON.decode(EnrolmentResponse.self, from: response.body)
            #expect(
                answer == EnrolmentResponse(hubID: "leith", hubName: "Hub leith", partnership: "Example partnership"))
            #expect(try await service.store.publicKey(forHub: "leith") == .active(key.publicKey))

            // The same code again, even with another key: 409, and the first key stays.
            let again = try await service.enrol(code: code, key: HubPrivateKey())
            try expectProblem(again, .enrolmentCodeUsed)
            #expect(try await service.store.publicKey(forHub: "leith") == .active(key.publicKey))
        }
    }

    @Test func anExpiredCodeIsRefusedAndEnrolsNothing() async throws {
        try await ServiceFixture.run { service in
            let code = try await service.addHub("leith", age: EnrolmentCode.lifetime + 1)
            let response = try await service.enrol(code: code, key: HubPrivateKey())
            try expectProblem(response, .enrolmentCodeInvalid)
            #expect(
                try response.json()["detail"] as? String ?? ""
                    == "The enrolment code of hub \"leith\" expired (codes are valid for 24 hours).")
            #expect(try await service.store.publicKey(forHub: "leith") == .unknown)
            #expect(try await service.store.hubs().map(\.state) == [.pending])
        }
    }

    @Test func aCodeJustInsideItsDayStillWorks() async throws {
        try await ServiceFixture.run { service in
            let code = try await service.addHub("leith", age: EnrolmentCode.lifetime - 1)
            #expect(try await service.enrol(code: code, key: HubPrivateKey()).status == 200)
        }
    }

    @Test(arguments: ["ABCD-EFGH-JKMN-PQRS-TVWX", "000000"])
    func anUnknownCodeIsRefused(code: String) async throws {
        try await ServiceFixture.run { service in
            _ = try await service.addHub("leith")
            try expectProblem(try await service.enrol(code: code, key: HubPrivateKey()), .enrolmentCodeInvalid)
            #expect(try await service.store.publicKey(forHub: "leith") == .unknown)
        }
    }

    /// Bodies that are not an enrolment: each a 400 or 422 naming the field, and nothing enrolled.
    @Test(arguments: [
        (#"{"code": "#, ProblemKind.malformedRequest),
        (#"[]"#, .malformedRequest),
        (#"{"code": "ABCDEF", "public_key": "AAAA"}"#, .malformedRequest),
        (#"{"code": 7, "public_key": "AAAA", "kiosk_version": "1"}"#, .malformedRequest),
        (#"{"code": "AB", "public_key": "AAAA", "kiosk_version": "1"}"#, .invalidField),
        (#"{"code": "ABCDEFGH", "public_key": "bm90IGEga2V5", "kiosk_version": "1"}"#, .invalidField),
    ])
    func malformedEnrolmentsAreRefused(body: String, kind: ProblemKind) async throws {
        try await ServiceFixture.run { service in
            _ = try await service.addHub("leith")
            let response = try await service.client.send(
                "POST", "/v1/enrol", headers: [("Content-Type", "application/json")], body: Data(body.utf8))
            try expectProblem(response, kind)
            #expect(try await service.store.hubs().map(\.state) == [.pending])
        }
    }

    @Test func notJSONIs415() async throws {
        try await ServiceFixture.run { service in
            let response = try await service.client.send(
                "POST", "/v1/enrol", headers: [("Content-Type", "text/plain")], body: Data("code".utf8))
            try expectProblem(response, .unsupportedMediaType)
        }
    }

    @Test func healthzAnswersAndUnknownPathsAreProblems() async throws {
        try await ServiceFixture.run { service in
            let health = try await service.client.send("GET", "/healthz")
            #expect(health.status == 200)
            #expect(try health.json()["status"] as? String == "ok")
            let missing = try await service.client.send("GET", "/v1/nothing")
            #expect(missing.status == 404)
            #expect(missing.headers["content-type"] == "application/problem+json")
            let wrongMethod = try await service.client.send("GET", "/v1/tallies")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.headers["allow"] == "POST")
            #expect(try wrongMethod.json()["what_to_do"] is String)
        }
    }
}

/// Checks that `response` is the problem+json of `kind`, with a detail and advice.
func expectProblem(
    _ response: RawResponse, _ kind: ProblemKind, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    #expect(
        response.status == kind.status, "\(String(decoding: response.body, as: UTF8.self))",
        sourceLocation: sourceLocation)
    #expect(response.headers["content-type"] == ProblemDetails.mediaType, sourceLocation: sourceLocation)
    let problem = try HubReportJSON.decode(ProblemDetails.self, from: response.body)
    #expect(problem.kind == kind, "\(problem)", sourceLocation: sourceLocation)
    #expect(problem.status == response.status, sourceLocation: sourceLocation)
    #expect(!problem.detail.isEmpty && !problem.whatToDo.isEmpty, sourceLocation: sourceLocation)
}
