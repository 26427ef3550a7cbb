import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP/1.1 client for the Docker engine's unix socket, one connection per request.
public struct DockerHTTPClient: Sendable {
    /// The socket's file path.
    public var socketPath: String
    /// Where the connections run.
    public var eventLoopGroup: any EventLoopGroup
    /// How long one request may take, connecting included.
    public var timeout: TimeAmount
    /// The largest reply body accepted.
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

    /// Sends `GET path` and returns the status and the whole body.
    public func get(_ path: String) async throws -> (status: Int, body: ByteBuffer) {
        let channel = try await connect()
        let expired = DockerClientError(
            .timedOut, "no reply to GET \(path) on \(socketPath) within \(timeout.nanoseconds / 1_000_000) ms"
        )
        // An engine that accepts but never answers must not hold the agent: at the deadline the error ends
        // the inbound stream and the channel closes.
        let deadline = channel.channel.eventLoop.scheduleTask(in: timeout) {
            channel.channel.pipeline.fireErrorCaught(expired)
            channel.channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
                // Docker rejects requests without a Host header; the name itself does not matter on a socket.
                head.headers.add(name: "Host", value: "docker")
                head.headers.add(name: "Connection", value: "close")
                // Head and end in one write: the engine answers a GET as soon as it has the head and
                // may close at once, so a separate write of the end could find the channel closed.
                try await outbound.write(contentsOf: [.head(head), .end(nil)])
                return try await readResponse(inbound)
            }
        } catch let error as DockerClientError {
            throw error
        } catch {
            throw DockerClientError(.badResponse, "GET \(path) on \(socketPath) failed: \(error)")
        }
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

    /// Collects one response from the inbound parts.
    private func readResponse(
        _ inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>
    ) async throws -> (status: Int, body: ByteBuffer) {
        var status: Int?
        var body = ByteBuffer()
        for try await part in inbound {
            switch part {
            case .head(let head):
                status = Int(head.status.code)
            case .body(var chunk):
                guard body.readableBytes + chunk.readableBytes <= maximumBodyBytes else {
                    throw DockerClientError(.badResponse, "reply from \(socketPath) exceeds \(maximumBodyBytes) bytes")
                }
                body.writeBuffer(&chunk)
            case .end:
                guard let status else { break }
                return (status, body)
            }
        }
        throw DockerClientError(.badResponse, "\(socketPath) closed the connection before a complete reply")
    }
}
