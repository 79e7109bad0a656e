import Foundation
import RawStructuredFieldValues

/// Checks a request's HTTP Message Signature (RFC 9421, ed25519) as ``RequestSigner`` makes it, on the service.
///
/// Checks run from the cheapest to the one that changes state: headers parse, parameters, coverage, the hub's key,
/// the clock, the body's digest, the signature, and last the nonce (recorded only for a valid signature, so junk
/// fills no store).
public struct SignatureVerifier: Sendable {
    /// How far `created` may be from the service's clock, in seconds, either way.
    public var maximumSkew: Int64
    let keys: any HubKeyLookup
    let nonces: any NonceStore

    public init(keys: any HubKeyLookup, nonces: any NonceStore, maximumSkew: Int64 = 300) {
        self.keys = keys
        self.nonces = nonces
        self.maximumSkew = maximumSkew
    }

    /// A signature that verified.
    public struct Verified: Sendable, Equatable {
        /// The signing hub.
        public var keyID: String
        public var created: Int64
        public var nonce: String
    }

    /// Verifies the request; throws ``SignatureFailure`` for a refused signature, or what the key lookup or nonce
    /// store threw (storage trouble: answer 503).
    public func verify(
        method: String, target: String, headers: [HTTPField], body: some DataProtocol, now: Date
    ) async throws -> Verified {
        guard let serviceNow = unixSeconds(now) else {
            throw SignatureFailure(.clockSkew, "The service's clock is not usable.")
        }
        let input = try signatureInput(headers)
        let signature = try signatureBytes(headers)
        let (created, nonce, keyID) = try requiredParameters(input)
        try checkCoverage(input, target: target)

        let key: HubPublicKey
        switch try await keys.publicKey(forHub: keyID) {
        case .active(let found): key = found
        case .revoked: throw SignatureFailure(.revokedKey, "Hub \"\(keyID)\" was revoked.")
        case .unknown: throw SignatureFailure(.unknownKey, "No hub \"\(keyID)\" is enrolled.")
        }

        if created > serviceNow + maximumSkew || created < serviceNow - maximumSkew {
            throw SignatureFailure(
                .clockSkew,
                "The signature was made at \(SignatureFailure.rfc3339(created)) by the kiosk's clock, "
                    + "\(describe(created - serviceNow)) the service's clock (\(SignatureFailure.rfc3339(serviceNow))); "
                    + "at most \(maximumSkew) s either way is accepted.",
                serviceTime: serviceNow)
        }
        if let expires = input.expires, expires < serviceNow {
            throw SignatureFailure(
                .clockSkew, "The signature expired at \(SignatureFailure.rfc3339(expires)).", serviceTime: serviceNow)
        }

        guard let digestValue = headers.combinedValue(of: ContentDigest.fieldName) else {
            throw SignatureFailure(.missingHeader, "The request has no Content-Digest header.")
        }
        do {
            guard try ContentDigest.matches(digestValue, body: body) else {
                throw SignatureFailure(
                    .digestMismatch, "The body's sha-256 is not the one in Content-Digest: the body was changed.")
            }
        } catch let error as ContentDigestError {
            throw SignatureFailure(
                .malformedHeader,
                error == .noSHA256
                    ? "Content-Digest has no sha-256 digest." : "Content-Digest is not a sha-256 byte sequence.")
        }

        let components = RequestComponents(method: method, target: target, headers: headers)
        let base: String
        do {
            base = try SignatureBase.build(input, value: components.value(of:))
        } catch {
            throw SignatureFailure(.malformedHeader, "The signature base cannot be built: \(error).")
        }
        guard key.isValidSignature(signature, for: Array(base.utf8)) else {
            throw SignatureFailure(.badSignature, "The signature does not verify with hub \"\(keyID)\"'s key.")
        }

        let isNew = try await nonces.record(
            nonce: nonce, keyID: keyID, expiresAt: created + maximumSkew, now: serviceNow)
        guard isNew else {
            throw SignatureFailure(.nonceReplayed, "The nonce \"\(nonce)\" of hub \"\(keyID)\" was used before.")
        }
        return Verified(keyID: keyID, created: created, nonce: nonce)
    }

