import Foundation

/// Why a request's signature was refused: a code, what exactly is wrong, and its problem+json answer.
public struct SignatureFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// `Signature`, `Signature-Input` or `Content-Digest` is absent.
        case missingHeader
        /// A signature header cannot be parsed, or has no `sig1` member.
        case malformedHeader
        /// `alg` is not `ed25519`, or `created`, `nonce` or `keyid` is missing or of the wrong type.
        case badParameters
        /// A required component (`@method`, `@path`, `@query` with a query, `content-digest`) is not covered.
        case componentsNotCovered
        /// `keyid` names no enrolled hub.
        case unknownKey
        /// `keyid` names a revoked hub.
        case revokedKey
        /// The body's sha-256 differs from `Content-Digest`.
        case digestMismatch
        /// The ed25519 signature does not verify.
        case badSignature
        /// `created` is more than the allowed skew from the service's clock, or `expires` has passed.
        case clockSkew
        /// The nonce was seen before inside the window.
        case nonceReplayed
    }

    public var code: Code
    /// What exactly is wrong, for the problem's `detail` and the service's log.
    public var detail: String
    /// The service's clock when it refused, in seconds since 1970 (sent on `clockSkew`).
    public var serviceTime: Int64?

    public init(_ code: Code, _ detail: String, serviceTime: Int64? = nil) {
        self.code = code
        self.detail = detail
        self.serviceTime = serviceTime
    }

    public var description: String { "\(code.rawValue): \(detail)" }

    /// The problem+json body to answer with (its `status` is the HTTP status).
    public var problem: ProblemDetails {
        let kind: ProblemKind
        switch code {
        case .missingHeader, .malformedHeader: kind = .signatureMalformed
        case .badParameters: kind = .signatureParameters
        case .componentsNotCovered: kind = .signatureCoverage
        case .unknownKey: kind = .unknownHub
        case .revokedKey: kind = .hubRevoked
        case .digestMismatch: kind = .digestMismatch
        case .badSignature: kind = .signatureInvalid
        case .clockSkew: kind = .clockSkew
        case .nonceReplayed: kind = .nonceReplayed
        }
        return ProblemDetails(kind, detail: detail, serviceTime: serviceTime.map(Self.rfc3339))
    }

    /// `2026-12-01T12:00:00Z`.
    static func rfc3339(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
