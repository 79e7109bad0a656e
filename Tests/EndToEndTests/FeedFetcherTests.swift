import Foundation
import HTTPTypes
import Hummingbird
import KioskCore
import KioskDirectory
import KioskFeed
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// A loopback server answering each `path?query` with a scripted response, and counting requests.
final class ScriptedServer: Sendable {
    struct Answer: Sendable {
        var status: HTTPResponse.Status = .ok
        var headers: HTTPFields = [:]
        var body: String
        /// Answered only to a request with this header and value (412 otherwise).
        var when: (HTTPField.Name, String)?
    }

    final class Script: Sendable {
        let mutex = Mutex<(answers: [String: [Answer]], requests: [String])>(([:], []))
        /// The next answer for `key` (the last one repeats).
        func next(_ key: String) -> Answer? {
            mutex.withLock { state in
                state.requests.append(key)
                guard var list = state.answers[key], !list.isEmpty else { return nil }
                let answer = list[0]
                if list.count > 1 { list.removeFirst() }
                state.answers[key] = list
                return answer
            }
        }
    }

    let script = Script()
    let port: Int
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    init() async throws {
        let script = self.script
        let router = Router()
        router.get("**") { request, _ -> Response in
            let key = request.uri.description
            guard let answer = script.next(key) else { return Response(status: .notFound) }
            if let (name, value) = answer.when, request.headers[name] != value {
                return Response(status: .preconditionFailed)
            }
            var headers = answer.headers
            headers[.contentType] = "application/json"
            return Response(
                status: answer.status, headers: headers, body: .init(byteBuffer: .init(string: answer.body)))
        }
        var logger = Logger(label: "scripted")
        logger.logLevel = .critical
        let (ready, signal) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in signal.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let group = self.group
        running = Task { try await group.run() }
        var port = 0
        for await value in ready {
            port = value
            break
        }
        self.port = port
    }

    func on(_ key: String, _ answers: Answer...) {
        script.mutex.withLock { $0.answers[key] = answers }
    }

    var requests: [String] { script.mutex.withLock { $0.requests } }

    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }
}

@Suite("Fetching feeds: pages followed without trusting their counts, repeats, retries")
struct FeedFetcherTests {
    static func fetcher() -> FeedFetcher {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        // A generous timeout: a full test run on 2 cores can keep the server's handlers waiting for seconds.
        return FeedFetcher(timeout: .seconds(30), retryDelays: [.milliseconds(20), .milliseconds(20)], logger: logger)
    }

    static func services(_ ids: ClosedRange<Int>, v1: Bool = false) -> String {
        ids.map { id in
            v1
                ? #"{"id": "s\#(id)", "name": "Service \#(id)", "status": "active", "regular_schedules": []}"#
                : #"{"id": "s\#(id)", "name": "Service \#(id)", "status": "active", "schedules": [], "phones": [], "service_at_locations": []}"#
        }.joined(separator: ", ")
    }

    static func decoded(_ fetch: FeedFetch) throws -> [String] {
        guard case .fetched(let document, let format) = fetch.outcome else { throw CancellationError() }
        return DirectoryDecoder().decode(document, format: format).directory.services.map(\.id)
    }

