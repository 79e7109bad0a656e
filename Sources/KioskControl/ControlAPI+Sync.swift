extension ControlAPI {
    /// `GET /sync/status` and `POST /sync/now`: where the partnership sync stands. Also written by the daemon to
    /// `sync/status.json` in the state directory after every attempt, so that `hubkiosk sync status` works while the
    /// daemon is stopped.
    public struct SyncStatus: Codable, Sendable, Equatable {
        /// `not-enrolled`, `idle` (the last attempt worked), `retrying` (a network or service problem: it retries by
        /// itself), `stopped` (a problem staff must fix; nothing is lost, counts wait) or `syncing`.
        public var state: String
        /// The service's address, once enrolled.
        public var service: String?
        public var hubID: String?
        /// `hour` or `day`: the buckets sent.
        public var granularity: String
        /// When a batch was last acknowledged (RFC 3339, UTC), if ever.
        public var lastSuccess: String?
        /// When the last attempt ended (RFC 3339, UTC).
        public var lastAttempt: String?
        /// When the next attempt is due (RFC 3339, UTC); nil when stopped or not enrolled.
        public var nextAttempt: String?
        /// Buckets changed and not yet acknowledged by the service.
        public var backlog: Int?
        /// What went wrong last, if the last attempt failed.
        public var lastError: String?
        /// What to do about `lastError`.
        public var whatToDo: String?
        /// Failed attempts since the last success.
        public var failures: Int
        /// The kiosk clock's offset from the service's (service minus kiosk, whole seconds), once learnt from a
        /// clock-skew answer.
        public var clockOffsetSeconds: Int?

        public init(
            state: String, service: String? = nil, hubID: String? = nil, granularity: String,
            lastSuccess: String? = nil, lastAttempt: String? = nil, nextAttempt: String? = nil, backlog: Int? = nil,
            lastError: String? = nil, whatToDo: String? = nil, failures: Int = 0, clockOffsetSeconds: Int? = nil
        ) {
            self.state = state
            self.service = service
            self.hubID = hubID
            self.granularity = granularity
            self.lastSuccess = lastSuccess
            self.lastAttempt = lastAttempt
            self.nextAttempt = nextAttempt
            self.backlog = backlog
            self.lastError = lastError
            self.whatToDo = whatToDo
            self.failures = failures
            self.clockOffsetSeconds = clockOffsetSeconds
        }
    }
}
