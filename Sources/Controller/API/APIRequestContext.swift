import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of every API route: the caller's address (for the auth throttle and the audit log),
/// its channel (to answer a refused WebSocket upgrade, see ``UpgradeRefusal``) and, once the bearer token
/// checked out, who is calling with which role.
public struct APIRequestContext: RequestContext, WebSocketRequestContext {
    /// Hummingbird's storage (parameters, logger, the matched route).
    public var coreContext: CoreRequestContextStorage
    /// The WebSocket handler a `ws` route sets.
    public let webSocket: WebSocketHandlerReference<Self>
    /// The connection's channel.
    public let channel: any Channel
    /// The caller's IP address, when the connection has one.
    public let remoteAddress: String?
    /// The authenticated caller; nil on public routes and before authentication.
    public var identity: APIIdentity?

    /// Creates the context of one request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.channel = source.channel
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
        self.identity = nil
    }
}
