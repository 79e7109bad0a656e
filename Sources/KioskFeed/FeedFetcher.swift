import AsyncHTTPClient
import Foundation
import KioskCore
import KioskDirectory
import Logging
import NIOCore
import NIOHTTP1

/// What a feed's first page said last time, sent back so that an unchanged feed answers 304 Not Modified.
public struct FeedValidators: Codable, Sendable, Hashable {
    public var etag: String?
    public var lastModified: String?

    public init(etag: String? = nil, lastModified: String? = nil) {
        self.etag = etag
        self.lastModified = lastModified
    }

    public var isEmpty: Bool { etag == nil && lastModified == nil }
}

/// A feed fetched: every page's services in one document, or "not modified".
public struct FeedFetch: Sendable {
    public enum Outcome: Sendable {
        /// The feed answered 304 Not Modified to the validators sent: the copy in use is current.
        case notModified
        /// The services of every page as one document in the feed's own page shape (``FeedPage/document``).
        case fetched(document: [UInt8], format: DirectoryFormat)
    }

    public var outcome: Outcome
    /// The first page's validators, to send next time.
    public var validators: FeedValidators
    public var pages: Int
    /// Requests made, retries included.
    public var requests: Int
    /// What the paging got wrong, said once each (counts that did not match, repeats across pages).
    public var notes: [String]
}

/// Why a fetch failed; `retryable` ones (network, timeouts, 5xx, 429) are tried again later by the caller.
public struct FeedError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public var retryable: Bool
    /// What the feed asked for in `Retry-After`, if it did.
    public var retryAfter: Duration?

    public init(_ description: String, retryable: Bool, retryAfter: Duration? = nil) {
        self.description = description
        self.retryable = retryable
        self.retryAfter = retryAfter
    }

    /// A limit of the whole pull (bytes, services, time) was reached: no point retrying one request.
    var isBudget: Bool {
        description.contains("refused (check [directory] source") || description.contains("took longer than")
    }
}

/// Fetches a directory feed over HTTP(S): follows its pages (ORUK v3 `page_number`/`total_pages`, ORUK v1
/// `number`/`totalPages`/`last`, ALISS `next`), not trusting their counts (it goes on while pages are full and
/// bring new services, and stops at an empty page or one with nothing new); fetches `/services/{id}` for ORUK v3
/// list items that lack schedules, locations or phones; drops repeats by `id`; sends `If-None-Match` /
/// `If-Modified-Since`; retries each request on network errors, timeouts, 5xx and 429 (with `Retry-After`).
///
/// It only fetches: the caller decodes the document and decides whether to use it.
public struct FeedFetcher: Sendable {
    public var timeout: Duration
    /// The pauses before the second, third… attempt of one request.
    public var retryDelays: [Duration]
    public var maximumPageBytes: Int
    /// Bytes read in one pull at most, pages and details together.
    public var maximumTotalBytes: Int
    /// Services in one feed at most.
    public var maximumItems: Int
    /// How long one pull may take in all.
    public var maximumDuration: Duration
    public var maximumPages: Int
    /// ORUK v3 details fetched for one feed at most (beyond, list items are used as they are, with a note).
    public var maximumDetails: Int
    public var userAgent: String
    let logger: Logger

    public init(
        timeout: Duration = .seconds(30), retryDelays: [Duration] = [.seconds(2), .seconds(10), .seconds(30)],
        maximumPageBytes: Int = 16 << 20, maximumTotalBytes: Int = 64 << 20, maximumItems: Int = 20_000,
        maximumDuration: Duration = .seconds(900), maximumPages: Int = 1000, maximumDetails: Int = 5000,
        userAgent: String = "hubkiosk", logger: Logger
    ) {
        self.timeout = timeout
        self.retryDelays = retryDelays
        self.maximumPageBytes = maximumPageBytes
        self.maximumTotalBytes = maximumTotalBytes
        self.maximumItems = maximumItems
        self.maximumDuration = maximumDuration
        self.maximumPages = maximumPages
        self.maximumDetails = maximumDetails
        self.userAgent = userAgent
        self.logger = logger
    }

