/// An error that crosses the wire or a module boundary: a stable code and a message for people.
public struct ProtocolError: Error, Codable, Equatable, Sendable, CustomStringConvertible {
    /// Stable, machine-readable error codes. New codes may be added; receivers treat unknown ones as `internal`.
    public struct Code: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A frame's length prefix exceeds the negotiated maximum.
        public static let frameTooLarge = Code(rawValue: "frame_too_large")
        /// A frame is shorter than its kind requires or has an unknown kind.
        public static let malformedFrame = Code(rawValue: "malformed_frame")
        /// The connection ended inside a frame.
        public static let truncatedFrame = Code(rawValue: "truncated_frame")
        /// A JSON message could not be decoded.
        public static let malformedMessage = Code(rawValue: "malformed_message")
        /// The peers share no protocol version.
        public static let versionMismatch = Code(rawValue: "version_mismatch")
        /// The first message was not `hello`, or `hello` came twice.
        public static let handshakeRequired = Code(rawValue: "handshake_required")
        /// The request type is unknown to the receiver.
        public static let unknownType = Code(rawValue: "unknown_type")
        /// The caller is not allowed to do this (unauthenticated, revoked, pending).
        public static let unauthorized = Code(rawValue: "unauthorized")
        /// The join token is unknown, used, expired or revoked.
        public static let invalidToken = Code(rawValue: "invalid_token")
        /// The device certificate was revoked or the device was removed.
        public static let deviceRevoked = Code(rawValue: "device_revoked")
        /// A signature or proof of possession did not verify.
        public static let badSignature = Code(rawValue: "bad_signature")
        /// A stream was used outside of its protocol (unknown id, credit overrun).
        public static let streamError = Code(rawValue: "stream_error")
        /// The receiver is at its limit (e.g. enrolling connections); retry later.
        public static let busy = Code(rawValue: "busy")
        /// The request timed out waiting for a reply.
        public static let timeout = Code(rawValue: "timeout")
        /// The connection closed before a reply arrived.
        public static let connectionClosed = Code(rawValue: "connection_closed")
        /// A stack spec (or archive) that cannot be applied; the message names the fields.
        public static let invalidSpec = Code(rawValue: "invalid_spec")
        /// The container engine failed the operation (pull, create, a dependency that never got healthy).
        public static let runtime = Code(rawValue: "runtime_error")
        /// The object asked for does not exist on the device.
        public static let notFound = Code(rawValue: "not_found")
        /// A peer connection was refused: no transfer from that device is expected.
        public static let transferRefused = Code(rawValue: "transfer_refused")
        /// The transfer ticket is not one the destination expects.
        public static let ticketUnknown = Code(rawValue: "ticket_unknown")
        /// The transfer ticket was presented before; tickets are good for one connection.
        public static let ticketUsed = Code(rawValue: "ticket_used")
        /// The transfer ticket expired before the source presented it.
        public static let ticketExpired = Code(rawValue: "ticket_expired")
        /// The transfer ticket names another source device than the certificate presenting it.
        public static let ticketWrongDevice = Code(rawValue: "ticket_wrong_device")
        /// What the destination wrote differs from the source's manifest.
        public static let manifestMismatch = Code(rawValue: "manifest_mismatch")
        /// The destination's file system filled up.
        public static let noSpace = Code(rawValue: "no_space")
        /// The destination's peer port could not be reached (and no relay was allowed, or it failed too).
        public static let peerUnreachable = Code(rawValue: "peer_unreachable")
        /// A volume to receive exists already and was not made for the same migration.
        public static let volumeExists = Code(rawValue: "volume_exists")
        /// A volume holds something a transfer does not carry (a device node, a name that is not UTF-8).
        public static let unsupportedFile = Code(rawValue: "unsupported_file")
        /// The transfer was cancelled (by the controller, or because a link it depended on ended).
        public static let transferCancelled = Code(rawValue: "transfer_cancelled")
        /// Anything else.
        public static let `internal` = Code(rawValue: "internal")
    }

    /// Machine-readable code.
    public var code: Code
    /// Human-readable message.
    public var message: String

    /// Creates an error with a code and message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }
}
