import NIOCore

/// Writes ``Frame``s as a big-endian `u32` length, the kind byte, and the payload.
public struct FrameEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = Frame

    /// Creates an encoder.
    public init() {}

    public func encode(data: Frame, out: inout ByteBuffer) throws {
        Self.encode(data, into: &out)
    }

    /// Appends the wire form of `frame` to `out`.
    public static func encode(_ frame: Frame, into out: inout ByteBuffer) {
        switch frame {
        case .message(let payload):
            out.writeInteger(UInt32(1 + payload.readableBytes))
            out.writeInteger(FrameLimits.messageKind)
            out.writeImmutableBuffer(payload)
        case .stream(let id, let data):
            out.writeInteger(UInt32(5 + data.readableBytes))
            out.writeInteger(FrameLimits.streamKind)
            out.writeInteger(id)
            out.writeImmutableBuffer(data)
        }
    }
}
