import NIOCore
import Protocol

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
        guard case .message(let payload) = frame else { throw HomelabError(.internal, "expected a message, got \(frame)") }
        return try InboundMessage(payload: payload)
    }
}
