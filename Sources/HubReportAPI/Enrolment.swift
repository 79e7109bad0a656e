/// What a kiosk sends to `POST /v1/enrol` (`hubkiosk sync enrol`): the one-time code from `hubreport hub add` and the
/// kiosk's public key. The private key never leaves the kiosk.
public struct EnrolmentRequest: Codable, Sendable, Equatable {
    /// The one-time enrolment code.
    public var code: String
    /// The kiosk's ed25519 public key: its 32 raw bytes in base64 (RFC 4648, with padding).
    public var publicKey: String
    public var kioskVersion: String

    public init(code: String, publicKey: String, kioskVersion: String) {
        self.code = code
        self.publicKey = publicKey
        self.kioskVersion = kioskVersion
    }

    enum CodingKeys: String, CodingKey {
        case code
        case publicKey = "public_key"
        case kioskVersion = "kiosk_version"
    }
}

/// The service's answer to an enrolment: which hub the kiosk now signs as.
public struct EnrolmentResponse: Codable, Sendable, Equatable {
    /// The hub id: the `keyid` of every signature from now on, and the batches' `hub_id`.
    public var hubID: String
    public var hubName: String
    /// The partnership the service reports for.
    public var partnership: String

    public init(hubID: String, hubName: String, partnership: String) {
        self.hubID = hubID
        self.hubName = hubName
        self.partnership = partnership
    }

    enum CodingKeys: String, CodingKey {
        case hubID = "hub_id"
        case hubName = "hub_name"
        case partnership
    }
}
