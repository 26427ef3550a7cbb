import NIOCore
import Protocol

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
