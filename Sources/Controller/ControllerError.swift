import Protocol
/// Errors of the controller that reach people: a stable code, an HTTP status and a message.
public struct ControllerError: Error, Sendable, CustomStringConvertible {
    /// Stable code (`not_found`, `conflict`, `bad_request`, `unauthorized`, `forbidden`, `invalid_name`,
    /// `invalid_value`, `payload_too_large`, `too_many_attempts`, `internal`, …; docs/api.md lists them all).
    public var code: String
    /// HTTP status the API answers with.
    public var httpStatus: Int
    /// Message for people.
    public var message: String

    /// Creates an error.
    public init(code: String, status: Int, message: String) {
        self.code = code
        self.httpStatus = status
        self.message = message
    }

    public var description: String { message }

    /// The device's link is down (it went offline, or dropped the connection during the request).
    public var isDeviceUnreachable: Bool { code == "device_disconnected" || code == "device_offline" }

    /// An agent's error, as the API reports it.
    init(agentError error: ProtocolError, device: String) {
        switch error.code {
        case .invalidSpec: self.init(code: "invalid_spec", status: 422, message: error.message)
        case .invalidName: self.init(code: "invalid_name", status: 400, message: error.message)
        case .notFound: self.init(code: "not_found", status: 404, message: "\(device): \(error.message)")
        case .connectionClosed: self.init(code: "device_disconnected", status: 503, message: "\(device) disconnected: \(error.message)")
        default: self.init(code: "agent_error", status: 502, message: "\(device): \(error.message)")
        }
    }

    /// A resource that does not exist.
    public static func notFound(_ message: String) -> Self { .init(code: "not_found", status: 404, message: message) }
    /// A request that conflicts with the current state.
    public static func conflict(_ message: String) -> Self { .init(code: "conflict", status: 409, message: message) }
    /// A malformed request.
    public static func badRequest(_ message: String) -> Self { .init(code: "bad_request", status: 400, message: message) }
    /// Values that fail a recipe's rules, one line per problem.
    public static func invalidInputs(_ message: String) -> Self { .init(code: "invalid_inputs", status: 422, message: message) }
    /// A missing or wrong API token.
    public static func unauthorized(_ message: String) -> Self { .init(code: "unauthorized", status: 401, message: message) }
    /// A file-system failure.
    public static func io(_ message: String) -> Self { .init(code: "internal", status: 500, message: message) }
    /// A valid token whose role does not allow the call.
    public static func forbidden(_ message: String) -> Self { .init(code: "forbidden", status: 403, message: message) }
    /// A name that would become a path and breaks its rule.
    public static func invalidName(_ error: SafeNameError) -> Self { .init(code: "invalid_name", status: 400, message: error.description) }
    /// A number out of its bound.
    public static func invalidValue(_ error: InputBoundError) -> Self { .init(code: "invalid_value", status: 400, message: error.message) }
    /// A request body over the route's limit.
    public static func payloadTooLarge(limit: Int?) -> Self {
        .init(code: "payload_too_large", status: 413,
              message: "the request body is larger than this route accepts" + (limit.map { " (\($0 >> 10) KiB)" } ?? ""))
    }
    /// An answer for anything that is not ours to show: the details go to the log, the client gets this.
    public static let internalError = Self(code: "internal", status: 500, message: "internal error; the controller's log has the details")
}
