import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of every route: Hummingbird's core storage and WebSocket handle, the peer's address
/// (for the login throttle) and, on dashboard pages, the signed-in session.
public struct APIRequestContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The WebSocket upgrade handle.
    public let webSocket: WebSocketHandlerReference<Self>
    /// The client's address, when the connection has one.
    public let remoteAddress: SocketAddress?
    /// The dashboard session, once the session middleware found one.
    var session: WebSession?

    /// Creates a context for a request on `source`'s channel.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        remoteAddress = source.channel.remoteAddress
    }

    /// The address a login throttle counts failures by.
    var sourceAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
