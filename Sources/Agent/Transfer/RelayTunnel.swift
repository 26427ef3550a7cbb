import NIOCore
import NIOPosix
import Protocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A peer connection carried over the controller links when the destination's peer port cannot be
/// reached: a socket pair whose one end is the peer connection (TLS and all, exactly as over TCP) and
/// whose other end is pumped to and from two `relay` streams. The controller relays ciphertext only.
enum RelayTunnel {
    /// A connected pair of stream sockets, both closed on exec.
    static func socketPair() throws -> (connection: Int32, pump: Int32) {
        var ends: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw HomelabError(.runtime, "cannot make a socket pair: \(String(cString: strerror(errno)))")
        }
        return (ends[0], ends[1])
    }

    /// Moves bytes between the pump end of a pair and the two streams until both directions have ended.
    static func pump(_ descriptor: Int32, up: OutboundStream, down: InboundStream) async throws {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.allowRemoteHalfClosure, value: true)
                .withConnectedSocket(descriptor) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                    }
                }
        } catch {
            close(descriptor)
            throw error
        }
        try await channel.executeThenClose { inbound, outbound in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await chunk in down { try await outbound.write(chunk) }
                    outbound.finish()
                }
                do {
                    for try await chunk in inbound { try await up.write(chunk) }
                    try await up.finish()
                } catch {
                    try? await up.finish(error: HomelabError(.connectionClosed, "the relayed connection failed: \(error)"))
                    throw error
                }
                try await group.waitForAll()
            }
        }
    }
}
