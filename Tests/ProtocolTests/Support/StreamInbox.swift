import NIOCore
import Protocol

/// Hands the streams a peer accepts to the test.
final class StreamInbox: Sendable {
    let streams: AsyncStream<InboundStream>
    private let continuation: AsyncStream<InboundStream>.Continuation
    let window: UInt64

    init(window: UInt64) {
        self.window = window
        (streams, continuation) = AsyncStream.makeStream(of: InboundStream.self)
    }

    /// A handler that accepts every `stream.open` with this inbox's window.
    var handler: TestHandler {
        TestHandler(onRequest: { [self] message, connection in
            guard message.header.type == MessageType.streamOpen else { return try TestHandler.ping(message) }
            let stream = try await connection.acceptStream(message.body(as: StreamOpen.self), window: window)
            continuation.yield(stream)
            return StreamOpened(credit: window)
        })
    }

    /// The next accepted stream.
    func next() async throws -> InboundStream {
        for await stream in streams { return stream }
        throw HomelabError(.streamError, "no stream was accepted")
    }
}

/// `count` bytes in which every 4-byte word is its own index (big-endian), so loss, duplication
/// and reordering all show.
func numberedBytes(_ count: Int) -> ByteBuffer {
    var buffer = ByteBuffer()
    buffer.reserveCapacity(count)
    for word in 0..<(count / 4) { buffer.writeInteger(UInt32(word)) }
    return buffer
}
