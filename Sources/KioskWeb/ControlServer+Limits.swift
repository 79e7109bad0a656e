import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore

extension ControlServer {
    /// What one client of the socket may hold, so that a program that opens connections and never finishes a
    /// request (a thousand idle ones, or slowloris: a request a byte at a time) cannot starve the others, nor run
    /// the daemon out of file descriptors.
    public struct Limits: Sendable, Hashable {
        /// Connections open at once; more wait in the listen backlog until one closes.
        public var maximumConnections: Int
        /// Connections that may wait in the listen backlog while `maximumConnections` are open; a connection
        /// beyond it is refused at once. Large, so that a flood of idle connections queues ahead of `hubkiosk`
        /// (and is dropped after `idleTimeout`) rather than shutting it out.
        public var backlog: Int
        /// A connection that sends no complete request head for this long (nothing at all, a head a byte at a
        /// time, or nothing after its answer) is closed. `hubkiosk` sends its request as soon as it connects, so
        /// this is short: a flood of idle connections drains `maximumConnections` every `idleTimeout`.
        public var idleTimeout: Duration
        /// A request body must arrive whole within this time of its head, else the connection is closed.
        public var bodyTimeout: Duration
        /// The largest request body (413 beyond).
        public var maximumBodyBytes: Int

        public init(
            maximumConnections: Int = 256, backlog: Int = 2048, idleTimeout: Duration = .seconds(2),
            bodyTimeout: Duration = .seconds(5), maximumBodyBytes: Int = 64 * 1024
        ) {
            self.maximumConnections = maximumConnections
            self.backlog = backlog
            self.idleTimeout = idleTimeout
            self.bodyTimeout = bodyTimeout
            self.maximumBodyBytes = maximumBodyBytes
        }

        /// The daemon's limits: 256 connections (the unit allows 8,192 descriptors), 2,048 waiting, 2 s to send
        /// a request head, 5 s for a body, 64 KiB bodies. A thousand idle connections are all dropped within
        /// about 8 s (four rounds of 256), well inside `hubkiosk`'s 20 s wait for an answer.
        public static let standard = Limits()
    }

    /// A request refused before it was handled, with its answer.
    struct Refusal: Error {
        var response: Response
    }

    /// Reads the request's JSON body within the limits and decodes it. The failure is the answer to send: 413 for
    /// a body over the limit, 408 for one too slow, 400 naming the field for JSON that does not fit.
    static func decode<T: Decodable>(
        _ type: T.Type, from request: Request, limits: Limits
    ) async -> Result<T, Refusal> {
        let bytes: [UInt8]
        switch await rawBody(of: request, limits: limits) {
        case .success(let body): bytes = body
        case .failure(let refusal): return .failure(refusal)
        }
        do {
            return .success(try JSONDecoder().decode(T.self, from: Data(bytes)))
        } catch let error as DecodingError {
            return .failure(Refusal(response: Self.error(.badRequest, describe(error))))
        } catch {
            return .failure(Refusal(response: Self.error(.badRequest, "the request body is not JSON: \(error)")))
        }
    }

    /// Reads the request's body within the limits, as bytes; the failure is the answer to send (413, 408, 400).
    static func rawBody(of request: Request, limits: Limits) async -> Result<[UInt8], Refusal> {
        do {
            return .success(Array(try await body(of: request, limits: limits).readableBytesView))
        } catch is NIOTooManyBytesError {
            return .failure(
                Refusal(
                    response: error(
                        .contentTooLarge, "the request body is larger than \(limits.maximumBodyBytes) bytes")))
        } catch is BodyTimeout {
            return .failure(
                Refusal(
                    response: error(.requestTimeout, "the request body did not arrive within \(limits.bodyTimeout)")))
        } catch {
            return .failure(Refusal(response: Self.error(.badRequest, "the request body could not be read: \(error)")))
        }
    }

    private struct BodyTimeout: Error {}

    /// The body, up to `maximumBodyBytes`, within `bodyTimeout`.
    private static func body(of request: Request, limits: Limits) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await request.body.collect(upTo: limits.maximumBodyBytes) }
            group.addTask {
                try await Task.sleep(for: limits.bodyTimeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let buffer = first else { throw BodyTimeout() }
            return buffer
        }
    }

    /// "holdMilliseconds: 1e300 is not a whole number in range", etc.: the field and what is wrong with it.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (key.map { [$0] } ?? [])
            guard !keys.isEmpty else { return "the request body" }
            return keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath, key)): missing"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(describe(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(describe(type)), found null"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return "the request body is not JSON: \(context.debugDescription)"
            }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "the request body does not fit: \(error)"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "a whole number"
        case is String.Type: "a string"
        case is [String].Type, is [Any].Type: "a list"
        case is Bool.Type: "true or false"
        case is [String: Any].Type: "a JSON object"
        default: "\(type)"
        }
    }
}
