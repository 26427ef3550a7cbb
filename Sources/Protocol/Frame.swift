import NIOCore

/// One unit on the wire: a JSON message (kind 1) or a chunk of binary stream data (kind 2).
public enum Frame: Equatable, Sendable {
    /// Kind 1: one UTF-8 JSON message (an ``Envelope``).
    case message(ByteBuffer)
    /// Kind 2: bytes belonging to the stream `id`.
    case stream(id: UInt32, data: ByteBuffer)

    /// The kind byte that follows the length prefix.
    public var kind: UInt8 {
        switch self {
        case .message: return FrameLimits.messageKind
        case .stream: return FrameLimits.streamKind
        }
    }
}

/// Sizes and constants of the framing layer, as `docs/protocol.md` specifies them.
public enum FrameLimits {
    /// Kind byte of a JSON message frame.
    public static let messageKind: UInt8 = 1
    /// Kind byte of a binary stream frame.
    public static let streamKind: UInt8 = 2
    /// Default upper bound of the length prefix (16 MiB): the kind byte plus the payload.
    public static let defaultMaximumFrameLength = 16 * 1024 * 1024
    /// Bytes of the length prefix.
    public static let lengthPrefixBytes = 4
}
