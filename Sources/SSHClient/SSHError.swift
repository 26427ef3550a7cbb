/// A failed SSH step, with a stable code and a message a person can act on.
public struct SSHError: Error, Sendable, CustomStringConvertible {
    /// What failed.
    public enum Code: String, Sendable {
        /// The TCP connection could not be made.
        case connect
        /// The SSH handshake failed (not SSH, or no common algorithm).
        case handshake
        /// The server refused every credential offered.
        case authentication
        /// A command channel failed.
        case channel
        /// No answer within the session's timeout.
        case timeout
        /// The connection broke (reset, closed by the server) in the middle of a command.
        case connectionLost
    }
    /// What failed.
    public var code: Code
    /// Message for people.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
