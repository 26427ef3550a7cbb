import NIOCore
import NIOPosix
import NIOSSL
import Protocol

/// The framed protocol on agent-to-agent connections, and dialing a destination (straight to its peer
/// port, or over one end of a relay's socket pair) with the destination's device checked.
enum PeerConnection {
    /// A framed channel: what the peer port and the dialer both speak above TLS.
    typealias Channel = NIOAsyncChannel<Frame, Frame>

    /// How long a dial may take to connect.
    static let connectTimeout: TimeAmount = .seconds(5)

    /// Adds the frame codec above TLS and wraps the channel.
    static func wrap(_ channel: any NIOCore.Channel) throws -> Channel {
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(ByteToMessageHandler(FrameDecoder(maximumFrameLength: FrameLimits.defaultMaximumFrameLength)))
        try sync.addHandler(MessageToByteHandler(FrameEncoder()))
        return try Channel(wrappingChannelSynchronously: channel)
    }

    /// Closes a channel that will not be used (an async channel must be finished, not dropped).
    @Sendable static func dispose(_ channel: Channel) async {
        channel.channel.close(promise: nil)
        try? await channel.executeThenClose { _, _ in }
    }

    /// Connects to `host:port`; a failure to connect at all is `peer_unreachable` (the relay's cue).
    static func dial(host: String, port: Int, tls: PeerTLS, destination: String) async throws -> Channel {
        let dialed: (Channel, EventLoopFuture<NIOSSLCertificate?>)
        do {
            dialed = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(connectTimeout)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture { try clientPipeline(channel, tls: tls) }
                }
        } catch {
            throw HomelabError(.peerUnreachable, "cannot reach the destination's peer port \(host):\(port): \(error)")
        }
        return try await checked(dialed, destination: destination, where: "\(host):\(port)")
    }

    /// Runs the client side of a peer connection over one end of a socket pair (a relay).
    static func dial(socket descriptor: Int32, tls: PeerTLS, destination: String) async throws -> Channel {
        let dialed = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .withConnectedSocket(descriptor) { channel in
                channel.eventLoop.makeCompletedFuture { try clientPipeline(channel, tls: tls) }
            }
        return try await checked(dialed, destination: destination, where: "the relay")
    }

    private static func clientPipeline(_ channel: any NIOCore.Channel, tls: PeerTLS) throws -> (Channel, EventLoopFuture<NIOSSLCertificate?>) {
        let promise = channel.eventLoop.makePromise(of: NIOSSLCertificate?.self)
        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls.client, serverHostname: nil))
        try channel.pipeline.syncOperations.addHandler(PeerCertificateObserver(promise: promise))
        return (try wrap(channel), promise.futureResult)
    }

    /// Waits for the handshake and checks that the certificate names `destination`, before any frame.
    private static func checked(_ dialed: (Channel, EventLoopFuture<NIOSSLCertificate?>), destination: String, where place: String) async throws -> Channel {
        let (channel, certificate) = dialed
        let named: String?
        do {
            named = try await certificate.get().flatMap(PeerTLS.deviceID(of:))
        } catch {
            await dispose(channel)
            throw HomelabError(.unauthorized, "TLS with the destination at \(place) failed: \(error)")
        }
        guard named == destination else {
            await dispose(channel)
            throw HomelabError(.unauthorized, "the device at \(place) is \(named ?? "no device"), not the destination \(destination)")
        }
        return channel
    }

    /// The `hello` of an agent on a peer connection.
    static var hello: Hello { Hello(role: .agent, software: "homelab-agent \(BuildInfo.version)", capabilities: ["transfer"]) }
}
