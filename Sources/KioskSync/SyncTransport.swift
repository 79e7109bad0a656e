import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import Synchronization

/// One HTTP answer, read whole (bounded).
public struct SyncResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// A network failure (no answer): the address, DNS, refused, reset, timed out, TLS.
public struct SyncNetworkError: Error, Sendable, CustomStringConvertible {
    public var description: String
    /// Whether it was the certificate (never retried into success by waiting: staff must look).
    public var isTrustFailure: Bool
}

/// The kiosk's HTTP client (AsyncHTTPClient) with the enrolment's trust: a CA file or a pinned certificate, never
/// the system store; plain HTTP only to loopback. No redirects; bounded answers.
public final class SyncTransport: Sendable {
    let client: HTTPClient
    let address: ServiceAddress
    /// The largest answer read.
    static let maxResponseBytes = 1 << 20

    public init(
        address: ServiceAddress, trust: SyncTrust, files: SyncFiles, timeout: Duration = .seconds(30)
    ) throws(SyncSetupError) {
        self.address = address
        let seconds = max(timeout.components.seconds, 1)
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(min(seconds, 10)), read: .seconds(seconds)))
        configuration.httpVersion = .http1Only
        configuration.decompression = .disabled
        if address.isSecure {
            configuration.tlsConfiguration = try Self.tlsConfiguration(trust, files: files)
        } else if case .loopback = trust {
            // Plain, to this machine only (ServiceAddress refuses anything else).
        } else {
            throw SyncSetupError("\(address) is plain http but the enrolment expects TLS; enrol again")
        }
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    static func tlsConfiguration(_ trust: SyncTrust, files: SyncFiles) throws(SyncSetupError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        switch trust {
        case .loopback:
            throw SyncSetupError("an https:// service needs --ca FILE or --pin sha256/…; enrol again with one")
        case .certificateAuthority(let file):
            let path = file.hasPrefix("/") ? file : files.path(file)
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
            } catch {
                throw SyncSetupError("the CA file \(path) cannot be read as PEM certificates: \(error)")
            }
        case .pinned(_, let file):
            let path = file.hasPrefix("/") ? file : files.path(file)
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
            } catch {
                throw SyncSetupError("the pinned certificate \(path) cannot be read: \(error); enrol again")
            }
            // The pinned certificate is the identity: the name in it need not match the address.
            tls.certificateVerification = .noHostnameVerification
        }
        return tls
    }

    /// Sends one request and reads the whole answer.
    public func send(
        method: String, path: String, headers: [(String, String)], body: Data, timeout: Duration = .seconds(30)
    ) async throws(SyncNetworkError) -> SyncResponse {
        var request = HTTPClientRequest(url: address.url(path))
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(
                request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
            let bytes = try await response.body.collect(upTo: Self.maxResponseBytes)
            return SyncResponse(
                status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                body: Data(bytes.readableBytesView))
        } catch {
            throw Self.networkError(error, address: address)
        }
    }

    static func networkError(_ error: any Error, address: ServiceAddress) -> SyncNetworkError {
        if let ssl = error as? NIOSSLError {
            if case .handshakeFailed = ssl {
                return SyncNetworkError(
                    description: "the TLS handshake with \(address) failed (\(ssl)): its certificate is not the "
                        + "one trusted at enrolment (a proxy, or a new certificate); check the address, or enrol "
                        + "again with the service's CA (--ca) or pin (--pin)", isTrustFailure: true)
            }
            return SyncNetworkError(description: "TLS with \(address) failed: \(ssl)", isTrustFailure: true)
        }
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout:
                return .init(description: "\(address) did not answer a connection (timeout)", isTrustFailure: false)
            case .readTimeout, .deadlineExceeded:
                return .init(description: "\(address) did not answer in time", isTrustFailure: false)
            case .remoteConnectionClosed:
                return .init(description: "\(address) closed the connection before answering", isTrustFailure: false)
            default: break
            }
        }
        let text = "\(error)"
        let trust = text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate")
        return SyncNetworkError(
            description: "cannot reach \(address): \(text)" + (trust ? " (the certificate was not trusted)" : ""),
            isTrustFailure: trust)
    }

    /// Closes the client's connections.
    public func shutdown() async {
        try? await client.shutdown()
    }
}

/// `sha256/BASE64` of a certificate's SubjectPublicKeyInfo (what `hubreport tls pin` prints).
public func publicKeyPin(of certificate: NIOSSLCertificate) throws -> String {
    let spki = try certificate.extractPublicKey().toSPKIBytes()
    return "sha256/" + Data(SHA256.hash(data: spki)).base64EncodedString()
}

/// Connects to `address` once and returns the certificate of the chain it presents whose public key has `pin`, or
/// says what it found instead. The connection does not trust anything else: it only looks.
public func fetchPinnedCertificate(
    address: ServiceAddress, pin: String
) async throws(SyncSetupError)
    -> NIOSSLCertificate
{
    let seen = Mutex<[NIOSSLCertificate]>([])
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.certificateVerification = .none
    let context: NIOSSLContext
    do {
        context = try NIOSSLContext(configuration: tls)
    } catch {
        throw SyncSetupError("cannot set up TLS: \(error)")
    }
    let hostname = address.isLoopback || address.host.contains(":") ? nil : address.host
    let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connectTimeout(.seconds(10))
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let handler = try NIOSSLClientHandler(
                    context: context, serverHostname: hostname,
                    customVerificationCallback: { chain, promise in
                        seen.withLock { $0 = chain }
                        promise.succeed(.certificateVerified)
                    })
                try channel.pipeline.syncOperations.addHandler(handler)
                try channel.pipeline.syncOperations.addHandler(HandshakeWaiter())
            }
        }
    do {
        let channel = try await bootstrap.connect(host: address.host, port: address.port).get()
        let waiter = try await channel.pipeline.handler(type: HandshakeWaiter.self).get()
        try await waiter.done.futureResult.get()
        try? await channel.close()
    } catch {
        throw SyncSetupError("cannot read the certificate of \(address): \(error)")
    }
    let chain = seen.withLock { $0 }
    for certificate in chain where (try? publicKeyPin(of: certificate)) == pin { return certificate }
    let found = chain.compactMap { try? publicKeyPin(of: $0) }.joined(separator: ", ")
    throw SyncSetupError(
        "\(address) presents no certificate with the pin \(pin) (it presents \(found.isEmpty ? "none" : found)); "
            + "check the pin with the partnership's administrator (hubreport tls pin --cert FILE)")
}

/// Completes `done` when the TLS handshake finished (or failed).
final class HandshakeWaiter: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    // Set and completed on the channel's event loop only.
    var done: EventLoopPromise<Void>!
    private var finished = false

    func handlerAdded(context: ChannelHandlerContext) {
        done = context.eventLoop.makePromise()
    }

    private func finish(_ result: Result<Void, any Error>) {
        guard !finished else { return }
        finished = true
        done.completeWith(result)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { finish(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(ChannelError.ioOnClosedChannel))
        context.fireChannelInactive()
    }
}
