/// The kinds of problem the `hubreport` API answers with, each with its status, title and default advice.
public enum ProblemKind: String, CaseIterable, Sendable {
    /// The body is not JSON, or a field has the wrong type or is missing.
    case malformedRequest = "malformed-request"
    /// The body is JSON of the right shape, but values are out of bounds or inconsistent.
    case invalidField = "invalid-field"
    /// The body is larger than the service accepts.
    case payloadTooLarge = "payload-too-large"
    /// The body is not `application/json`.
    case unsupportedMediaType = "unsupported-media-type"
    /// `Signature`, `Signature-Input` or `Content-Digest` is missing or cannot be parsed.
    case signatureMalformed = "signature-malformed"
    /// The signature uses an algorithm other than ed25519, or lacks a required parameter.
    case signatureParameters = "signature-parameters"
    /// The signature does not cover `@method`, `@path` (and `@query`) and `content-digest`.
    case signatureCoverage = "signature-coverage"
    /// The signature's `keyid` names no enrolled hub.
    case unknownHub = "unknown-hub"
    /// The hub was revoked by the partnership.
    case hubRevoked = "hub-revoked"
    /// The body does not match its `Content-Digest` (it was changed on the way).
    case digestMismatch = "digest-mismatch"
    /// The signature does not verify with the hub's public key.
    case signatureInvalid = "signature-invalid"
    /// The signature's `created` is too far from the service's clock.
    case clockSkew = "clock-skew"
    /// The signature's nonce was seen before: the request is a replay.
    case nonceReplayed = "nonce-replayed"
    /// The batch names another hub than the one that signed it.
    case hubMismatch = "hub-mismatch"
    /// The enrolment code is unknown or expired.
    case enrolmentCodeInvalid = "enrolment-code-invalid"
    /// The enrolment code was used already.
    case enrolmentCodeUsed = "enrolment-code-used"
    /// Too many requests: retry after the `Retry-After` header's delay.
    case rateLimited = "rate-limited"
    /// The service cannot take requests now (storage down, shutting down).
    case unavailable = "unavailable"

    /// The `type` URI of this kind.
    public var typeURI: String { ProblemKind.typePrefix + rawValue }

    static let typePrefix = "urn:hubreport:problem:"

    public init?(typeURI: String) {
        guard typeURI.hasPrefix(ProblemKind.typePrefix) else { return nil }
        self.init(rawValue: String(typeURI.dropFirst(ProblemKind.typePrefix.count)))
    }

    /// The HTTP status code.
    public var status: Int {
        switch self {
        case .malformedRequest, .signatureMalformed, .signatureParameters, .signatureCoverage: return 400
        case .unknownHub, .digestMismatch, .signatureInvalid, .clockSkew, .nonceReplayed: return 401
        case .hubRevoked, .hubMismatch, .enrolmentCodeInvalid: return 403
        case .enrolmentCodeUsed: return 409
        case .payloadTooLarge: return 413
        case .unsupportedMediaType: return 415
        case .invalidField: return 422
        case .rateLimited: return 429
        case .unavailable: return 503
        }
    }

    /// A short summary, the same for every occurrence.
    public var title: String {
        switch self {
        case .malformedRequest: return "The request body is not what the API expects"
        case .invalidField: return "Some values are out of bounds"
        case .payloadTooLarge: return "The request body is too large"
        case .unsupportedMediaType: return "The request body is not JSON"
        case .signatureMalformed: return "The request's signature headers are missing or malformed"
        case .signatureParameters: return "The request's signature parameters are not accepted"
        case .signatureCoverage: return "The request's signature does not cover what it must"
        case .unknownHub: return "The signing hub is not enrolled"
        case .hubRevoked: return "The hub was revoked"
        case .digestMismatch: return "The request body was changed"
        case .signatureInvalid: return "The request's signature does not verify"
        case .clockSkew: return "The kiosk's clock is too far from the service's"
        case .nonceReplayed: return "The request was sent before"
        case .hubMismatch: return "The batch names another hub"
        case .enrolmentCodeInvalid: return "The enrolment code is unknown or expired"
        case .enrolmentCodeUsed: return "The enrolment code was used already"
        case .rateLimited: return "Too many requests"
        case .unavailable: return "The service is unavailable"
        }
    }

    /// What a hub volunteer or the partnership's administrator can do, unless a problem says something more precise.
    public var whatToDo: String {
        switch self {
        case .malformedRequest, .invalidField, .unsupportedMediaType, .signatureMalformed, .signatureParameters,
            .signatureCoverage:
            return "Update the kiosk's software (`hubkiosk --version`) to one that speaks this service's API; "
                + "if it is current, report this message to the partnership's administrator."
        case .payloadTooLarge:
            return "Nothing to do: the kiosk sends smaller batches on its next try. "
                + "If this persists, update the kiosk's software."
        case .unknownHub:
            return "Enrol the kiosk again: ask the partnership's administrator for a code (`hubreport hub add`) "
                + "and enrol with it (`POST /v1/enrol`)."
        case .hubRevoked:
            return "The partnership revoked this hub. Ask its administrator whether to enrol the kiosk again."
        case .digestMismatch, .signatureInvalid:
            return "Something between the kiosk and the service changed the request (a proxy?), or the kiosk's key "
                + "does not match its enrolment: check the network path, or enrol the kiosk again."
        case .clockSkew:
            return "Set the kiosk's clock (check network time: `timedatectl`). "
                + "The kiosk retries with the service's time meanwhile."
        case .nonceReplayed:
            return "Nothing to do if it happens once (the kiosk signs its next try anew). If it persists, something "
                + "is replaying the kiosk's requests: tell the partnership's administrator."
        case .hubMismatch:
            return "The kiosk's configuration names another hub than its enrolment: fix `hub_id` in kiosk.toml "
                + "or enrol the kiosk again."
        case .enrolmentCodeInvalid:
            return "Check the code for typing mistakes; codes expire after 24 hours. Ask the partnership's "
                + "administrator for a new one (`hubreport hub add`)."
        case .enrolmentCodeUsed:
            return "Each code enrols one kiosk once. Ask the partnership's administrator for a new code."
        case .rateLimited:
            return "Nothing to do: the kiosk waits as the Retry-After header says and tries again."
        case .unavailable:
            return "Nothing to do on the kiosk: it keeps its tallies and tries again. "
                + "The partnership's administrator should check the service's logs."
        }
    }
}
