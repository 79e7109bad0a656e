extension ControlAPI {
    /// `POST /web/setup-code`: a new one-time code for the staff pages, printed on the kiosk's printer.
    public struct WebSetupResponse: Codable, Sendable, Equatable {
        /// Where staff type the code.
        public var setupURLs: [String]
        /// "printed", or why not ("paper out"): the code is then in the daemon's log only.
        public var printed: String
        public var expiresInMinutes: Int
        /// The SHA-256 fingerprint of the pages' certificate, when they are served over HTTPS.
        public var fingerprint: String?

        public init(setupURLs: [String], printed: String, expiresInMinutes: Int, fingerprint: String?) {
            self.setupURLs = setupURLs
            self.printed = printed
            self.expiresInMinutes = expiresInMinutes
            self.fingerprint = fingerprint
        }
    }
}