    @Test("ORUK v3: a wrong total_pages (says 1, there are 3), a repeat across pages, a short last page")
    func wrongCounts() async throws {
        let server = try await ScriptedServer()
        server.on(
            "/services",
            .init(
                body: #"{"total_items": 2, "total_pages": 1, "page_number": 1, "contents": [\#(Self.services(1...2))]}"#
            ))
        server.on(
            "/services?page=2",
            .init(body: #"{"total_pages": 1, "page_number": 2, "contents": [\#(Self.services(2...3))]}"#))
        server.on(
            "/services?page=3",
            .init(body: #"{"total_pages": 1, "page_number": 3, "contents": [\#(Self.services(4...4))]}"#))
        let fetch = try await Self.fetcher().fetch(server.url("/services"))
        #expect(try Self.decoded(fetch) == ["s1", "s2", "s3", "s4"])
        #expect(fetch.pages == 3)
        #expect(fetch.notes.contains { $0.contains("1 services appeared on more than one page") }, "\(fetch.notes)")
        try await server.stop()
    }

    @Test("ORUK v1: pages from 0 with `last`; a total_pages too high ends at a 404")
    func v1Pages() async throws {
        let server = try await ScriptedServer()
        server.on(
            "/api/services?per_page=2",
            .init(
                body:
                    #"{"totalElements": 9, "totalPages": 5, "number": 0, "last": false, "content": [\#(Self.services(1...2, v1: true))]}"#
            ))
        server.on(
            "/api/services?per_page=2&page=1",
            .init(
                body:
                    #"{"totalElements": 9, "totalPages": 5, "number": 1, "last": false, "content": [\#(Self.services(3...4, v1: true))]}"#
            ))
        let fetch = try await Self.fetcher().fetch(server.url("/api/services?per_page=2"))
        #expect(try Self.decoded(fetch) == ["s1", "s2", "s3", "s4"])
        #expect(server.requests.contains("/api/services?per_page=2&page=2"), "\(server.requests)")
        try await server.stop()
    }

    @Test("ALISS: `next` followed (relative or absolute) until it is null")
    func alissNext() async throws {
        let server = try await ScriptedServer()
        func page(_ ids: ClosedRange<Int>, next: String?) -> String {
            let items = ids.map {
                #"{"id": "a\#($0)", "name": "ALISS \#($0)", "categories": [], "organisation": {"name": "Org"}, "locations": []}"#
            }
            return
                #"{"count": 3, "next": \#(next.map { "\"\($0)\"" } ?? "null"), "previous": null, "data": [\#(items.joined(separator: ","))]}"#
        }
        server.on("/api/v4/search/?q=food", .init(body: page(1...2, next: "/api/v4/search/?q=food&page=2")))
        server.on("/api/v4/search/?q=food&page=2", .init(body: page(3...3, next: nil)))
        let fetch = try await Self.fetcher().fetch(server.url("/api/v4/search/?q=food"), format: .aliss)
        #expect(try Self.decoded(fetch) == ["a1", "a2", "a3"])
        #expect(fetch.pages == 2)
        try await server.stop()
    }

    @Test(
        "A 503 then a 200 is retried; a 429 with Retry-After too; a 500 every time fails, retryable; 404 does not retry"
    )
    func retries() async throws {
        let server = try await ScriptedServer()
        let good = ScriptedServer.Answer(body: "[\(Self.services(1...1))]")
        server.on("/a", .init(status: .serviceUnavailable, body: "busy"), good)
        var fetch = try await Self.fetcher().fetch(server.url("/a"))
        #expect(try Self.decoded(fetch) == ["s1"])
        #expect(fetch.requests == 2)
        server.on("/b", .init(status: .tooManyRequests, headers: [.retryAfter: "0"], body: ""), good)
        fetch = try await Self.fetcher().fetch(server.url("/b"))
        #expect(fetch.requests == 2)
        server.on("/c", .init(status: .internalServerError, body: "down"))
        do {
            _ = try await Self.fetcher().fetch(server.url("/c"))
            Issue.record("a feed answering 500 gave a directory")
        } catch {
            #expect(error.retryable)
            #expect(error.description.contains("answered 500"), "\(error)")
        }
        #expect(server.requests.filter { $0 == "/c" }.count == 3)
        do {
            _ = try await Self.fetcher().fetch(server.url("/missing"))
            Issue.record("a 404 gave a directory")
        } catch {
            #expect(!error.retryable)
            #expect(error.description.contains("404"))
        }
        #expect(server.requests.filter { $0 == "/missing" }.count == 1)
        try await server.stop()
    }

    @Test("ETag and Last-Modified are sent back; a 304 is \"not modified\"")
    func conditional() async throws {
        let server = try await ScriptedServer()
        server.on(
            "/feed",
            .init(
                headers: [.eTag: "\"abc\"", .lastModified: "Tue, 01 Dec 2026 03:30:00 GMT"],
                body: "[\(Self.services(1...1))]"),
            .init(status: .notModified, body: "", when: (.ifNoneMatch, "\"abc\"")))
        let first = try await Self.fetcher().fetch(server.url("/feed"))
        #expect(first.validators == FeedValidators(etag: "\"abc\"", lastModified: "Tue, 01 Dec 2026 03:30:00 GMT"))
        let second = try await Self.fetcher().fetch(server.url("/feed"), validators: first.validators)
        guard case .notModified = second.outcome else {
            Issue.record("expected not modified (the server answers 304 only to If-None-Match: \"abc\")")
            return
        }
        try await server.stop()
    }

    @Test("A paged feed keeps no validators: a change on a later page is never missed behind a 304 of the first")
    func pagedFeedsAreFetchedWhole() async throws {
        let server = try await ScriptedServer()
        server.on(
            "/services",
            .init(
                headers: [.eTag: "\"p1\""],
                body: #"{"total_pages": 2, "page_number": 1, "contents": [\#(Self.services(1...2))]}"#))
        server.on(
            "/services?page=2",
            .init(body: #"{"total_pages": 2, "page_number": 2, "contents": [\#(Self.services(3...3))]}"#))
        let fetch = try await Self.fetcher().fetch(server.url("/services"))
        #expect(fetch.validators.isEmpty)
        #expect(try Self.decoded(fetch) == ["s1", "s2", "s3"])
        try await server.stop()
    }

    @Test("One full page whose next page is a 404 (a paginator past its end) is the whole feed")
    func notFoundAfterTheFirstPage() async throws {
        let server = try await ScriptedServer()
        server.on(
            "/services",
            .init(
                body: #"{"total_items": 2, "total_pages": 1, "page_number": 1, "contents": [\#(Self.services(1...2))]}"#
            ))
        let fetch = try await Self.fetcher().fetch(server.url("/services"))
        #expect(try Self.decoded(fetch) == ["s1", "s2"])
        #expect(server.requests == ["/services", "/services?page=2"])
        try await server.stop()
    }

    @Test("Page numbers at the integer limits, and an ALISS `next` that loops, end the paging without a crash")
    func hostilePaging() async throws {
        let server = try await ScriptedServer()
        server.on(
            "/big",
            .init(
                body:
                    #"{"total_pages": 9223372036854775807, "page_number": 9223372036854775807, "contents": [\#(Self.services(1...1))]}"#
            ))
        server.on(
            "/big?page=2",
            .init(body: #"{"total_pages": 9223372036854775807, "page_number": -9223372036854775808, "contents": []}"#))
        var fetch = try await Self.fetcher().fetch(server.url("/big"))
        #expect(try Self.decoded(fetch) == ["s1"])
        func page(_ id: Int, next: String) -> String {
            #"{"count": 9, "next": "\#(next)", "data": [{"id": "a\#(id)", "name": "A\#(id)", "categories": [], "organisation": {"name": "O"}, "locations": []}]}"#
        }
        server.on("/aliss/", .init(body: page(1, next: "/aliss/?page=2")))
        server.on("/aliss/?page=2", .init(body: page(2, next: "/aliss/")))
        fetch = try await Self.fetcher().fetch(server.url("/aliss/"), format: .aliss)
        #expect(try Self.decoded(fetch) == ["a1", "a2"])
        #expect(fetch.notes.contains { $0.contains("linked twice") }, "\(fetch.notes)")
        #expect(server.requests.filter { $0.hasPrefix("/aliss") }.count == 2)
        try await server.stop()
    }

    @Test("ORUK v3 details: a record that keeps failing keeps its list item; the pull goes on")
    func failingDetail() async throws {
        let server = try await ScriptedServer()
        let item = #"{"id": "s1", "name": "Listed", "status": "active"}"#
        server.on("/services", .init(body: #"{"total_pages": 1, "page_number": 1, "contents": [\#(item)]}"#))
        server.on("/services/s1", .init(status: .serviceUnavailable, body: "busy"))
        let fetch = try await Self.fetcher().fetch(server.url("/services"))
        #expect(try Self.decoded(fetch) == ["s1"])
        #expect(fetch.notes.contains { $0.contains("could not be fetched") }, "\(fetch.notes)")
        try await server.stop()
    }

    @Test("A pull over its byte budget is refused, saying what to check")
    func budget() async throws {
        let server = try await ScriptedServer()
        server.on("/huge", .init(body: "[\(Self.services(1...400))]"))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let fetcher = FeedFetcher(timeout: .seconds(30), retryDelays: [], maximumTotalBytes: 10_000, logger: logger)
        do {
            _ = try await fetcher.fetch(server.url("/huge"))
            Issue.record("a feed over the budget was read")
        } catch {
            #expect(!error.retryable)
            #expect(error.description.contains("check [directory] source"), "\(error)")
        }
        try await server.stop()
    }
}
