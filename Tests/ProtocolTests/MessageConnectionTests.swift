import NIOCore
import Protocol
import Synchronization
import Testing

@Suite("MessageConnection over a loopback socket", .timeLimit(.minutes(1)))
struct MessageConnectionTests {
    @Test("the handshake exchanges hellos and both sides agree on the highest common version")
    func handshakeNegotiates() async throws {
        let agentHello = Hello(role: .agent, versions: ProtocolVersionRange(min: 1, max: 3), software: "a", capabilities: ["streams"])
        let controllerHello = Hello(role: .controller, versions: ProtocolVersionRange(min: 1, max: 2), software: "c", challenge: "Y2g=")
        try await withConnectedPeers(agentHello: agentHello, controllerHello: controllerHello) { agent, controller in
            #expect(agent.connection.version == 2)
            #expect(controller.connection.version == 2)
            #expect(agent.connection.peerHello == controllerHello)
            #expect(controller.connection.peerHello == agentHello)
        }
    }

    @Test("a handshake without a common version fails on both sides with version_mismatch naming both ranges")
    func handshakeVersionMismatch() async throws {
        let (clientChannel, serverChannel) = try await Loopback.framedPair()
        let newer = Hello(role: .agent, versions: ProtocolVersionRange(min: 2, max: 3), software: "a")
        async let agent = outcome { try await RunningPeer.start(clientChannel, hello: newer, dialer: true) }
        async let controller = outcome { try await RunningPeer.start(serverChannel, hello: Hellos.controller, dialer: false) }
        let (agentResult, controllerResult) = await (agent, controller)

        let agentError = try #require(agentResult.failure as? HomelabError)
        #expect(agentError.code == .versionMismatch)
        #expect(agentError.message == "no common protocol version: we speak v2-v3, the peer speaks v1")
        let controllerError = try #require(controllerResult.failure as? HomelabError)
        #expect(controllerError.code == .versionMismatch)
        #expect(controllerError.message == "no common protocol version: we speak v1, the peer speaks v2-v3")
    }

