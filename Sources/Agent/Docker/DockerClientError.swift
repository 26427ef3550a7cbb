/// A failed request to the Docker engine's socket.
public struct DockerClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of failure it was; stable for callers to branch on.
    public enum Code: String, Sendable {
        /// No socket answered: missing file, refused connection, no permission.
        case unreachable
        /// The engine did not answer within the timeout.
        case timedOut
        /// The reply was not HTTP, was cut short, or was too large.
        case badResponse
        /// The engine answered with a status other than 2xx.
        case httpStatus
        /// The reply body was not the JSON expected.
        case badBody
        /// The engine's API is older than the agent needs.
        case unsupportedVersion
        /// The engine has no such object (container, image, volume, network).
        case notFound
        /// The engine refused the request as conflicting (a name in use, a container running).
        case conflict
        /// A registry refused the credentials, or the image does not exist there.
        case pullFailed
    }

    /// What kind of failure it was.
    public var code: Code
    /// What went wrong, for a person.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message, prefixed with the code.
    public var description: String { "docker \(code.rawValue): \(message)" }
}