    func signatureInput(_ headers: [HTTPField]) throws(SignatureFailure) -> SignatureInput {
        guard let value = headers.combinedValue(of: "Signature-Input") else {
            throw SignatureFailure(.missingHeader, "The request has no Signature-Input header.")
        }
        let member = try member(RequestSigner.label, of: value, field: "Signature-Input")
        guard case .innerList(let innerList) = member else {
            throw SignatureFailure(.malformedHeader, "Signature-Input's \(RequestSigner.label) is not an inner list.")
        }
        do {
            return try SignatureInput(innerList: innerList)
        } catch {
            throw SignatureFailure(.malformedHeader, "Signature-Input's \(RequestSigner.label): \(error).")
        }
    }

    func signatureBytes(_ headers: [HTTPField]) throws(SignatureFailure) -> Data {
        guard let value = headers.combinedValue(of: "Signature") else {
            throw SignatureFailure(.missingHeader, "The request has no Signature header.")
        }
        let member = try member(RequestSigner.label, of: value, field: "Signature")
        guard case .item(let item) = member, case .undecodedByteSequence(let base64) = item.rfc9651BareItem,
            let bytes = Data(base64Encoded: base64)
        else {
            throw SignatureFailure(.malformedHeader, "Signature's \(RequestSigner.label) is not a byte sequence.")
        }
        guard bytes.count == 64 else {
            throw SignatureFailure(
                .malformedHeader, "Signature's \(RequestSigner.label) has \(bytes.count) bytes; ed25519 has 64.")
        }
        return bytes
    }

    func member(_ label: String, of value: String, field: String) throws(SignatureFailure) -> ItemOrInnerList {
        let dictionary: OrderedMap<String, ItemOrInnerList>
        do {
            var parser = StructuredFieldValueParser(Array(value.utf8))
            dictionary = try parser.parseDictionaryFieldValue()
        } catch {
            throw SignatureFailure(.malformedHeader, "\(field) is not a structured field dictionary (RFC 8941).")
        }
        guard let member = dictionary[label] else {
            throw SignatureFailure(.malformedHeader, "\(field) has no \(label) signature.")
        }
        return member
    }

    func requiredParameters(_ input: SignatureInput) throws(SignatureFailure) -> (Int64, String, String) {
        guard input.algorithm == RequestSigner.algorithm else {
            let given = input.algorithm.map { "\"\($0)\"" } ?? "missing"
            throw SignatureFailure(.badParameters, "The signature's alg is \(given); the service accepts \"ed25519\".")
        }
        guard let created = input.created else {
            throw SignatureFailure(.badParameters, "The signature has no created time.")
        }
        guard let nonce = input.nonce, let bytes = Data(base64Encoded: nonce), bytes.count >= 16 else {
            throw SignatureFailure(.badParameters, "The signature has no nonce of at least 16 bytes in base64.")
        }
        guard let keyID = input.keyID, WireSyntax.isHubID(keyID) else {
            throw SignatureFailure(.badParameters, "The signature's keyid is missing or not a hub id.")
        }
        return (created, nonce, keyID)
    }

    func checkCoverage(_ input: SignatureInput, target: String) throws(SignatureFailure) {
        let required = RequestSigner.coveredComponents(target: target)
        let missing = required.filter { !input.components.contains($0) }
        guard missing.isEmpty else {
            throw SignatureFailure(
                .componentsNotCovered,
                "The signature does not cover \(missing.joined(separator: ", ")); it must cover "
                    + "\(required.joined(separator: ", ")).")
        }
    }

    func describe(_ offset: Int64) -> String {
        offset > 0 ? "\(offset) s ahead of" : "\(-offset) s behind"
    }
}
