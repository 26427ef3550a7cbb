import NIOCore
import Protocol
import Synchronization
import Testing

// The limit is for a hang; the full suite on two loaded cores made the 8 MiB debug-build copy take over a minute.
@Suite("Streams with credit-based flow control", .timeLimit(.minutes(3)))
struct StreamTests {
    @Test("a 4 MiB stream through a 64 KiB window arrives intact and in order")
    func bigStreamArrivesIntact() async throws {
        let inbox = StreamInbox(window: 64 * 1024)
        let payload = numberedBytes(4 * 1024 * 1024)
        try await withConnectedPeers(controllerHandler: inbox.handler) { agent, _ in
            let outbound = try await agent.connection.openStream(purpose: "bench")
            #expect(outbound.id % 2 == 1, "the dialer opens odd stream ids")
            let inbound = try await inbox.next()
            #expect(inbound.id == outbound.id)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    var rest = payload
                    // Pieces that do not line up with the window or the 64 KiB frame size.
                    while rest.readableBytes > 0 {
                        try await outbound.write(rest.readSlice(length: min(100_000, rest.readableBytes))!)
                    }
                    try await outbound.finish()
                }
                var received = ByteBuffer()
                received.reserveCapacity(payload.readableBytes)
                var largestChunk = 0
                for try await var chunk in inbound {
                    largestChunk = max(largestChunk, chunk.readableBytes)
                    received.writeBuffer(&chunk)
                }
                try await group.waitForAll()
                #expect(received.readableBytes == payload.readableBytes)
                #expect(received == payload)
                #expect(largestChunk <= 64 * 1024)
            }
        }
    }

    @Test("a slow reader bounds the sender: writes suspend and unconsumed bytes never exceed the window")
    func slowReaderBoundsTheSender() async throws {
        let window = 64 * 1024
        let total = 512 * 1024
        let piece = 1024
        let inbox = StreamInbox(window: UInt64(window))
        let sent = Counter()
        let writerDone = Counter()
        try await withConnectedPeers(controllerHandler: inbox.handler) { agent, _ in
            let outbound = try await agent.connection.openStream(purpose: "slow")
            let inbound = try await inbox.next()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for _ in 0..<(total / piece) {
                        try await outbound.write(ByteBuffer(repeating: 7, count: piece))
                        sent.add(piece)
                    }
                    writerDone.add(1)
                    try await outbound.finish()
                }
                // Phase 1: nobody reads. The sender fills the window and then its write suspends.
                let clock = ContinuousClock()
                let deadline = clock.now + .seconds(10)
                while sent.current < window, clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
                #expect(sent.current == window)
                try await Task.sleep(for: .milliseconds(300))
                #expect(sent.current == window, "nothing more is sent while nothing is consumed")
                #expect(writerDone.current == 0, "the writer is still suspended")

                // Phase 2: read slowly; at every step, sent - consumed stays within the window.
                var consumed = 0
                var largestInFlight = 0
                var iterator = inbound.makeAsyncIterator()
                while let chunk = try await iterator.next() {
                    consumed += chunk.readableBytes
                    if consumed % (16 * 1024) == 0 { try await Task.sleep(for: .milliseconds(5)) }
                    // The sender had the whole pause to use whatever credit it holds.
                    let inFlight = sent.current - consumed
                    largestInFlight = max(largestInFlight, inFlight)
                    #expect(inFlight <= window, "\(inFlight) bytes sent but unconsumed with a \(window)-byte window")
                }
                try await group.waitForAll()
                #expect(consumed == total)
                #expect(largestInFlight <= window)
                #expect(largestInFlight >= window / 2, "the sender did use its credit")
            }
        }
    }

    @Test("a receiver's stream.close with an error fails the sender's next write with it")
    func receiverAbortFailsWriter() async throws {
        let inbox = StreamInbox(window: 1024)
        try await withConnectedPeers(controllerHandler: inbox.handler) { agent, controller in
            let outbound = try await agent.connection.openStream(purpose: "abort")
            let inbound = try await inbox.next()
            try await outbound.write(ByteBuffer(repeating: 1, count: 1024))
            let abort = HomelabError(.streamError, "disk full")
            try await controller.connection.sendEvent(MessageType.streamClose, StreamClose(stream: inbound.id, error: abort))
            // Wait until the abort has been processed; the write then fails instead of waiting for credit.
            let result = await outcome { try await outbound.write(ByteBuffer(repeating: 2, count: 10)) }
            #expect(result.failure as? HomelabError == abort)
        }
    }

    @Test("a sender's stream.close with an error ends the reader with that error")
    func senderAbortFailsReader() async throws {
        let inbox = StreamInbox(window: 1024)
        try await withConnectedPeers(controllerHandler: inbox.handler) { agent, _ in
            let outbound = try await agent.connection.openStream(purpose: "abort")
            let inbound = try await inbox.next()
            try await outbound.write(ByteBuffer(string: "partial"))
            try await outbound.finish(error: HomelabError(.internal, "source vanished"))
            var iterator = inbound.makeAsyncIterator()
            #expect(try await iterator.next() == ByteBuffer(string: "partial"))
            let result = await outcome { try await iterator.next() }
            #expect(result.failure as? HomelabError == HomelabError(.internal, "source vanished"))
        }
    }

    @Test("stream ids are odd from the dialer and even from the acceptor, and never repeat")
    func streamIDsByRole() async throws {
        let agentInbox = StreamInbox(window: 1024)
        let controllerInbox = StreamInbox(window: 1024)
        try await withConnectedPeers(agentHandler: agentInbox.handler, controllerHandler: controllerInbox.handler) { agent, controller in
            let a1 = try await agent.connection.openStream(purpose: "x")
            let a2 = try await agent.connection.openStream(purpose: "x")
            let c1 = try await controller.connection.openStream(purpose: "x")
            let c2 = try await controller.connection.openStream(purpose: "x")
            #expect([a1.id, a2.id] == [1, 3])
            #expect([c1.id, c2.id] == [2, 4])
        }
    }

    @Test("a sender that writes beyond its credit gets a fatal stream_error and the connection closes")
    func creditOverrunIsFatal() async throws {
        try await expectStreamError { outbound, credit in
            try await outbound.write(Wire.streamFrame(id: 1, count: credit))
            try await outbound.write(Wire.streamFrame(id: 1, count: 1))
        }
    }

    @Test("data for a stream that is not open gets a fatal stream_error")
    func dataForUnknownStreamIsFatal() async throws {
        try await expectStreamError { outbound, _ in
            try await outbound.write(Wire.streamFrame(id: 99, count: 10))
        }
    }

    /// A raw agent opens stream 1, then misbehaves; expects a fatal `stream_error` and the end of the connection.
    private func expectStreamError(
        sourceLocation: SourceLocation = #_sourceLocation,
        misbehave: @escaping @Sendable (NIOAsyncChannelOutboundWriter<ByteBuffer>, Int) async throws -> Void
    ) async throws {
        let inbox = StreamInbox(window: 1024)
        let (raw, serverChannel) = try await Loopback.rawClientPair()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await raw.executeThenClose { inbound, outbound in
                    var frames = inbound.makeAsyncIterator()
                    try await outbound.write(Wire.frame(Envelope(id: 0, type: MessageType.hello, body: Hellos.agent)))
                    #expect(try await frames.nextMessage()?.header.type == MessageType.hello, sourceLocation: sourceLocation)
                    try await outbound.write(Wire.frame(Envelope(id: 1, type: MessageType.streamOpen, body: StreamOpen(stream: 1, purpose: "x"))))
                    let reply = try #require(try await frames.nextMessage(), sourceLocation: sourceLocation)
                    #expect(reply.header.re == 1, sourceLocation: sourceLocation)
                    let credit = try reply.body(as: StreamOpened.self).credit
                    #expect(credit == 1024, sourceLocation: sourceLocation)
                    try await misbehave(outbound, Int(credit))
                    let last = try #require(try await frames.nextMessage(), sourceLocation: sourceLocation)
                    #expect(last.header.type == MessageType.error, sourceLocation: sourceLocation)
                    #expect(last.header.re == nil, sourceLocation: sourceLocation)
                    #expect(try last.body(as: HomelabError.self).code == .streamError, sourceLocation: sourceLocation)
                    #expect(try await frames.next() == nil, "the connection closes", sourceLocation: sourceLocation)
                }
            }
            let controller = try await RunningPeer.start(serverChannel, hello: Hellos.controller, dialer: false, handler: inbox.handler)
            let ended = await controller.loop.result
            #expect((ended.failure as? HomelabError)?.code == .streamError, sourceLocation: sourceLocation)
            try await group.waitForAll()
        }
    }
}
