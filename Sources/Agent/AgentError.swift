/// Errors of the agent that reach people: a code and a message.
public struct AgentError: Error, Sendable, CustomStringConvertible {
    /// Stable code (`config`, `io`, `tls`, `refused`).
    public var code: String
    /// Message for people.
    public var message: String
    /// Creates an error.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }

    static func io(_ message: String) -> AgentError { .init(code: "io", message: message) }
    static func config(_ message: String) -> AgentError { .init(code: "config", message: message) }
    static func tls(_ message: String) -> AgentError { .init(code: "tls", message: message) }
}
