import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Protocol
import Synchronization

/// A TCP listener on the agent for other homelab devices: TLS 1.3 with a client certificate that chains
/// to the homelab's CA (anything else fails in the handshake, before a byte of the protocol above), at
/// most `connections` at once, each done with its handshake within `handshakeTimeout`. What runs above
/// TLS is the caller's (the framed protocol on the peer port; HTTP would do as well).
final class MutualTLSListener<Wrapped: Sendable>: Sendable {
    /// Where and with which limits it listens.
    struct Settings: Sendable {
        /// Address to bind (`0.0.0.0`: every IPv4 interface).
        var host: String
        /// TCP port (0: one the kernel picks, for tests).
        var port: Int
        /// Connections served at once; more are closed as they come.
        var connections: Int
        /// How long a connection may take to present a valid certificate.
        var handshakeTimeout: Duration
    }

    /// An accepted connection after its TLS handshake.
    struct Connection: Sendable {
        /// The connection, as `wrap` made it.
        let channel: Wrapped
        /// The NIO channel underneath.
        let raw: any Channel
        /// The device id the client certificate names (nil when it names none).
        let device: String?
        /// The peer's address (`relay` for a connection relayed by the controller).
        let address: String
    }

    let settings: Settings
    let tls: PeerTLSSource
    /// Adds the handlers above TLS and wraps the channel (synchronously, on its event loop).
    let wrap: @Sendable (any Channel) throws -> Wrapped
    /// Closes a wrapped channel that is refused before it is served (an async channel must be finished, not dropped).
    let dispose: @Sendable (Wrapped) async -> Void
    let logger: Logger
    private let open = Mutex(0)

    init(settings: Settings, tls: PeerTLSSource, logger: Logger, wrap: @escaping @Sendable (any Channel) throws -> Wrapped,
         dispose: @escaping @Sendable (Wrapped) async -> Void) {
        self.settings = settings
        self.tls = tls
        self.logger = logger
        self.wrap = wrap
        self.dispose = dispose
    }

    /// Listens until cancelled (or until `stop` fires), reporting the bound port once, and serves each
    /// connection in a child task; at the end the sessions are cancelled and awaited.
    func run(bound: @Sendable (Int) -> Void, serve: @escaping @Sendable (Connection) async -> Void) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: settings.host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture { try self.pipeline(channel, address: channel.remoteAddress?.ipAddress ?? "?") }
            }
        bound(server.channel.localAddress?.port ?? settings.port)
        try await withTaskCancellationHandler {
            try await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    defer { group.cancelAll() }
                    for try await accepted in inbound {
                        // Counted here, in the order connections come, so the cap holds whatever order the tasks run in.
                        let admitted = open.withLock { open in
                            guard open < settings.connections else { return false }
                            open += 1
                            return true
                        }
                        guard admitted, !Task.isCancelled else {
                            if admitted { open.withLock { $0 -= 1 } } else {
                                logger.warning("refused a peer connection from \(accepted.address): \(settings.connections) connections already open")
                            }
                            await dispose(accepted.channel)
                            continue
                        }
                        group.addTask {
                            defer { self.open.withLock { $0 -= 1 } }
                            await self.handshake(accepted, serve: serve)
                        }
                    }
                }
            }
        } onCancel: {
            server.channel.close(promise: nil)
        }
    }

    /// Serves a connection that did not come through the listening socket (one end of a socket pair whose
    /// other end the controller relays), with the same TLS, limits and checks.
    func serve(connectedSocket descriptor: Int32, serve: @escaping @Sendable (Connection) async -> Void) async throws {
        let accepted = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .withConnectedSocket(descriptor) { channel in
                channel.eventLoop.makeCompletedFuture { try self.pipeline(channel, address: "relay") }
            }
        await handshake(accepted, serve: serve)
    }

    /// What an accepted connection is before its handshake ends.
    struct Accepted: Sendable {
        let channel: Wrapped
        let raw: any Channel
        let certificate: EventLoopFuture<NIOSSLCertificate?>
        let address: String
    }

    private func pipeline(_ channel: any Channel, address: String) throws -> Accepted {
        // Before enrollment there is no certificate to present: such a connection gets nothing. (A failed
        // initializer alone would leave the connection open.) The files are read only until there is one.
        guard let contexts = tls.cached ?? (try? tls.contexts()) else {
            channel.close(promise: nil)
            throw HomelabError(.unauthorized, "this device is not enrolled yet")
        }
        let promise = channel.eventLoop.makePromise(of: NIOSSLCertificate?.self)
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(NIOSSLServerHandler(context: contexts.server))
        try sync.addHandler(PeerCertificateObserver(promise: promise))
        let deadline = channel.eventLoop.scheduleTask(in: .nanoseconds(settings.handshakeTimeout.nanoseconds)) {
            channel.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in deadline.cancel() }
        return Accepted(channel: try wrap(channel), raw: channel, certificate: promise.futureResult, address: address)
    }

    private func handshake(_ accepted: Accepted, serve: @Sendable (Connection) async -> Void) async {
        let certificate: NIOSSLCertificate
        do {
            guard let presented = try await accepted.certificate.get() else { throw HomelabError(.unauthorized, "no client certificate") }
            certificate = presented
        } catch {
            logger.warning("refused a peer connection from \(accepted.address): TLS failed: \(error)")
            await dispose(accepted.channel)
            return
        }
        await serve(Connection(channel: accepted.channel, raw: accepted.raw, device: PeerTLS.deviceID(of: certificate), address: accepted.address))
    }
}

extension Duration {
    /// The whole duration in nanoseconds.
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue + attoseconds / 1_000_000_000
    }
}
