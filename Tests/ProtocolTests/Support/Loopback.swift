import NIOCore
import NIOPosix
import Protocol

/// A connection end that reads and writes frames.
typealias FrameChannel = NIOAsyncChannel<Frame, Frame>
/// A connection end that reads frames but writes raw bytes, to break the protocol on purpose.
typealias RawChannel = NIOAsyncChannel<Frame, ByteBuffer>

/// Two real NIO channels connected over a TCP socket on 127.0.0.1.
enum Loopback {
    struct NoConnection: Error {}

    /// A client and a server end, both framed.
    static func framedPair(maximumFrameLength: Int = FrameLimits.defaultMaximumFrameLength) async throws -> (client: FrameChannel, server: FrameChannel) {
        try await pair(maximumFrameLength: maximumFrameLength) { channel in
            try channel.pipeline.syncOperations.addHandlers(
                ByteToMessageHandler(FrameDecoder(maximumFrameLength: maximumFrameLength)),
                MessageToByteHandler(FrameEncoder())
            )
            return try FrameChannel(wrappingChannelSynchronously: channel)
        }
    }

    /// A raw client end (decodes frames, writes bytes) and a framed server end.
    static func rawClientPair(maximumFrameLength: Int = FrameLimits.defaultMaximumFrameLength) async throws -> (client: RawChannel, server: FrameChannel) {
        try await pair(maximumFrameLength: maximumFrameLength) { channel in
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
            return try RawChannel(wrappingChannelSynchronously: channel)
        }
    }

    private static func pair<Client: Sendable>(
        maximumFrameLength: Int,
        client configureClient: @escaping @Sendable (any Channel) throws -> Client
    ) async throws -> (client: Client, server: FrameChannel) {
        let group = MultiThreadedEventLoopGroup.singleton
        let listener = try await ServerBootstrap(group: group)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(FrameDecoder(maximumFrameLength: maximumFrameLength)),
                        MessageToByteHandler(FrameEncoder())
                    )
                    return try FrameChannel(wrappingChannelSynchronously: channel)
                }
            }
        guard let port = listener.channel.localAddress?.port else { throw NoConnection() }
        async let accepted: FrameChannel = listener.executeThenClose { connections in
            for try await connection in connections { return connection }
            throw NoConnection()
        }
        let client = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try configureClient(channel) }
        }
        return (client, try await accepted)
    }
}
