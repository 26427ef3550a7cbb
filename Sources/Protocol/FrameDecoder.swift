import NIOCore

/// Turns bytes into ``Frame``s; a frame announcing more than the maximum fails the decoder
/// before a single byte of it is buffered, so the connection is closed and nothing is allocated.
public struct FrameDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = Frame

    /// The largest value the length prefix may carry.
    public let maximumFrameLength: Int

    /// Creates a decoder refusing frames longer than `maximumFrameLength` bytes.
    public init(maximumFrameLength: Int = FrameLimits.defaultMaximumFrameLength) {
        self.maximumFrameLength = maximumFrameLength
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try Self.decodeFrame(from: &buffer, maximumFrameLength: maximumFrameLength) else {
            return .needMoreData
        }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            throw HomelabError(.truncatedFrame, "connection closed in the middle of a frame (\(buffer.readableBytes) bytes left)")
        }
        return .needMoreData
    }

    /// Reads one frame from `buffer` if it holds a whole one; returns nil (consuming nothing)
    /// when more bytes are needed, and throws on a frame that breaks the format.
    public static func decodeFrame(from buffer: inout ByteBuffer, maximumFrameLength: Int) throws -> Frame? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        let frameLength = Int(length)
        // Checked before waiting for the body: an oversized announcement is refused at once.
        guard frameLength <= maximumFrameLength else {
            throw HomelabError(.frameTooLarge, "frame of \(frameLength) bytes exceeds the maximum of \(maximumFrameLength)")
        }
        guard frameLength >= 1 else {
            throw HomelabError(.malformedFrame, "frame of length 0 has no kind byte")
        }
        guard buffer.readableBytes >= FrameLimits.lengthPrefixBytes + frameLength else { return nil }
        let kind = buffer.getInteger(at: buffer.readerIndex + FrameLimits.lengthPrefixBytes, as: UInt8.self)!
        switch kind {
        case FrameLimits.messageKind:
            buffer.moveReaderIndex(forwardBy: FrameLimits.lengthPrefixBytes + 1)
            return .message(buffer.readSlice(length: frameLength - 1)!)
        case FrameLimits.streamKind:
            guard frameLength >= 5 else {
                throw HomelabError(.malformedFrame, "stream frame of length \(frameLength) has no stream id")
            }
            buffer.moveReaderIndex(forwardBy: FrameLimits.lengthPrefixBytes + 1)
            let id = buffer.readInteger(as: UInt32.self)!
            return .stream(id: id, data: buffer.readSlice(length: frameLength - 5)!)
        default:
            throw HomelabError(.malformedFrame, "unknown frame kind \(kind)")
        }
    }
}
