import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of every route (API and dashboard): the caller's address (for the auth throttle and the
/// audit log), its channel (to answer a refused WebSocket upgrade, see ``UpgradeRefusal``), who is calling with
/// which role once a bearer token or a dashboard session checked out, and the dashboard session itself.
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
    /// The dashboard session, once the web middleware found one.
    var session: WebSession?
    /// The largest request body a route reads: 1 MiB unless the route sets its own (``limited(to:)``).
    public var maxUploadSize = 1 << 20
    /// Bodies are the wire's JSON, and their errors carry codes (``WireRequestDecoder``).
    public var requestDecoder: WireRequestDecoder { WireRequestDecoder() }
    /// Answers are the wire's JSON (``WireResponseEncoder``).
    public var responseEncoder: WireResponseEncoder { WireResponseEncoder() }

    /// This context with a body limit of its own: `request.decode(as:context: context.limited(to: 64 << 10))`.
    func limited(to bytes: Int) -> Self {
        var context = self
        context.maxUploadSize = bytes
        return context
    }

    /// Creates the context of one request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.channel = source.channel
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
        self.identity = nil
    }
}
