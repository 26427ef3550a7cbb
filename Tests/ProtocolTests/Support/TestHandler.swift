import Protocol

/// A handler built from closures; by default it answers `ping` and refuses every other request.
struct TestHandler: MessageHandler {
    typealias RequestHandler = @Sendable (InboundMessage, MessageConnection) async throws -> any Codable & Sendable
    typealias EventHandler = @Sendable (InboundMessage, MessageConnection) async -> Void

    typealias FailureHandler = @Sendable (InboundMessage, any Error) async -> Void

    var onRequest: RequestHandler
    var onEvent: EventHandler
    var onFailure: FailureHandler

    init(onRequest: @escaping RequestHandler = { message, _ in try TestHandler.ping(message) }, onEvent: @escaping EventHandler = { _, _ in },
         onFailure: @escaping FailureHandler = { _, _ in }) {
        self.onRequest = onRequest
        self.onEvent = onEvent
        self.onFailure = onFailure
    }

    /// Answers `ping` with `{}`; any other type with `unknown_type`.
    static func ping(_ message: InboundMessage) throws -> any Codable & Sendable {
        guard message.header.type == MessageType.ping else {
            throw HomelabError(.unknownType, "no handler for '\(message.header.type)'")
        }
        return Empty()
    }

    func handleRequest(_ message: InboundMessage, on connection: MessageConnection) async throws -> any Codable & Sendable {
        try await onRequest(message, connection)
    }

    func handleEvent(_ message: InboundMessage, on connection: MessageConnection) async {
        await onEvent(message, connection)
    }

    func requestFailed(_ message: InboundMessage, error: any Error) async {
        await onFailure(message, error)
    }
}
