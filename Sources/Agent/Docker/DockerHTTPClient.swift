import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP/1.1 client for the Docker engine's unix socket, one connection per request.
public struct DockerHTTPClient: Sendable {
    /// The socket's file path.
    public var socketPath: String
    /// Where the connections run.
    public var eventLoopGroup: any EventLoopGroup
    /// How long a request without a streamed reply may take, connecting included.
    public var timeout: TimeAmount
    /// The largest reply body collected in memory.
    public var maximumBodyBytes: Int

    /// Creates a client for the socket at `socketPath`.
    public init(
        socketPath: String,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        timeout: TimeAmount = .seconds(2),
        maximumBodyBytes: Int = 8 << 20
    ) {
        self.socketPath = socketPath
        self.eventLoopGroup = eventLoopGroup
        self.timeout = timeout
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// What a request sends after its head.
    public enum Body: Sendable {
        case none
        /// One buffer, with a `Content-Length`.
        case bytes(ByteBuffer, contentType: String)
        /// Chunks as they come, chunked transfer encoding.
        case stream(AsyncThrowingStream<ByteBuffer, any Error>, contentType: String)
    }

    /// Sends `GET path` and returns the status and the whole body.
    public func get(_ path: String) async throws -> (status: Int, body: ByteBuffer) {
        try await send(.GET, path)
    }

    /// Sends a request and collects the whole reply, all within ``timeout``.
    public func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: Body = .none,
                     timeout: TimeAmount? = nil) async throws -> (status: Int, body: ByteBuffer) {
        try await execute(method, path, headers: headers, body: body, deadline: timeout ?? self.timeout) { status, reply in
            var collected = ByteBuffer()
            while var chunk = try await reply.next() {
                guard collected.readableBytes + chunk.readableBytes <= maximumBodyBytes else {
                    throw DockerClientError(.badResponse, "reply to \(method) \(path) exceeds \(maximumBodyBytes) bytes")
                }
                collected.writeBuffer(&chunk)
            }
            return (status, collected)
        }
    }

    /// Sends a request and hands its status and body, chunk by chunk, to `handle`. Without a
    /// `deadline` the request may last as long as `handle` reads (logs, events, pulls, archives).
    public func execute<Result: Sendable>(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: Body = .none,
        deadline: TimeAmount? = nil,
        _ handle: (Int, inout ReplyBody) async throws -> Result
    ) async throws -> Result {
        let channel = try await connect()
        let label = "\(method) \(path) on \(socketPath)"
        let timer = deadline.map { limit in
            // An engine that accepts but never answers must not hold the agent: at the deadline the
            // error ends the inbound stream and the channel closes.
            let expired = DockerClientError(.timedOut, "no reply to \(label) within \(limit.nanoseconds / 1_000_000) ms")
            return channel.channel.eventLoop.scheduleTask(in: limit) {
                channel.channel.pipeline.fireErrorCaught(expired)
                channel.channel.close(promise: nil)
            }
        }
        defer { timer?.cancel() }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                let sendError = try await Self.write(method, path, headers, body, to: outbound)
                var iterator = inbound.makeAsyncIterator()
                guard let status = try await Self.readHead(&iterator) else {
                    if let sendError { throw sendError }
                    throw DockerClientError(.badResponse, "\(label): the engine closed the connection before a reply")
                }
                var reply = ReplyBody(iterator: iterator)
                return try await handle(status, &reply)
            }
        } catch let error as DockerClientError {
            throw error
        } catch let error as BodySourceError {
            // The request's own body failed (a rejected archive): the connection was closed mid-body,
            // so the engine abandons the request; the caller gets the body's error.
            throw error.underlying
        } catch {
            throw DockerClientError(.badResponse, "\(label) failed: \(error)")
        }
    }

    /// The request body's source failed; the request is abandoned.
    struct BodySourceError: Error {
        var underlying: any Error
    }

    /// The body of a reply, chunk by chunk; nil at its end.
    public struct ReplyBody {
        var iterator: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
        var ended = false

        /// The next chunk, or nil at the end of the body.
        public mutating func next() async throws -> ByteBuffer? {
            while !ended, let part = try await iterator.next() {
                switch part {
                case .head: continue
                case .body(let chunk): return chunk
                case .end: ended = true
                }
            }
            if !ended { throw DockerClientError(.badResponse, "the engine closed the connection inside a reply") }
            return nil
        }
    }

    /// Writes the request; returns the error instead of throwing, since the engine may already have
    /// answered (and closed) on a request it refuses, and that answer is the better error.
    private static func write(
        _ method: HTTPMethod, _ path: String, _ headers: [(String, String)], _ body: Body,
        to outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
    ) async throws(BodySourceError) -> (any Error)? {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        // Docker rejects requests without a Host header; the name itself does not matter on a socket.
        head.headers.add(name: "Host", value: "docker")
        head.headers.add(name: "Connection", value: "close")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        do {
            switch body {
            case .none:
                // Without a length NIO would frame a POST body as chunked, which the engine reads as a body.
                if method != .GET && method != .HEAD { head.headers.add(name: "Content-Length", value: "0") }
                // Head and end in one write: the engine may answer and close as soon as it has the head.
                try await outbound.write(contentsOf: [.head(head), .end(nil)])
            case .bytes(let bytes, let contentType):
                head.headers.add(name: "Content-Type", value: contentType)
                head.headers.add(name: "Content-Length", value: String(bytes.readableBytes))
                try await outbound.write(contentsOf: [.head(head), .body(.byteBuffer(bytes)), .end(nil)])
            case .stream(let chunks, let contentType):
                head.headers.add(name: "Content-Type", value: contentType)
                head.headers.add(name: "Transfer-Encoding", value: "chunked")
                try await outbound.write(.head(head))
                var source = chunks.makeAsyncIterator()
                while true {
                    let next: ByteBuffer?
                    do { next = try await source.next() } catch { throw BodySourceError(underlying: error) }
                    guard let chunk = next else { break }
                    if chunk.readableBytes > 0 { try await outbound.write(.body(.byteBuffer(chunk))) }
                }
                try await outbound.write(.end(nil))
            }
            return nil
        } catch let error as BodySourceError {
            throw error
        } catch {
            return error
        }
    }

    /// The status of the reply, or nil when the connection ended first.
    private static func readHead(_ iterator: inout NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator) async throws -> Int? {
        while let part = try await iterator.next() {
            if case .head(let head) = part { return Int(head.status.code) }
        }
        return nil
    }

    /// Opens a connection with the HTTP client codec in its pipeline.
    private func connect() async throws -> NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart> {
        do {
            return try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(timeout)
                .connect(unixDomainSocketPath: socketPath) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw DockerClientError(.unreachable, "cannot connect to \(socketPath): \(error)")
        }
    }
}
