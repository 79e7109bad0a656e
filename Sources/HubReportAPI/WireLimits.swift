/// The bounds the service holds every request to. A kiosk stays well inside them; anything outside is a problem that
/// names the field, never a crash or an overflow later.
public struct WireLimits: Sendable, Equatable {
    /// The largest request body, in bytes (beyond it: 413).
    public var maxBodyBytes: Int
    /// The most buckets in one batch.
    public var maxBuckets: Int
    /// The most need codes in one bucket.
    public var maxNeedsPerBucket: Int
    /// The largest count in one bucket. A visit lasts at least the idle window (a minute), so an hour holds at most
    /// some dozens and a day some hundreds; this leaves room for any hub and still stops garbage.
    public var maxCount: Int
    /// The most open alert kinds in a health report.
    public var maxAlerts: Int
    /// The largest backlog a kiosk can report (buckets).
    public var maxBacklog: Int

    public init(
        maxBodyBytes: Int = 1 << 20, maxBuckets: Int = 500, maxNeedsPerBucket: Int = 64, maxCount: Int = 100_000,
        maxAlerts: Int = 16, maxBacklog: Int = 10_000_000
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.maxBuckets = maxBuckets
        self.maxNeedsPerBucket = maxNeedsPerBucket
        self.maxCount = maxCount
        self.maxAlerts = maxAlerts
        self.maxBacklog = maxBacklog
    }

    /// The limits `hubreport` applies unless configured otherwise.
    public static let standard = WireLimits()
}
