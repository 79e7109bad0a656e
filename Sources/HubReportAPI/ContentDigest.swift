import Crypto
import Foundation
import RawStructuredFieldValues

/// The `Content-Digest` field of RFC 9530 with `sha-256`: a structured field dictionary such as
/// `sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:`.
public enum ContentDigest {
    public static let fieldName = "Content-Digest"

    /// The field value for `body`.
    public static func value(for body: some DataProtocol) -> String {
        let digest = Data(SHA256.hash(data: body)).base64EncodedString()
        var dictionary = OrderedMap<String, ItemOrInnerList>()
        dictionary["sha-256"] = .item(Item(bareItem: RFC9651BareItem.undecodedByteSequence(digest), parameters: [:]))
        var serializer = StructuredFieldValueSerializer()
        // A dictionary of one byte sequence under a fixed key always serializes.
        let bytes = (try? serializer.writeDictionaryFieldValue(dictionary)) ?? Array("sha-256=:\(digest):".utf8)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The `sha-256` digest a field value carries; throws if the value is not a dictionary or has no `sha-256`
    /// byte sequence of 32 bytes (other algorithms may be present and are ignored).
    public static func sha256(in value: String) throws(ContentDigestError) -> Data {
        let dictionary: OrderedMap<String, ItemOrInnerList>
        do {
            var parser = StructuredFieldValueParser(Array(value.utf8))
            dictionary = try parser.parseDictionaryFieldValue()
        } catch {
            throw .malformed
        }
        guard let member = dictionary["sha-256"] else { throw .noSHA256 }
        guard case .item(let item) = member, case .undecodedByteSequence(let base64) = item.rfc9651BareItem,
            let digest = Data(base64Encoded: base64), digest.count == SHA256.byteCount
        else { throw .malformed }
        return digest
    }

    /// Whether `value` carries the sha-256 digest of `body`.
    public static func matches(_ value: String, body: some DataProtocol) throws(ContentDigestError) -> Bool {
        try sha256(in: value) == Data(SHA256.hash(data: body))
    }
}

/// Why a `Content-Digest` value cannot be used.
public enum ContentDigestError: Error, Equatable, Sendable {
    /// Not a structured field dictionary, or `sha-256` is not a 32-byte byte sequence.
    case malformed
    /// No `sha-256` member.
    case noSHA256
}
