import Crypto
import Foundation

/// A hub's ed25519 public key: what the service stores (never a private key, so a leak of its database lets no one
/// sync as a hub).
public struct HubPublicKey: Sendable, Hashable {
    /// The key's 32 raw bytes.
    public let rawRepresentation: Data

    /// The key from its raw bytes; throws if they are not a Curve25519 point encoding.
    public init(rawRepresentation: Data) throws {
        _ = try Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation)
        self.rawRepresentation = rawRepresentation
    }

    /// The key from base64 of its raw bytes, as an enrolment sends it.
    public init(base64: String) throws {
        guard let data = Data(base64Encoded: base64), data.count == 32 else { throw KeyEncodingError() }
        try self.init(rawRepresentation: data)
    }

    init(validatedRawRepresentation: Data) {
        self.rawRepresentation = validatedRawRepresentation
    }

    /// Base64 of the raw bytes, as an enrolment sends it.
    public var base64: String { rawRepresentation.base64EncodedString() }

    /// Whether `signature` is this key's ed25519 signature of `message`.
    public func isValidSignature(_ signature: some DataProtocol, for message: some DataProtocol) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}

/// A hub's ed25519 private key: made by the kiosk at enrolment, kept in its state directory, never sent.
public struct HubPrivateKey: Sendable {
    let rawRepresentation: Data
    /// The matching public key.
    public let publicKey: HubPublicKey

    /// A new random key.
    public init() {
        self.init(Curve25519.Signing.PrivateKey())
    }

    /// The key from its 32 raw bytes (the RFC 8032 seed).
    public init(rawRepresentation: Data) throws {
        self.init(try Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation))
    }

    init(_ key: Curve25519.Signing.PrivateKey) {
        rawRepresentation = key.rawRepresentation
        publicKey = HubPublicKey(validatedRawRepresentation: key.publicKey.rawRepresentation)
    }

    /// The key's raw bytes, for the kiosk to store (mode 0600).
    public var secretBytes: Data { rawRepresentation }

    /// The ed25519 signature of `message`.
    public func signature(for message: some DataProtocol) throws -> Data {
        try Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation).signature(for: message)
    }
}

/// Bytes that are not a key.
struct KeyEncodingError: Error {}
