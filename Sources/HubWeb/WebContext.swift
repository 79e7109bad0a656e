import Hummingbird
import HummingbirdCore
import NIOCore

/// The request context of every page: the session, once the guard found one, and who is asking (for the login
/// throttle).
public struct WebContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The signed-in session, set by ``WebSite``'s guard for every route but the public ones.
    public var session: WebSession?
    /// The client's address without its port (a Unix socket's peer is "local").
    public let peer: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        switch source.channel.remoteAddress {
        case .v4(let address)?: peer = address.host
        case .v6(let address)?: peer = address.host
        default: peer = "local"
        }
    }
}
