import FoundationEssentials
import NIOCore

/// What a connection does with messages the peer starts: requests get replies, events do not.
public protocol MessageHandler: Sendable {
    /// Answers a request; the returned body is sent as the `reply`. A thrown ``HomelabError`` is sent as `error`.
    func handleRequest(_ message: InboundMessage, on connection: MessageConnection) async throws -> any Codable & Sendable
    /// Takes an event; nothing is sent back.
    func handleEvent(_ message: InboundMessage, on connection: MessageConnection) async
    /// Told when `handleRequest` threw something other than a ``HomelabError``: the peer only gets an
    /// `internal` error without the details, which belong in this side's log.
    func requestFailed(_ message: InboundMessage, error: any Error) async
}

/// One framed JSON connection after `hello`: request/reply correlation, events, and kind-2
/// streams with credit-based flow control. Transport-agnostic: it reads and writes ``Frame``s.
public actor MessageConnection {
    /// The negotiated protocol version.
    public nonisolated let version: Int
    /// The peer's hello.
    public nonisolated let peerHello: Hello
    private let outbound: NIOAsyncChannelOutboundWriter<Frame>
    private var nextMessageID: UInt64 = 1
    private var nextStreamID: UInt32
    /// Where each outstanding request stands.
    private enum PendingRequest {
        /// Written (or being written); nobody waits yet.
        case sent
        /// The outcome came before the requester started waiting.
        case settled(Result<InboundMessage, any Error>)
        /// The requester waits.
        case waiting(CheckedContinuation<InboundMessage, any Error>)
    }
    private var pending: [UInt64: PendingRequest] = [:]
    private var outboundStreams: [UInt32: OutboundStreamState] = [:]
    private var inboundStreams: [UInt32: InboundStreamState] = [:]
    private var closedError: HomelabError?

    /// Creates a connection over an already-negotiated channel; `dialer` picks odd stream ids, the other side even ones.
    public init(outbound: NIOAsyncChannelOutboundWriter<Frame>, version: Int, peerHello: Hello, dialer: Bool) {
        self.outbound = outbound
        self.version = version
        self.peerHello = peerHello
        self.nextStreamID = dialer ? 1 : 2
    }

    // MARK: Handshake

    /// Sends our `hello`, reads the peer's, and negotiates the version; fails clearly on anything else.
    public static func handshake(
        ours: Hello,
        inbound: inout NIOAsyncChannelInboundStream<Frame>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<Frame>,
        dialer: Bool
    ) async throws -> MessageConnection {
        try await outbound.write(.message(WireCoding.encode(Envelope(id: 0, type: MessageType.hello, body: ours))))
        guard let first = try await inbound.next() else {
            throw HomelabError(.connectionClosed, "connection closed before the peer's hello")
        }
        guard case .message(let payload) = first else {
            throw HomelabError(.handshakeRequired, "the first frame must be a hello message, not stream data")
        }
        let message = try InboundMessage(payload: payload)
        if message.header.type == MessageType.error {
            throw try message.body(as: HomelabError.self)
        }
        guard message.header.type == MessageType.hello else {
            throw HomelabError(.handshakeRequired, "the first message must be hello, not '\(message.header.type)'")
        }
        let theirs = try message.body(as: Hello.self)
        let version: Int
        do {
            version = try ours.versions.negotiate(with: theirs.versions)
        } catch let error as HomelabError {
            try? await outbound.write(.message(WireCoding.encode(Envelope(id: 1, type: MessageType.error, body: error))))
            throw error
        }
        return MessageConnection(outbound: outbound, version: version, peerHello: theirs, dialer: dialer)
    }

    // MARK: Sending

    /// Sends an event (no reply expected).
    public func sendEvent<Body: Codable & Sendable>(_ type: String, _ body: Body) async throws {
        try checkOpen()
        try await write(Envelope(v: version, id: takeID(), type: type, body: body))
    }

    /// Sends a request and waits for its reply, up to `timeout`.
    public func request<Body: Codable & Sendable, Reply: Codable & Sendable>(
        _ type: String, _ body: Body, as: Reply.Type = Reply.self, timeout: Duration = .seconds(30)
    ) async throws -> Reply {
        try checkOpen()
        let id = takeID()
        let encoded = try WireCoding.encode(Envelope(v: version, id: id, type: type, body: body))
        // Registered before the write: the reply may be dispatched while the write is suspended.
        pending[id] = .sent
        let timer = Task {
            try await Task.sleep(for: timeout)
            self.complete(id, with: .failure(HomelabError(.timeout, "no reply to '\(type)' within \(timeout)")))
        }
        defer { timer.cancel() }
        do {
            try await outbound.write(.message(encoded))
        } catch {
            pending.removeValue(forKey: id)
            throw closedError ?? HomelabError(.connectionClosed, "could not send: connection closed")
        }
        let message = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<InboundMessage, any Error>) in
                wait(for: id, with: continuation)
            }
        } onCancel: {
            Task { await self.complete(id, with: .failure(CancellationError())) }
        }
        if message.header.type == MessageType.error {
            throw try message.body(as: HomelabError.self)
        }
        return try message.body(as: Reply.self)
    }

    /// Starts waiting for the reply to `id`, or takes the outcome that came first.
    private func wait(for id: UInt64, with continuation: CheckedContinuation<InboundMessage, any Error>) {
        switch pending.removeValue(forKey: id) {
        case .sent:
            pending[id] = .waiting(continuation)
        case .settled(let result):
            continuation.resume(with: result)
        case .waiting, nil:
            continuation.resume(throwing: closedError ?? HomelabError(.internal, "request \(id) is not pending"))
        }
    }

    /// Delivers the outcome of request `id` to its waiter, or keeps it until the waiter comes.
    private func complete(_ id: UInt64, with result: Result<InboundMessage, any Error>) {
        switch pending[id] {
        case .waiting(let continuation):
            pending.removeValue(forKey: id)
            continuation.resume(with: result)
        case .sent:
            pending[id] = .settled(result)
        case .settled, nil:
            break  // already answered, timed out or cancelled: the first outcome wins
        }
    }

    private func write<Body>(_ envelope: Envelope<Body>) async throws {
        try await outbound.write(.message(WireCoding.encode(envelope)))
    }

    private func takeID() -> UInt64 {
        defer { nextMessageID += 1 }
        return nextMessageID
    }

    private func checkOpen() throws {
        if let closedError { throw closedError }
    }

    // MARK: Receiving

    /// Reads frames until the peer closes, answering requests through `handler`; requests are
    /// handled concurrently, events in order. Fails every waiting request when it ends.
    public nonisolated func run(inbound: inout NIOAsyncChannelInboundStream<Frame>.AsyncIterator, handler: any MessageHandler) async throws {
        let (requests, requestSink) = AsyncStream.makeStream(of: InboundMessage.self)
        async let served: Void = serve(requests, handler: handler)
        do {
            while let frame = try await inbound.next() {
                switch frame {
                case .message(let payload):
                    let message = try InboundMessage(payload: payload)
                    if let request = try await dispatch(message, handler: handler) {
                        requestSink.yield(request)
                    }
                case .stream(let id, let data):
                    try await receiveStreamData(id: id, data: data)
                }
            }
            requestSink.finish()
            // Fail our own outstanding requests first: a handler still running may be waiting on one.
            await close(with: HomelabError(.connectionClosed, "the peer closed the connection"))
            await served
        } catch {
            requestSink.finish()
            let protocolError = error as? HomelabError ?? HomelabError(.connectionClosed, "connection failed: \(error)")
            if protocolError.code != .connectionClosed {
                // Tell the peer why before the transport closes; best effort.
                try? await sendFatal(protocolError)
            }
            await close(with: protocolError)
            await served
            throw protocolError
        }
    }

    private nonisolated func serve(_ requests: AsyncStream<InboundMessage>, handler: any MessageHandler) async {
        await withTaskGroup(of: Void.self) { group in
            for await request in requests {
                group.addTask { await self.answer(request, handler: handler) }
            }
        }
    }

    private func sendFatal(_ error: HomelabError) async throws {
        try await write(Envelope(v: version, id: takeID(), type: MessageType.error, body: error))
    }

    /// Handles replies and events in place; returns the message when it is a request to answer.
    private func dispatch(_ message: InboundMessage, handler: any MessageHandler) async throws -> InboundMessage? {
        let header = message.header
        if let re = header.re, header.type == MessageType.reply || header.type == MessageType.error {
            complete(re, with: .success(message))
            return nil
        }
        switch header.type {
        case MessageType.error:
            // An error without `re` is the peer's last word before closing.
            throw try message.body(as: HomelabError.self)
        case MessageType.streamCredit:
            let credit = try message.body(as: StreamCredit.self)
            outboundStreams[credit.stream]?.grant(credit.bytes)
        case MessageType.streamClose:
            let close = try message.body(as: StreamClose.self)
            if let state = inboundStreams.removeValue(forKey: close.stream) {
                state.finish(error: close.error)
            } else if let state = outboundStreams.removeValue(forKey: close.stream) {
                state.abort(close.error ?? HomelabError(.streamError, "the receiver closed the stream"))
            }
        case let type where MessageType.events.contains(type):
            await handler.handleEvent(message, on: self)
        case MessageType.hello:
            throw HomelabError(.handshakeRequired, "hello sent twice")
        default:
            return message
        }
        return nil
    }

    private func answer(_ message: InboundMessage, handler: any MessageHandler) async {
        do {
            let reply = try await handler.handleRequest(message, on: self)
            try await write(Envelope(v: version, id: takeID(), type: MessageType.reply, re: message.header.id, body: AnyBody(reply)))
        } catch {
            let protocolError: HomelabError
            if let error = error as? HomelabError {
                protocolError = error
            } else {
                await handler.requestFailed(message, error: error)
                protocolError = HomelabError(.internal, "'\(message.header.type)' failed on the \(peerHello.role == .agent ? "controller" : "agent"); its log has the details")
            }
            try? await write(Envelope(v: version, id: takeID(), type: MessageType.error, re: message.header.id, body: protocolError))
        }
    }

    private func close(with error: HomelabError) {
        guard closedError == nil else { return }
        closedError = error
        for id in Array(pending.keys) { complete(id, with: .failure(error)) }
        for stream in outboundStreams.values { stream.abort(error) }
        outboundStreams.removeAll()
        for stream in inboundStreams.values { stream.finish(error: error) }
        inboundStreams.removeAll()
    }

    // MARK: Streams

    /// Opens a stream to the peer and returns its sending end, once the peer granted initial credit.
    public func openStream(purpose: String, parameters: [String: String] = [:]) async throws -> OutboundStream {
        let id = nextStreamID
        nextStreamID &+= 2
        let state = OutboundStreamState()
        outboundStreams[id] = state
        do {
            let opened = try await request(MessageType.streamOpen, StreamOpen(stream: id, purpose: purpose, parameters: parameters), as: StreamOpened.self)
            state.grant(opened.credit)
        } catch {
            outboundStreams.removeValue(forKey: id)
            throw error
        }
        return OutboundStream(id: id, connection: self, state: state)
    }

    /// Accepts a stream the peer opened (call from `handleRequest` for `stream.open`); reply with
    /// `StreamOpened(credit: window)`. The peer may never have more than `window` bytes unread.
    public func acceptStream(_ open: StreamOpen, window: UInt64 = 1 << 20) throws -> InboundStream {
        guard inboundStreams[open.stream] == nil else {
            throw HomelabError(.streamError, "stream \(open.stream) is already open")
        }
        let state = InboundStreamState(window: window)
        inboundStreams[open.stream] = state
        return InboundStream(id: open.stream, window: window, connection: self, state: state)
    }

    private func receiveStreamData(id: UInt32, data: ByteBuffer) throws {
        guard let state = inboundStreams[id] else {
            throw HomelabError(.streamError, "data for stream \(id), which is not open")
        }
        guard state.accept(data) else {
            throw HomelabError(.streamError, "stream \(id) sent more than its credit")
        }
    }

    func sendStreamData(id: UInt32, data: ByteBuffer) async throws {
        try checkOpen()
        try await outbound.write(.stream(id: id, data: data))
    }

    func finishOutbound(id: UInt32, error: HomelabError?) async throws {
        outboundStreams.removeValue(forKey: id)
        try await sendEvent(MessageType.streamClose, StreamClose(stream: id, error: error))
    }

    func consumed(id: UInt32, bytes: UInt64) async {
        guard let grant = inboundStreams[id]?.consumed(bytes) else { return }
        try? await sendEvent(MessageType.streamCredit, StreamCredit(stream: id, bytes: grant))
    }
}

/// Type-erases a reply body for encoding.
struct AnyBody: Codable, Sendable {
    let value: any Codable & Sendable
    init(_ value: any Codable & Sendable) { self.value = value }
    init(from decoder: any Decoder) throws { throw HomelabError(.internal, "AnyBody is encode-only") }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
