/// A request whose type names its reply, so a caller cannot expect the wrong answer:
/// `connection.request(StackApply(…))` returns a ``StackApplyResult``.
public protocol WireRequest: Codable, Sendable {
    /// What the receiver answers with.
    associatedtype Reply: Codable & Sendable
    /// The message type it travels as (`docs/protocol.md` is the catalog).
    static var messageType: String { get }
}

extension MessageConnection {
    /// Sends `request` and waits for its typed reply.
    public func request<R: WireRequest>(_ request: R, timeout: Duration = .seconds(30)) async throws -> R.Reply {
        try await self.request(R.messageType, request, as: R.Reply.self, timeout: timeout)
    }
}

// MARK: The requests of protocol v1 and their replies

extension StackApply: WireRequest {
    public typealias Reply = StackApplyResult
    public static var messageType: String { MessageType.stackApply }
}

extension StackAction: WireRequest {
    public typealias Reply = Empty
    public static var messageType: String { MessageType.stackAction }
}

extension StackProbe: WireRequest {
    public typealias Reply = StackProbeResult
    public static var messageType: String { MessageType.stackProbe }
}

/// `stack.list`: every stack on the device (the body is empty).
public struct StackList: WireRequest, Equatable {
    public typealias Reply = [StackStatus]
    public static var messageType: String { MessageType.stackList }
    public init() {}
}

/// `stack.stats`: the stack's usage now; the body is a ``StackRef``'s fields.
public struct StackStatsRequest: WireRequest, Equatable {
    public typealias Reply = StackStats
    public static var messageType: String { MessageType.stackStats }
    public var project: String
    public var services: [String]?
    public init(_ stack: StackRef) {
        self.project = stack.project
        self.services = stack.services
    }
}

/// `sample`: a metrics sample now (the body is empty).
public struct SampleRequest: WireRequest, Equatable {
    public typealias Reply = MetricsSample
    public static var messageType: String { MessageType.sample }
    public init() {}
}
