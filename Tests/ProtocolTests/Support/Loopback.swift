import NIOCore
import NIOPosix
import Protocol
import Synchronization

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

/// A `MessageConnection` whose read loop runs in a task over one end of a loopback pair.
struct RunningPeer: Sendable {
    let connection: MessageConnection
    let channel: FrameChannel
    /// The read loop: ends when the transport closes, fails with the error that ended it.
    let loop: Task<Void, any Error>

    /// Handshakes over `channel`, then starts the read loop; fails as the handshake fails.
    static func start(_ channel: FrameChannel, hello: Hello, dialer: Bool, handler: any MessageHandler = TestHandler()) async throws -> RunningPeer {
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Result<MessageConnection, any Error>.self)
        let loop = Task {
            try await channel.executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                let connection: MessageConnection
                do {
                    connection = try await MessageConnection.handshake(ours: hello, inbound: &iterator, outbound: outbound, dialer: dialer)
                } catch {
                    readyContinuation.yield(.failure(error))
                    readyContinuation.finish()
                    throw error
                }
                readyContinuation.yield(.success(connection))
                readyContinuation.finish()
                try await connection.run(inbound: &iterator, handler: handler)
            }
        }
        for await result in ready {
            return RunningPeer(connection: try result.get(), channel: channel, loop: loop)
        }
        throw Loopback.NoConnection()
    }

    /// Closes the transport and waits for the read loop; returns how it ended.
    @discardableResult
    func close() async -> Result<Void, any Error> {
        try? await channel.channel.close()
        return await loop.result
    }
}

/// Hellos used by the tests.
enum Hellos {
    static let agent = Hello(role: .agent, software: "homelab-agent test", capabilities: ["streams"])
    static let controller = Hello(role: .controller, software: "homelab-controller test", challenge: "Y2hhbGxlbmdl")
}

/// Connects an agent-side and a controller-side `MessageConnection`, runs `body`, and closes both.
func withConnectedPeers(
    agentHello: Hello = Hellos.agent,
    controllerHello: Hello = Hellos.controller,
    agentHandler: any MessageHandler = TestHandler(),
    controllerHandler: any MessageHandler = TestHandler(),
    _ body: (_ agent: RunningPeer, _ controller: RunningPeer) async throws -> Void
) async throws {
    let (clientChannel, serverChannel) = try await Loopback.framedPair()
    async let agentPeer = RunningPeer.start(clientChannel, hello: agentHello, dialer: true, handler: agentHandler)
    async let controllerPeer = RunningPeer.start(serverChannel, hello: controllerHello, dialer: false, handler: controllerHandler)
    let (agent, controller) = try await (agentPeer, controllerPeer)
    do {
        try await body(agent, controller)
    } catch {
        await agent.close()
        await controller.close()
        throw error
    }
    await agent.close()
    await controller.close()
}

/// A handler built from closures; by default it answers `ping` and refuses every other request.
struct TestHandler: MessageHandler {
    typealias RequestHandler = @Sendable (InboundMessage, MessageConnection) async throws -> any Codable & Sendable
    typealias EventHandler = @Sendable (InboundMessage, MessageConnection) async -> Void

    var onRequest: RequestHandler
    var onEvent: EventHandler

    init(onRequest: @escaping RequestHandler = { message, _ in try TestHandler.ping(message) }, onEvent: @escaping EventHandler = { _, _ in }) {
        self.onRequest = onRequest
        self.onEvent = onEvent
    }

    /// Answers `ping` with `{}`; any other type with `unknown_type`.
    static func ping(_ message: InboundMessage) throws -> any Codable & Sendable {
        guard message.header.type == MessageType.ping else {
            throw ProtocolError(.unknownType, "no handler for '\(message.header.type)'")
        }
        return Empty()
    }

    func handleRequest(_ message: InboundMessage, on connection: MessageConnection) async throws -> any Codable & Sendable {
        try await onRequest(message, connection)
    }

    func handleEvent(_ message: InboundMessage, on connection: MessageConnection) async {
        await onEvent(message, connection)
    }
}

/// Writing and reading frames by hand, for the raw peer.
enum Wire {
    /// The bytes of one message frame.
    static func frame<Body: Codable & Sendable>(_ envelope: Envelope<Body>) throws -> ByteBuffer {
        var bytes = ByteBuffer()
        FrameEncoder.encode(.message(try WireCoding.encode(envelope)), into: &bytes)
        return bytes
    }

    /// The bytes of one stream frame.
    static func streamFrame(id: UInt32, count: Int) -> ByteBuffer {
        var bytes = ByteBuffer()
        FrameEncoder.encode(.stream(id: id, data: ByteBuffer(repeating: 0x5a, count: count)), into: &bytes)
        return bytes
    }
}

extension NIOAsyncChannelInboundStream<Frame>.AsyncIterator {
    /// The next message frame, parsed; nil at the end of the connection. Stream frames are an error here.
    mutating func nextMessage() async throws -> InboundMessage? {
        guard let frame = try await next() else { return nil }
        guard case .message(let payload) = frame else { throw ProtocolError(.internal, "expected a message, got \(frame)") }
        return try InboundMessage(payload: payload)
    }
}

/// A counter shared between tasks.
final class Counter: Sendable {
    private let value = Mutex(0)
    func add(_ n: Int) { value.withLock { $0 += n } }
    var current: Int { value.withLock { $0 } }
}

/// Values appended from several tasks, in the order they came.
final class Recorder<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])
    func append(_ value: Value) { storage.withLock { $0.append(value) } }
    var values: [Value] { storage.withLock { $0 } }
}

/// The outcome of an async throwing call, as a value.
func outcome<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do { return .success(try await body()) } catch { return .failure(error) }
}
