/// Remembers the nonces of verified signatures for as long as their `created` is inside the window, so that a
/// replayed request is refused.
public protocol NonceStore: Sendable {
    /// Records `nonce` of hub `keyID`, to be remembered until `expiresAt` (seconds since 1970). Returns false if it
    /// was recorded before and has not expired at `now`: the request is a replay.
    func record(nonce: String, keyID: String, expiresAt: Int64, now: Int64) async throws -> Bool
}

/// A ``NonceStore`` in memory, for one service process (and tests). Expired nonces are dropped as new ones come.
public actor InMemoryNonceStore: NonceStore {
    struct Key: Hashable {
        var keyID: String
        var nonce: String
    }

    private var expiries: [Key: Int64] = [:]
    private var lastPrune: Int64 = .min

    public init() {}

    public func record(nonce: String, keyID: String, expiresAt: Int64, now: Int64) -> Bool {
        if now != lastPrune {
            expiries = expiries.filter { $0.value >= now }
            lastPrune = now
        }
        let key = Key(keyID: keyID, nonce: nonce)
        if let expiry = expiries[key], expiry >= now { return false }
        expiries[key] = expiresAt
        return true
    }

    /// How many nonces are remembered.
    public var count: Int { expiries.count }
}

/// What the service knows of a hub's key.
public enum HubKeyLookupResult: Sendable, Equatable {
    case active(HubPublicKey)
    case revoked
    case unknown
}

/// Where the verifier finds a hub's stored public key (the service's database).
public protocol HubKeyLookup: Sendable {
    func publicKey(forHub keyID: String) async throws -> HubKeyLookupResult
}
