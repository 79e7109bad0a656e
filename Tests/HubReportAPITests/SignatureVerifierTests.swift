import Foundation
import HubReportAPI
import Testing

/// A fake of the service's hub table.
struct FakeKeys: HubKeyLookup {
    var keys: [String: HubKeyLookupResult]

    func publicKey(forHub keyID: String) async throws -> HubKeyLookupResult { keys[keyID] ?? .unknown }
}

/// Sign, tamper, verify.
@Suite struct SignatureVerifierTests {
    static let now = Date(timeIntervalSince1970: 1_796_126_400)  // 2026-12-01T12:00:00Z
    static let body = Data(#"{"buckets":[],"granularity":"hour","hub_id":"leith"}"#.utf8)

    let hubKey = HubPrivateKey()
    let otherKey = HubPrivateKey()
    let nonces = InMemoryNonceStore()

    var verifier: SignatureVerifier {
        SignatureVerifier(
            keys: FakeKeys(keys: [
                "leith": .active(hubKey.publicKey), "gorgie": .active(otherKey.publicKey), "old-hub": .revoked,
            ]),
            nonces: nonces)
    }

    struct Request {
        var method = "POST"
        var target = "/v1/tallies"
        var headers: [HTTPField] = []
        var body = SignatureVerifierTests.body
    }

    func signed(
        keyID: String = "leith", key: HubPrivateKey? = nil, target: String = "/v1/tallies", at time: Date = now
    ) throws -> Request {
        let signer = RequestSigner(keyID: keyID, privateKey: key ?? hubKey)
        var request = Request(target: target)
        request.headers =
            [HTTPField(name: "Content-Type", value: "application/json")]
            + (try signer.sign(method: "POST", target: target, body: Self.body, now: time))
        return request
    }

    func verify(_ request: Request, at time: Date = now) async throws -> SignatureVerifier.Verified {
        try await verifier.verify(
            method: request.method, target: request.target, headers: request.headers, body: request.body, now: time)
    }

    func failure(_ request: Request, at time: Date = now) async throws -> SignatureFailure {
        do {
            let verified = try await verify(request, at: time)
            Issue.record("verified: \(verified)")
            return SignatureFailure(.badSignature, "verified")
        } catch let failure as SignatureFailure {
            return failure
        }
    }

    func replacing(_ name: String, in request: Request, with value: String?) -> Request {
        var request = request
        request.headers.removeAll { $0.name.lowercased() == name.lowercased() }
        if let value { request.headers.append(HTTPField(name: name, value: value)) }
        return request
    }

    func header(_ name: String, of request: Request) throws -> String {
        try #require(request.headers.combinedValue(of: name))
    }

    @Test func aSignedRequestVerifiesAndSaysWhoSignedIt() async throws {
        let request = try signed()
        let verified = try await verify(request)
        #expect(verified.keyID == "leith")
        #expect(verified.created == 1_796_126_400)
        let input = try header("Signature-Input", of: request)
        #expect(input.hasPrefix(#"sig1=("@method" "@path" "content-digest");created=1796126400;nonce=""#))
        #expect(input.hasSuffix(#";keyid="leith";alg="ed25519""#))
        #expect(try header("Content-Digest", of: request).hasPrefix("sha-256=:"))
        #expect(try ContentDigest.matches(try header("Content-Digest", of: request), body: Self.body))
        #expect(try header("Signature", of: request).hasPrefix("sig1=:"))
    }

    @Test func noncesAreFreshRandomAndLongEnough() throws {
        var seen = Set<String>()
        for _ in 0..<50 {
            let input = try header("Signature-Input", of: try signed())
            let nonce = try #require(input.split(separator: "nonce=\"").last?.split(separator: "\"").first)
            #expect(try #require(Data(base64Encoded: String(nonce))).count >= 16)
            seen.insert(String(nonce))
        }
        #expect(seen.count == 50)
    }

    @Test func theMethodIsCovered() async throws {
        for method in ["PUT", "GET", "post", "DELETE"] {
            var request = try signed()
            request.method = method
            #expect(try await failure(request).code == .badSignature, "\(method)")
        }
    }

    @Test func thePathIsCovered() async throws {
        for target in ["/v1/tallies/", "/v1/tallie", "/v1/enrol", "/V1/tallies", "/v2/tallies"] {
            var request = try signed()
            request.target = target
            #expect(try await failure(request).code == .badSignature, "\(target)")
        }
    }

    @Test func theQueryIsCoveredWhenThereIsOne() async throws {
        var request = try signed()
        request.target = "/v1/tallies?replace=1"
        #expect(try await failure(request).code == .componentsNotCovered)

        let withQuery = try signed(target: "/v1/tallies?dry-run=1")
        #expect(try header("Signature-Input", of: withQuery).hasPrefix(#"sig1=("@method" "@path" "@query""#))
        _ = try await verify(withQuery)
        for changed in ["/v1/tallies?dry-run=0", "/v1/tallies?", "/v1/tallies?dry-run=1&x"] {
            var tampered = try signed(target: "/v1/tallies?dry-run=1")
            tampered.target = changed
            #expect(try await failure(tampered).code == .badSignature, "\(changed)")
        }
    }

    @Test func aBodyChangedByAnyOneByteIsRefused() async throws {
        let request = try signed()
        for index in request.body.indices {
            for bit in [UInt8(0x01), 0x20, 0x80] {
                var tampered = request
                tampered.body[index] ^= bit
                #expect(try await failure(tampered).code == .digestMismatch, "byte \(index)")
            }
        }
        var longer = request
        longer.body.append(0x20)
        #expect(try await failure(longer).code == .digestMismatch)
    }

    @Test func theDigestIsCovered() async throws {
        var request = try signed()
        request.body[0] = UInt8(ascii: " ")
        let digest = ContentDigest.value(for: request.body)
        request = replacing("Content-Digest", in: request, with: digest)
        #expect(try await failure(request).code == .badSignature)
    }

    @Test func everyParameterIsCovered() async throws {
        let request = try signed()
        let input = try header("Signature-Input", of: request)
        let nonce = try #require(input.split(separator: "nonce=\"").last?.split(separator: "\"").first)
        let otherNonce = Data(RequestSigner.randomNonceBytes()).base64EncodedString()
        let changes = [
            ("created=1796126400", "created=1796126401"),
            (String(nonce), otherNonce),
            (#"keyid="leith""#, #"keyid="gorgie""#),
            (#""content-digest")"#, #""content-digest" "content-type")"#),
        ]
        for (old, new) in changes {
            let tampered = replacing(
                "Signature-Input", in: request, with: input.replacingOccurrences(of: old, with: new))
            #expect(try await failure(tampered).code == .badSignature, "\(new)")
        }
    }

    @Test func aFlippedSignatureBitIsRefused() async throws {
        let request = try signed()
        let value = try header("Signature", of: request)
        let base64 = String(value.dropFirst("sig1=:".count).dropLast())
        var bytes = try #require(Data(base64Encoded: base64))
        for index in stride(from: 0, to: 64, by: 7) {
            bytes[index] ^= 0x04
            let tampered = replacing("Signature", in: request, with: "sig1=:\(bytes.base64EncodedString()):")
            #expect(try await failure(tampered).code == .badSignature)
            bytes[index] ^= 0x04
        }
    }

    @Test func anotherHubsKeyDoesNotVerify() async throws {
        let request = try signed(keyID: "leith", key: otherKey)
        #expect(try await failure(request).code == .badSignature)
    }

    @Test func unknownAndRevokedHubsAreRefused() async throws {
        let unknown = try await failure(try signed(keyID: "nowhere"))
        #expect(unknown.code == .unknownKey && unknown.problem.status == 401 && unknown.problem.kind == .unknownHub)
        let revoked = try await failure(try signed(keyID: "old-hub"))
        #expect(revoked.code == .revokedKey && revoked.problem.status == 403)
    }

    @Test func createdMayBeAtMostFiveMinutesFromTheServicesClock() async throws {
        for offset: TimeInterval in [-300, -1, 0, 299.9, 300] {
            _ = try await verify(try signed(at: Self.now.addingTimeInterval(offset)))
        }
        for offset: TimeInterval in [-301, 301, -86_400, 31_536_000] {
            let failure = try await failure(try signed(at: Self.now.addingTimeInterval(offset)))
            #expect(failure.code == .clockSkew, "\(offset)")
            let problem = failure.problem
            #expect(problem.status == 401 && problem.serviceTime == "2026-12-01T12:00:00Z")
            let decoded = try HubReportJSON.decode(ProblemDetails.self, from: try HubReportJSON.encode(problem))
            #expect(decoded.serviceDate == Self.now, "the kiosk learns the service's clock")
            #expect(problem.detail.contains(offset > 0 ? "ahead of" : "behind"))
        }
    }

    @Test func aReplayedRequestIsRefusedUntilItsCreatedLeavesTheWindow() async throws {
        let request = try signed()
        _ = try await verify(request)
        #expect(try await failure(request).code == .nonceReplayed)
        #expect(try await failure(request, at: Self.now.addingTimeInterval(299)).code == .nonceReplayed)
        #expect(try await failure(request, at: Self.now.addingTimeInterval(301)).code == .clockSkew)
        // A fresh signature of the same request is not a replay.
        _ = try await verify(try signed())
    }

    @Test func aRefusedSignatureDoesNotSpendItsNonce() async throws {
        var request = try signed()
        request.method = "PUT"
        _ = try await failure(request)
        request.method = "POST"
        _ = try await verify(request)
    }

    @Test func missingOrMalformedHeadersAreRefused() async throws {
        let request = try signed()
        for name in ["Signature", "Signature-Input", "Content-Digest"] {
            let failure = try await failure(replacing(name, in: request, with: nil))
            #expect(failure.code == .missingHeader, "\(name)")
            #expect(failure.problem.status == 400)
        }
        let garbage: [(String, String)] = [
            ("Signature", "sig1=not-bytes"), ("Signature", "sig2=:AAAA:"), ("Signature", "sig1=:AAAA:"),
            ("Signature", "\u{0}\u{1}"), ("Signature-Input", "sig1=\"@method\""), ("Signature-Input", "sig1=("),
            ("Signature-Input", #"sig1=("@method";sf "@path" "content-digest");created=1"#),
            ("Signature-Input", #"sig1=("@method" "@method");created=1"#),
            ("Content-Digest", "sha-256=:AAAA:"), ("Content-Digest", "sha-512=:AAAA:"), ("Content-Digest", "md5"),
        ]
        for (name, value) in garbage {
            let failure = try await failure(replacing(name, in: request, with: value))
            #expect(failure.code == .malformedHeader || failure.code == .badParameters, "\(name): \(value)")
            #expect(failure.problem.status == 400)
        }
    }

    @Test func theAlgorithmAndRequiredParametersAreChecked() async throws {
        let request = try signed()
        let input = try header("Signature-Input", of: request)
        let cases = [
            input.replacingOccurrences(of: #"alg="ed25519""#, with: #"alg="rsa-pss-sha512""#),
            input.replacingOccurrences(of: #";alg="ed25519""#, with: ""),
            input.replacingOccurrences(of: "created=1796126400;", with: ""),
            input.replacingOccurrences(of: "created=1796126400", with: #"created="1796126400""#),
            input.replacingOccurrences(of: #";keyid="leith""#, with: ""),
            input.replacingOccurrences(of: #"keyid="leith""#, with: #"keyid="../etc""#),
        ]
        for value in cases {
            let failure = try await failure(replacing("Signature-Input", in: request, with: value))
            #expect(failure.code == .badParameters, "\(value)")
            #expect(failure.problem.kind == .signatureParameters)
        }
    }

    @Test func requiredComponentsMustBeCovered() async throws {
        let request = try signed()
        let input = try header("Signature-Input", of: request)
        for component in ["\"@method\" ", "\"@path\" ", " \"content-digest\""] {
            let value = input.replacingOccurrences(of: component, with: "")
            let failure = try await failure(replacing("Signature-Input", in: request, with: value))
            #expect(failure.code == .componentsNotCovered, "\(value)")
            #expect(failure.problem.kind == .signatureCoverage && failure.problem.status == 400)
        }
    }

    @Test func everyFailureMapsToAProblemSayingWhatToDo() {
        for code in SignatureFailure.Code.allCases {
            let problem = SignatureFailure(code, "detail").problem
            #expect((400...403).contains(problem.status), "\(code)")
            #expect(problem.kind != nil && !problem.whatToDo.isEmpty && problem.detail == "detail")
        }
    }

    @Test func aSignerRefusesWhatItCannotSign() throws {
        let signer = RequestSigner(keyID: "leith", privateKey: hubKey)
        #expect(throws: SigningError.targetNotOriginForm("https://x/")) {
            try signer.sign(method: "POST", target: "https://x/", body: Data(), now: Self.now)
        }
        #expect(throws: SigningError.timeOutOfRange) {
            try signer.sign(method: "POST", target: "/", body: Data(), now: Date(timeIntervalSince1970: .infinity))
        }
        let weak = RequestSigner(keyID: "leith", privateKey: hubKey, nonceBytes: { [1, 2, 3] })
        #expect(throws: SigningError.shortNonce) {
            try weak.sign(method: "POST", target: "/", body: Data(), now: Self.now)
        }
    }
}

@Suite struct NonceStoreTests {
    @Test func aNonceIsRememberedUntilItExpiresAndThenForgotten() async {
        let store = InMemoryNonceStore()
        #expect(await store.record(nonce: "n1", keyID: "leith", expiresAt: 1_300, now: 1_000))
        #expect(await store.record(nonce: "n1", keyID: "gorgie", expiresAt: 1_300, now: 1_000), "nonces are per hub")
        #expect(await !store.record(nonce: "n1", keyID: "leith", expiresAt: 1_400, now: 1_300))
        #expect(await store.record(nonce: "n2", keyID: "leith", expiresAt: 1_700, now: 1_301))
        #expect(await store.count == 1, "expired nonces are dropped")
        #expect(await store.record(nonce: "n1", keyID: "leith", expiresAt: 1_700, now: 1_301))
    }
}