    @Test("a first message that is not hello fails the handshake with handshake_required")
    func firstMessageMustBeHello() async throws {
        let (raw, serverChannel) = try await Loopback.rawClientPair()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await raw.executeThenClose { inbound, outbound in
                    var frames = inbound.makeAsyncIterator()
                    try await outbound.write(Wire.frame(Envelope(id: 0, type: MessageType.ping, body: Empty())))
                    #expect(try await frames.nextMessage()?.header.type == MessageType.hello)
                    // The refusing side closes the connection.
                    #expect(try await frames.next() == nil)
                }
            }
            let result = await outcome { try await RunningPeer.start(serverChannel, hello: Hellos.controller, dialer: false) }
            let error = try #require(result.failure as? HomelabError)
            #expect(error.code == .handshakeRequired)
            #expect(error.message.contains("'ping'"))
            try await group.waitForAll()
        }
    }

    @Test("an error in place of the peer's hello is the handshake's outcome")
    func errorInsteadOfHello() async throws {
        let (raw, serverChannel) = try await Loopback.rawClientPair()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await raw.executeThenClose { inbound, outbound in
                    var frames = inbound.makeAsyncIterator()
                    try await outbound.write(Wire.frame(Envelope(id: 0, type: MessageType.error, body: HomelabError(.deviceRevoked, "gone"))))
                    _ = try await frames.nextMessage()
                }
            }
            let result = await outcome { try await RunningPeer.start(serverChannel, hello: Hellos.controller, dialer: false) }
            #expect(result.failure as? HomelabError == HomelabError(.deviceRevoked, "gone"))
            try await group.waitForAll()
        }
    }

    @Test("concurrent requests in both directions each get their own reply")
    func concurrentRequestsAreCorrelated() async throws {
        let controllerHandler = TestHandler(onRequest: { message, _ in
            guard message.header.type == "echo" else { return try TestHandler.ping(message) }
            let echo = try message.body(as: Echo.self)
            // Later requests answer first, so replies come back out of order.
            try await Task.sleep(for: .milliseconds((20 - echo.n) * 5))
            return Echo(n: echo.n * 2)
        })
        try await withConnectedPeers(controllerHandler: controllerHandler) { agent, controller in
            try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for n in 0..<20 {
                    group.addTask { (n, try await agent.connection.request("echo", Echo(n: n), as: Echo.self).n) }
                }
                var answered = 0
                for try await (n, doubled) in group {
                    #expect(doubled == 2 * n)
                    answered += 1
                }
                #expect(answered == 20)
            }
            // And the other way round: the controller asks, the agent answers.
            _ = try await controller.connection.request(MessageType.ping, Empty(), as: Empty.self)
        }
    }

    @Test("an error reply is thrown as a HomelabError with its code and message")
    func errorReplyIsThrown() async throws {
        struct NotProtocol: Error {}
        let controllerHandler = TestHandler(onRequest: { message, _ in
            switch message.header.type {
            case MessageType.enroll: throw HomelabError(.unauthorized, "device is pending approval")
            case "crash": throw NotProtocol()
            default: return try TestHandler.ping(message)
            }
        })
        try await withConnectedPeers(controllerHandler: controllerHandler) { agent, _ in
            let refused = await outcome { try await agent.connection.request(MessageType.enroll, Empty(), as: Empty.self) }
            #expect(refused.failure as? HomelabError == HomelabError(.unauthorized, "device is pending approval"))

            let crashed = await outcome { try await agent.connection.request("crash", Empty(), as: Empty.self) }
            #expect((crashed.failure as? HomelabError)?.code == .internal)

            let unknown = await outcome { try await agent.connection.request("no.such.type", Empty(), as: Empty.self) }
            #expect((unknown.failure as? HomelabError)?.code == .unknownType)

            // The connection survives error replies.
            _ = try await agent.connection.request(MessageType.ping, Empty(), as: Empty.self)
        }
    }

    @Test("a request without a timely reply fails with timeout, and the late reply is ignored")
    func requestTimesOut() async throws {
        let controllerHandler = TestHandler(onRequest: { message, _ in
            if message.header.type == "slow" { try await Task.sleep(for: .milliseconds(600)) }
            return Empty()
        })
        try await withConnectedPeers(controllerHandler: controllerHandler) { agent, _ in
            let clock = ContinuousClock()
            let started = clock.now
            let result = await outcome { try await agent.connection.request("slow", Empty(), as: Empty.self, timeout: .milliseconds(150)) }
            let elapsed = clock.now - started
            let error = try #require(result.failure as? HomelabError)
            #expect(error.code == .timeout)
            #expect(error.message.contains("'slow'"))
            #expect(elapsed >= .milliseconds(150))
            // Let the late reply arrive, then check the connection still works.
            try await Task.sleep(for: .milliseconds(600))
            _ = try await agent.connection.request(MessageType.ping, Empty(), as: Empty.self, timeout: .seconds(5))
        }
    }

    @Test("outstanding and later requests fail with connection_closed when the peer goes away")
    func requestsFailWhenPeerCloses() async throws {
        let (raw, serverChannel) = try await Loopback.rawClientPair()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // A peer that says hello, reads three requests without answering, and hangs up.
                try await raw.executeThenClose { inbound, outbound in
                    var frames = inbound.makeAsyncIterator()
                    try await outbound.write(Wire.frame(Envelope(id: 0, type: MessageType.hello, body: Hellos.agent)))
                    var seen = 0
                    while seen < 3, let message = try await frames.nextMessage() {
                        if message.header.type == "work" { seen += 1 }
                    }
                }
            }
            let controller = try await RunningPeer.start(serverChannel, hello: Hellos.controller, dialer: false)
            let failures = await withTaskGroup(of: (any Error)?.self) { requests in
                for n in 0..<3 {
                    requests.addTask { await outcome { try await controller.connection.request("work", Echo(n: n), as: Echo.self) }.failure }
                }
                var failures: [HomelabError.Code?] = []
                for await failure in requests { failures.append((failure as? HomelabError)?.code) }
                return failures
            }
            #expect(failures == [.connectionClosed, .connectionClosed, .connectionClosed])
            let later = await outcome { try await controller.connection.request(MessageType.ping, Empty(), as: Empty.self) }
            #expect((later.failure as? HomelabError)?.code == .connectionClosed)
            // The read loop ends cleanly: the peer closing is not a protocol error.
            let ended = await controller.loop.result
            #expect(ended.failure == nil)
            try await group.waitForAll()
        }
    }

    @Test("malformed JSON from the peer gets a fatal malformed_message error and the connection closes")
    func malformedMessageIsFatal() async throws {
        try await expectFatal(.malformedMessage) { outbound in
            var bytes = ByteBuffer()
            FrameEncoder.encode(.message(ByteBuffer(string: "{\"v\":1,")), into: &bytes)
            try await outbound.write(bytes)
        }
    }

    @Test("an oversized frame from the peer gets a fatal frame_too_large error without waiting for its body")
    func oversizedFrameIsFatal() async throws {
        try await expectFatal(.frameTooLarge) { outbound in
            try await outbound.write(ByteBuffer(bytes: [0x01, 0x00, 0x00, 0x01, 0x01]))
        }
    }

    @Test("a second hello is a fatal handshake_required error")
    func secondHelloIsFatal() async throws {
        try await expectFatal(.handshakeRequired) { outbound in
            try await outbound.write(Wire.frame(Envelope(id: 1, type: MessageType.hello, body: Hellos.agent)))
        }
    }

    @Test("a fatal error from the peer fails outstanding requests with that error")
    func peerFatalErrorFailsRequests() async throws {
        let (raw, serverChannel) = try await Loopback.rawClientPair()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await raw.executeThenClose { inbound, outbound in
                    var frames = inbound.makeAsyncIterator()
                    try await outbound.write(Wire.frame(Envelope(id: 0, type: MessageType.hello, body: Hellos.agent)))
                    while let message = try await frames.nextMessage(), message.header.type != "work" {}
                    try await outbound.write(Wire.frame(Envelope(id: 1, type: MessageType.error, body: HomelabError(.deviceRevoked, "revoked"))))
                    _ = try await frames.next()
                }
            }
            let controller = try await RunningPeer.start(serverChannel, hello: Hellos.controller, dialer: false)
            let result = await outcome { try await controller.connection.request("work", Empty(), as: Empty.self) }
            #expect(result.failure as? HomelabError == HomelabError(.deviceRevoked, "revoked"))
            _ = await controller.close()
            try await group.waitForAll()
        }
    }

    @Test("events are handled in order and never answered")
    func eventsInOrderWithoutReply() async throws {
        let seen = Recorder<UInt64>()
        let handler = TestHandler(onEvent: { message, _ in
            if message.header.type == MessageType.heartbeat { seen.append(message.header.id) }
        })
        let (raw, serverChannel) = try await Loopback.rawClientPair()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await raw.executeThenClose { inbound, outbound in
                    var frames = inbound.makeAsyncIterator()
                    try await outbound.write(Wire.frame(Envelope(id: 0, type: MessageType.hello, body: Hellos.agent)))
                    #expect(try await frames.nextMessage()?.header.type == MessageType.hello)
                    for id in UInt64(1)...20 {
                        try await outbound.write(Wire.frame(Envelope(id: id, type: MessageType.heartbeat, body: Heartbeat(time: .now))))
                    }
                    try await outbound.write(Wire.frame(Envelope(id: 21, type: MessageType.ping, body: Empty())))
                    // The first answer is the ping's: nothing was sent back for the twenty events.
                    let reply = try #require(try await frames.nextMessage())
                    #expect(reply.header.type == MessageType.reply)
                    #expect(reply.header.re == 21)
                }
            }
            let controller = try await RunningPeer.start(serverChannel, hello: Hellos.controller, dialer: false, handler: handler)
            try await group.waitForAll()
            _ = await controller.close()
        }
        #expect(seen.values == Array(1...20))
    }

    /// Says hello as a raw agent, misbehaves, and expects a fatal error of `code` without `re`, then the end of the connection.
    private func expectFatal(
        _ code: HomelabError.Code,
        sourceLocation: SourceLocation = #_sourceLocation,
        misbehave: @escaping @Sendable (NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws -> Void
    ) async throws {
        let (raw, serverChannel) = try await Loopback.rawClientPair()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await raw.executeThenClose { inbound, outbound in
                    var frames = inbound.makeAsyncIterator()
                    try await outbound.write(Wire.frame(Envelope(id: 0, type: MessageType.hello, body: Hellos.agent)))
                    #expect(try await frames.nextMessage()?.header.type == MessageType.hello, sourceLocation: sourceLocation)
                    try await misbehave(outbound)
                    let last = try #require(try await frames.nextMessage(), sourceLocation: sourceLocation)
                    #expect(last.header.type == MessageType.error, sourceLocation: sourceLocation)
                    #expect(last.header.re == nil, sourceLocation: sourceLocation)
                    #expect(try last.body(as: HomelabError.self).code == code, sourceLocation: sourceLocation)
                    #expect(try await frames.next() == nil, "the connection closes after the fatal error", sourceLocation: sourceLocation)
                }
            }
            let controller = try await RunningPeer.start(serverChannel, hello: Hellos.controller, dialer: false)
            let ended = await controller.loop.result
            #expect((ended.failure as? HomelabError)?.code == code, sourceLocation: sourceLocation)
            try await group.waitForAll()
        }
    }
}
