import Foundation
import RawStructuredFieldValues

/// Signs the kiosk's requests with HTTP Message Signatures (RFC 9421), algorithm ed25519.
///
/// The signature (label `sig1`) covers `@method`, `@path`, `@query` when the target has one, and `content-digest`
/// (RFC 9530, sha-256 of the body), with the parameters `created`, `nonce`, `keyid` (the hub id) and
/// `alg="ed25519"`.
public struct RequestSigner: Sendable {
    /// The label of the signature in `Signature-Input` and `Signature`.
    public static let label = "sig1"
    /// The algorithm name (RFC 9421 §6.2.2).
    public static let algorithm = "ed25519"
    /// Bytes of randomness in a nonce.
    public static let nonceByteCount = 18

    /// The hub id, sent as `keyid`.
    public let keyID: String
    let privateKey: HubPrivateKey
    let nonceBytes: @Sendable () -> [UInt8]

    /// A signer for hub `keyID`. `nonceBytes` gives each signature's nonce (at least 16 bytes; random by default:
    /// tests may fix it).
    public init(
        keyID: String, privateKey: HubPrivateKey,
        nonceBytes: @escaping @Sendable () -> [UInt8] = RequestSigner.randomNonceBytes
    ) {
        self.keyID = keyID
        self.privateKey = privateKey
        self.nonceBytes = nonceBytes
    }

    /// `nonceByteCount` bytes from the system's secure random source.
    @Sendable public static func randomNonceBytes() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<nonceByteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The covered components for `target`.
    public static func coveredComponents(target: String) -> [String] {
        RequestComponents(method: "", target: target, headers: []).query == nil
            ? ["@method", "@path", "content-digest"] : ["@method", "@path", "@query", "content-digest"]
    }

    /// The header fields to add to a request: `Content-Digest`, `Signature-Input` and `Signature`.
    ///
    /// - Parameters:
    ///   - method: the request method, such as `POST`.
    ///   - target: the path with its query, such as `/v1/tallies`.
    ///   - body: the exact bytes to send.
    ///   - now: the current time (whole seconds go into `created`).
    public func sign(
        method: String, target: String, body: some DataProtocol, now: Date
    ) throws(SigningError)
        -> [HTTPField]
    {
        guard let created = unixSeconds(now) else { throw .timeOutOfRange }
        guard target.hasPrefix("/") else { throw .targetNotOriginForm(target) }
        let nonce = nonceBytes()
        guard nonce.count >= 16 else { throw .shortNonce }
        let digest = HTTPField(name: ContentDigest.fieldName, value: ContentDigest.value(for: body))
        let input = SignatureInput(
            components: RequestSigner.coveredComponents(target: target),
            parameters: [
                SignatureParameter("created", .integer(created)),
                SignatureParameter("nonce", .string(Data(nonce).base64EncodedString())),
                SignatureParameter("keyid", .string(keyID)),
                SignatureParameter("alg", .string(RequestSigner.algorithm)),
            ])
        let components = RequestComponents(method: method, target: target, headers: [digest])
        do {
            let base = try SignatureBase.build(input, value: components.value(of:))
            let signature = try privateKey.signature(for: Array(base.utf8))
            return [
                digest,
                HTTPField(name: "Signature-Input", value: try Self.dictionary(.innerList(input.innerList()))),
                HTTPField(
                    name: "Signature",
                    value: try Self.dictionary(
                        .item(
                            Item(
                                bareItem: RFC9651BareItem.undecodedByteSequence(signature.base64EncodedString()),
                                parameters: [:])))),
            ]
        } catch {
            throw .unsignable("\(error)")
        }
    }

    static func dictionary(_ member: ItemOrInnerList) throws -> String {
        var dictionary = OrderedMap<String, ItemOrInnerList>()
        dictionary[label] = member
        var serializer = StructuredFieldValueSerializer()
        return String(decoding: try serializer.writeDictionaryFieldValue(dictionary), as: UTF8.self)
    }
}

/// Why a request cannot be signed (a bug in the caller or a broken clock, never the network).
public enum SigningError: Error, Equatable, Sendable, CustomStringConvertible {
    case timeOutOfRange
    case targetNotOriginForm(String)
    case shortNonce
    /// The key id or a component cannot go into a structured field.
    case unsignable(String)

    public var description: String {
        switch self {
        case .timeOutOfRange: return "the clock's time cannot be a signature's created time"
        case .targetNotOriginForm(let target): return "the request target \"\(target)\" does not start with /"
        case .shortNonce: return "a nonce needs at least 16 random bytes"
        case .unsignable(let reason): return "the request cannot be signed: \(reason)"
        }
    }
}

/// Whole seconds since 1970 of a date, or nil for a date a signature cannot carry (not finite, beyond ±10^15 s:
/// the range of a structured field integer).
func unixSeconds(_ date: Date) -> Int64? {
    let seconds = date.timeIntervalSince1970.rounded(.down)
    guard seconds.isFinite, abs(seconds) < 999_999_999_999_999 else { return nil }
    return Int64(seconds)
}