    /// Fetches `url` as `format` (`auto`: told from the first page). With `validators`, an unchanged feed gives
    /// ``FeedFetch/Outcome/notModified``.
    public func fetch(
        _ url: URL, format requested: DirectoryFormat = .auto, validators: FeedValidators? = nil
    ) async throws(FeedError) -> FeedFetch {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw FeedError("\(url.absoluteString) is not an http(s) address", retryable: false)
        }
        let seconds = max(timeout.components.seconds, 1)
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .follow(max: 5, allowCycles: false),
            timeout: .init(connect: .seconds(min(seconds, 10)), read: .seconds(seconds)))
        configuration.decompression = .disabled
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let result: Result<FeedFetch, FeedError>
        do throws(FeedError) {
            result = .success(try await fetchPages(url, format: requested, validators: validators, client: client))
        } catch {
            result = .failure(error)
        }
        try? await client.shutdown()
        return try result.get()
    }

    private func fetchPages(
        _ url: URL, format requested: DirectoryFormat, validators: FeedValidators?, client: HTTPClient
    ) async throws(FeedError) -> FeedFetch {
        var budget = Budget(fetcher: self)
        var conditional: [(String, String)] = []
        if let etag = validators?.etag { conditional.append(("If-None-Match", etag)) }
        if let date = validators?.lastModified { conditional.append(("If-Modified-Since", date)) }
        let first = try await get(url, headers: conditional, client: client, budget: &budget)
        if first.status == 304 {
            return FeedFetch(
                outcome: .notModified, validators: validators ?? FeedValidators(), pages: 0,
                requests: budget.requests, notes: [])
        }
        var page = try read(first, url: url, format: requested)
        let format = page.format
        // Validators are kept for a feed that is one document only: a paged API's ETag speaks for its first page,
        // and a change on a later page must not be missed, so a paged feed is fetched whole every time.
        let kept =
            page.isPaged
            ? FeedValidators() : FeedValidators(etag: first.header("ETag"), lastModified: first.header("Last-Modified"))
        var items: [JSONNode] = []
        var seen: Set<String> = []
        var visited: Set<String> = [url.absoluteString]
        var notes: [String] = []
        var repeats = 0
        var pages = 1
        var current = url
        let firstSize = page.items.count
        let firstWasPaged = page.isPaged
        // The number of the page just read: the one asked for, or for the first what the URL or the feed says (in a
        // sane range: a feed's page number is only a hint).
        let base = format == .oruk1 ? 0 : 1
        var number = pageParameter(url) ?? page.number.flatMap { (0...maximumPages).contains($0) ? $0 : nil } ?? base
        while true {
            var added = 0
            for item in page.items {
                if let id = Self.id(of: item) {
                    guard seen.insert(id).inserted else {
                        repeats += 1
                        continue
                    }
                }
                items.append(item)
                added += 1
            }
            guard items.count <= maximumItems else {
                throw FeedError(
                    "\(url.absoluteString) has more than \(maximumItems) services; refused (a kiosk's local "
                        + "directory holds a few hundred: check [directory] source names the hub's area)",
                    retryable: false)
            }
            guard page.isPaged,
                let next = nextPage(after: page, number: number, at: current, added: added, firstSize: firstSize)
            else { break }
            guard visited.insert(next.url.absoluteString).inserted else {
                notes.append("page \(next.url.absoluteString) was linked twice; paging stopped there")
                break
            }
            guard pages < maximumPages else {
                notes.append("stopped after \(maximumPages) pages; the services on later pages are missing")
                break
            }
            let response = try await get(next.url, headers: [], client: client, budget: &budget)
            // A page past the real end: some feeds answer 404 (or 400) rather than an empty page.
            if [400, 404, 416].contains(response.status) { break }
            page = try read(response, url: next.url, format: format)
            pages += 1
            current = next.url
            number = next.number
        }
        if repeats > 0 {
            notes.append("\(repeats) services appeared on more than one page; each is kept once")
        }
        // Only an API (paged) has `/services/{id}`; a plain file served over HTTP has nothing more to give.
        if format == .oruk3 && firstWasPaged {
            items = try await details(for: items, feed: url, client: client, budget: &budget, notes: &notes)
        }
        return FeedFetch(
            outcome: .fetched(document: FeedPage.document(of: items, format: format), format: format),
            validators: kept, pages: pages, requests: budget.requests, notes: notes)
    }

    /// What one fetch may spend: requests made, bytes read and time taken, across its pages and details.
    struct Budget {
        let fetcher: FeedFetcher
        let started = ContinuousClock.now
        var requests = 0
        var bytes = 0

        mutating func spend(bytes count: Int, url: URL) throws(FeedError) {
            bytes += count
            guard bytes <= fetcher.maximumTotalBytes else {
                throw FeedError(
                    "\(url.host ?? "the feed") sent more than \(fetcher.maximumTotalBytes >> 20) MB in one pull; "
                        + "refused (check [directory] source names the hub's area, not a whole country)",
                    retryable: false)
            }
        }

        func checkTime(_ url: URL) throws(FeedError) {
            guard ContinuousClock.now - started <= fetcher.maximumDuration else {
                throw FeedError(
                    "the pull of \(url.host ?? "the feed") took longer than \(fetcher.maximumDuration); stopped "
                        + "(it is tried again later)", retryable: true)
            }
        }
    }

    /// The page after `page` (number `number`, found at `current`), or nil at the end: an empty page, one with
    /// nothing new, an ALISS page without `next`, or a short page at or past the stated count of pages. Full pages
    /// go on whatever the counts say (they can be wrong); the end is then an empty page or a 404.
    func nextPage(
        after page: FeedPage, number: Int, at current: URL, added: Int, firstSize: Int
    ) -> (url: URL, number: Int)? {
        guard !page.items.isEmpty, added > 0 else { return nil }
        if page.format == .aliss {
            guard let next = page.next, let url = URL(string: next, relativeTo: current)?.absoluteURL,
                let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https"
            else { return nil }
            return (url, number + 1)
        }
        let full = page.items.count >= firstSize
        let base = page.format == .oruk1 ? 0 : 1
        if page.isLast == true && !full { return nil }
        if let count = page.totalPages, number - base + 1 >= count, !full { return nil }
        if page.totalPages == nil, page.isLast == nil, !full { return nil }
        guard number < maximumPages + base, let url = withPage(number + 1, current) else { return nil }
        return (url, number + 1)
    }

    func pageParameter(_ url: URL) -> Int? {
        URLComponents(url: url, resolvingAgainstBaseURL: true)?.queryItems?.first { $0.name == "page" }?.value
            .flatMap { Int($0) }
    }

    func withPage(_ number: Int, _ url: URL) -> URL? {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: true) else { return nil }
        var query = (components.queryItems ?? []).filter { $0.name != "page" }
        query.append(URLQueryItem(name: "page", value: String(number)))
        components.queryItems = query
        return components.url
    }

    static func id(of item: JSONNode) -> String? {
        guard let node = item["id"] else { return nil }
        if let text = node.string, !text.isEmpty { return text }
        return node.jsonNumber?.text
    }

    /// ORUK v3 list items often leave out what `/services/{id}` has: schedules, locations, phones. Each item
    /// without one of them is replaced by its full record, when the feed has one under the same id.
    func details(
        for items: [JSONNode], feed: URL, client: HTTPClient, budget: inout Budget, notes: inout [String]
    ) async throws(FeedError) -> [JSONNode] {
        let lacking = items.indices.filter { index in
            let item = items[index]
            guard Self.id(of: item) != nil, item["regular_schedules"] == nil else { return false }
            return item["schedules"] == nil || item["service_at_locations"] == nil || item["phones"] == nil
        }
        guard !lacking.isEmpty else { return items }
        var result = items
        var failed = 0
        let servicesURL = Self.servicesBase(feed)
        for index in lacking.prefix(maximumDetails) {
            guard let id = Self.id(of: items[index]),
                let escaped = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))
            else { continue }
            let url = servicesURL.appendingPathComponent(escaped, isDirectory: false)
            let response: Response
            do throws(FeedError) {
                response = try await get(url, headers: [], client: client, budget: &budget)
            } catch {
                // One record that cannot be fetched keeps its list item; a stopped pull or a spent budget ends it.
                if Task.isCancelled || error.isBudget { throw error }
                failed += 1
                continue
            }
            guard response.status == 200, let page = try? FeedPage.read(response.body, format: .oruk3),
                page.items.count == 1, Self.id(of: page.items[0]) == id
            else {
                failed += 1
                continue
            }
            result[index] = page.items[0]
        }
        if lacking.count > maximumDetails {
            notes.append(
                "\(lacking.count - maximumDetails) services lack schedules, locations or phones and were not fetched "
                    + "one by one (over \(maximumDetails))")
        }
        if failed > 0 {
            notes.append("\(failed) services' own records (/services/{id}) could not be fetched; the list's are used")
        }
        return result
    }

    /// `…/services` for a feed at `…/services?page=…` (or the feed's address with `services` added).
    static func servicesBase(_ feed: URL) -> URL {
        var components = URLComponents(url: feed, resolvingAgainstBaseURL: true) ?? URLComponents()
        components.query = nil
        components.fragment = nil
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        if !path.hasSuffix("/services") { path += "/services" }
        components.path = path
        return components.url ?? feed
    }

    // MARK: - One request

    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        func header(_ name: String) -> String? { headers.first(name: name) }
    }

    private func read(_ response: Response, url: URL, format: DirectoryFormat) throws(FeedError) -> FeedPage {
        guard response.status == 200 else {
            throw FeedError(
                "\(url.absoluteString) answered \(response.status)\(Self.snippet(response.body))",
                retryable: false)
        }
        do {
            return try FeedPage.read(response.body, format: format)
        } catch {
            throw FeedError("\(url.absoluteString): \(error.message)", retryable: false)
        }
    }

    /// One GET, tried again after each of `retryDelays` on a retryable failure; 200, 304 and 404 are answers,
    /// 5xx, 429 and network failures are retried, any other status is returned for the caller to report.
    private func get(
        _ url: URL, headers: [(String, String)], client: HTTPClient, budget: inout Budget
    ) async throws(FeedError) -> Response {
        var attempt = 0
        while true {
            try budget.checkTime(url)
            budget.requests += 1
            let failure: FeedError
            do throws(FeedError) {
                let response = try await once(url, headers: headers, client: client)
                try budget.spend(bytes: response.body.count, url: url)
                if response.status < 500 && response.status != 429 { return response }
                let retryAfter = response.header("Retry-After").flatMap { Int($0) }.map { Duration.seconds($0) }
                failure = FeedError(
                    "\(url.absoluteString) answered \(response.status)\(Self.snippet(response.body))",
                    retryable: true, retryAfter: retryAfter)
            } catch {
                failure = error
            }
            guard failure.retryable, !failure.isBudget, attempt < retryDelays.count, !Task.isCancelled else {
                throw failure
            }
            var pause = retryDelays[attempt]
            if let asked = failure.retryAfter { pause = min(max(pause, asked), .seconds(120)) }
            logger.info(
                "directory feed: \(failure.description); trying again in \(pause)",
                metadata: ["attempt": "\(attempt + 2)"])
            do {
                try await Task.sleep(for: pause)
            } catch {
                throw FeedError("the pull was stopped", retryable: true)
            }
            attempt += 1
        }
    }

    /// One request, answer and body within `timeout` (plus a little): the client's own deadline covers the answer's
    /// head only, and a feed that trickles its body a byte at a time must not hold a pull for ever.
    private func once(_ url: URL, headers: [(String, String)], client: HTTPClient) async throws(FeedError) -> Response {
        let seconds = Int64(max(timeout.components.seconds, 1))
        let outcome = await withTaskGroup(of: Result<Response, FeedError>?.self) { group in
            group.addTask {
                do throws(FeedError) {
                    return .success(try await self.unbounded(url, headers: headers, client: client))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds + 5))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let outcome else {
            throw FeedError("\(url.absoluteString) did not send its answer within \(seconds) s", retryable: true)
        }
        return try outcome.get()
    }

    private func unbounded(
        _ url: URL, headers: [(String, String)], client: HTTPClient
    ) async throws(FeedError) -> Response {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: userAgent)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let seconds = Int64(max(timeout.components.seconds, 1))
        do {
            let response = try await client.execute(request, timeout: .seconds(seconds))
            let body = try await response.body.collect(upTo: maximumPageBytes)
            return Response(
                status: Int(response.status.code), headers: response.headers, body: Array(body.readableBytesView))
        } catch let error as NIOTooManyBytesError {
            _ = error
            throw FeedError(
                "\(url.absoluteString) sent more than \(maximumPageBytes >> 20) MB in one page; refused",
                retryable: false)
        } catch let error as HTTPClientError {
            switch error {
            case .connectTimeout:
                throw FeedError("\(url.host ?? "the feed") did not answer a connection", retryable: true)
            case .readTimeout, .deadlineExceeded:
                throw FeedError("\(url.absoluteString) did not answer within \(seconds) s", retryable: true)
            case .remoteConnectionClosed:
                throw FeedError("\(url.host ?? "the feed") closed the connection before answering", retryable: true)
            case .redirectLimitReached, .redirectCycleDetected, .invalidURL, .emptyScheme,
                .emptyHost:
                throw FeedError(
                    "cannot fetch \(url.absoluteString): \(error); check [directory] source", retryable: false)
            default: throw FeedError("cannot fetch \(url.absoluteString): \(error)", retryable: true)
            }
        } catch {
            throw FeedError("cannot fetch \(url.absoluteString): \(error)", retryable: true)
        }
    }

    /// `: <the start of the body>` for a message, if it is short text.
    static func snippet(_ body: [UInt8]) -> String {
        guard !body.isEmpty else { return "" }
        let text = String(decoding: body.prefix(120), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? "" : ": \(text)\(body.count > 120 ? "…" : "")"
    }
}
