import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A response as the test client read it off the socket.
struct RawResponse: Sendable {
    var status: Int
    /// Header names in lower case.
    var headers: [String: String]
    var body: Data

    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
    }
}

/// A bare HTTP/1.1 client over a TCP socket on 127.0.0.1: it sends exactly the bytes a test gives (so tests can
/// send what no well-behaved client would), one request per connection (`Connection: close`).
struct RawHTTPClient: Sendable {
    var port: Int
    /// HTTPS with this client configuration (its trust roots, and `serverName` checked against the certificate).
    var tls: TLSConfiguration?
    var serverName = "localhost"

    init(port: Int, tls: TLSConfiguration? = nil) {
        self.port = port
        self.tls = tls
    }

    /// Sends a request with `headers` (Host, Content-Length and Connection are added) and reads the response.
    func send(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: Data = Data(),
        chunked: Bool = false
    ) async throws -> RawResponse {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        var bytes = Data()
        if chunked {
            head += "Transfer-Encoding: chunked\r\n\r\n"
            bytes.append(Data(head.utf8))
            var offset = 0
            while offset < body.count {
                let chunk = body[body.index(body.startIndex, offsetBy: offset)...].prefix(1024)
                bytes.append(Data((String(chunk.count, radix: 16) + "\r\n").utf8))
                bytes.append(chunk)
                bytes.append(Data("\r\n".utf8))
                offset += chunk.count
            }
            bytes.append(Data("0\r\n\r\n".utf8))
        } else {
            head += "Content-Length: \(body.count)\r\n\r\n"
            bytes.append(Data(head.utf8))
            bytes.append(body)
        }
        return try await exchange(bytes)
    }

    /// Writes `bytes`, then reads until the server closes the connection.
    func exchange(_ bytes: Data) async throws -> RawResponse {
        let context = try tls.map { try NIOSSLContext(configuration: $0) }
        let serverName = self.serverName
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: context, serverHostname: serverName))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let received = try await channel.executeThenClose { inbound, outbound in
            // The server may answer (413) and close before it read everything: a failed write is not the test's end.
            try? await outbound.write(ByteBuffer(bytes: bytes))
            var received = ByteBuffer()
            do {
                for try await chunk in inbound { received.writeImmutableBuffer(chunk) }
            } catch {
                if received.readableBytes == 0 { throw error }
            }
            return Data(received.readableBytesView)
        }
        return try RawResponse(parsing: received)
    }
}

struct MalformedResponse: Error, CustomStringConvertible {
    var description: String
}

extension RawResponse {
    init(parsing data: Data) throws {
        let separator = Data("\r\n\r\n".utf8)
        guard let end = data.range(of: separator) else {
            throw MalformedResponse(description: "no end of headers in \(data.count) bytes")
        }
        let head = String(decoding: data[data.startIndex..<end.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw MalformedResponse(description: "bad status line in \(head)")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        var body = Data(data[end.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            body = try RawResponse.dechunk(body)
        } else if let length = headers["content-length"].flatMap({ Int($0) }), length <= body.count {
            body = body.prefix(length)
        }
        self.init(status: status, headers: headers, body: body)
    }

    static func dechunk(_ data: Data) throws -> Data {
        var out = Data()
        var rest = data[...]
        let crlf = Data("\r\n".utf8)
        while let lineEnd = rest.range(of: crlf) {
            let sizeText = String(decoding: rest[rest.startIndex..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else {
                throw MalformedResponse(description: "bad chunk size \(sizeText)")
            }
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard rest.distance(from: start, to: rest.endIndex) >= size + 2 else {
                throw MalformedResponse(description: "short chunk")
            }
            let stop = rest.index(start, offsetBy: size)
            out.append(rest[start..<stop])
            rest = rest[rest.index(stop, offsetBy: 2)...]
        }
        return out
    }
}
