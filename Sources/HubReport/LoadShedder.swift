import Synchronization

/// Bounds how many requests the service works on at once. Past the bound a request is refused at once (429 with
/// `Retry-After`) instead of queueing: under a burst (every hub back from an outage) the service stays up and
/// answers, and kiosks come back later.
public final class LoadShedder: Sendable {
    /// The most requests in progress at once.
    public let limit: Int
    private let inFlight = Atomic<Int>(0)

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes a place; false if every place is taken (then do not call ``leave()``).
    public func enter() -> Bool {
        let (before, _) = inFlight.add(1, ordering: .acquiringAndReleasing)
        if before < limit { return true }
        inFlight.subtract(1, ordering: .acquiringAndReleasing)
        return false
    }

    /// Gives back a place taken by ``enter()``.
    public func leave() {
        inFlight.subtract(1, ordering: .acquiringAndReleasing)
    }

    /// Requests in progress now.
    public var current: Int { inFlight.load(ordering: .relaxed) }
}
