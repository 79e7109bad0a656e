extension ControlAPI {
    /// `GET /directory/status`, and the answer of `POST /directory/reload` and `POST /directory/apply`: the
    /// directory in use, where it comes from, when it was last checked, and what the last attempt did.
    public struct DirectoryStatus: Codable, Sendable, Equatable {
        /// Where the directory comes from: the feed's address, or the directory file.
        public var source: String
        /// `feed` (pulled over HTTP) or `file`.
        public var sourceKind: String
        /// Where the copy in use came from (the source, or an import).
        public var inUse: String
        public var format: String
        /// Services in use, and of them active.
        public var services: Int
        public var activeServices: Int
        /// When the copy in use was last checked against its source and found current (RFC 3339, UTC).
        public var checkedAt: String?
        /// When the copy in use last changed.
        public var changedAt: String?
        /// When the next pull is due (feeds only).
        public var nextPull: String?
        public var lastAttempt: String?
        /// What went wrong last, if the last attempt failed (the copy in use is kept).
        public var lastError: String?
        /// Failed attempts since the last good one.
        public var failures: Int
        /// A new copy that waits for staff to confirm it (most services gone), and what to run.
        public var heldBack: String?
        /// The copy is older than `[directory] stale_after_days`.
        public var stale: Bool
        /// What the last request did, in a sentence (reload or apply).
        public var result: String?
        /// For `apply` with `dryRun`: what would change, one line each.
        public var changes: [String]?

        public init(
            source: String, sourceKind: String, inUse: String, format: String, services: Int, activeServices: Int,
            checkedAt: String? = nil, changedAt: String? = nil, nextPull: String? = nil, lastAttempt: String? = nil,
            lastError: String? = nil, failures: Int = 0, heldBack: String? = nil, stale: Bool = false,
            result: String? = nil, changes: [String]? = nil
        ) {
            self.source = source
            self.sourceKind = sourceKind
            self.inUse = inUse
            self.format = format
            self.services = services
            self.activeServices = activeServices
            self.checkedAt = checkedAt
            self.changedAt = changedAt
            self.nextPull = nextPull
            self.lastAttempt = lastAttempt
            self.lastError = lastError
            self.failures = failures
            self.heldBack = heldBack
            self.stale = stale
            self.result = result
            self.changes = changes
        }
    }
}
