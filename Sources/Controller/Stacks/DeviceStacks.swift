import Foundation
import Hummingbird
import Protocol

/// The stacks on one device, through its agent: what the stack routes of the API call.
public struct DeviceStacks: Sendable {
    let registry: DeviceRegistry
    /// How long an apply may take (pulls included).
    static let applyTimeout: Duration = .seconds(1800)

    public init(registry: DeviceRegistry) { self.registry = registry }

    public func list(_ device: String) async throws -> [StackStatus] {
        try await registry.ask(device, StackList())
    }

    /// Applies `request` on the device; its progress is published as `stack.progress` events.
    public func apply(_ device: String, project: String, _ request: StackApply) async throws -> StackApplyResult {
        guard request.spec.name == project else {
            throw HomelabError.badRequest("the spec's name \"\(request.spec.name)\" is not the project \"\(project)\" of the path")
        }
        do {
            try request.spec.validate()
        } catch {
            throw HomelabError(.invalidSpec, error.description)
        }
        return try await registry.ask(device, request, timeout: Self.applyTimeout)
    }

    public func perform(_ device: String, _ action: StackAction) async throws {
        try action.stack.validate()
        _ = try await registry.ask(device, action, timeout: .seconds(300))
    }

    public func stats(_ device: String, _ stack: StackRef) async throws -> StackStats {
        try stack.validate()
        return try await registry.ask(device, StackStatsRequest(stack))
    }

    /// The body of a logs response: the agent's `logs` stream (JSON lines), relayed as it comes.
    /// Checked before it starts, so a missing stack or service is an HTTP error, not a cut body.
    public func logs(_ device: String, project: String, service: String, tail: Int?, follow: Bool) async throws -> ResponseBody {
        let token = UUID().uuidString
        let request = StackLogsRequest(project: project, service: service, follow: follow, tail: tail, token: token)
        try request.validate()
        let (_, connection) = try await registry.session(of: device)
        let stacks = try await list(device)
        guard let stack = stacks.first(where: { $0.project == project }) else { throw HomelabError.notFound("no stack \(project) on \(device)") }
        guard stack.containers.contains(where: { $0.service == service }) else {
            throw HomelabError.notFound("stack \(project) on \(device) has no service \(service)")
        }
        let streams = registry.streams
        return ResponseBody { writer in
            streams.register(token)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        // Lasts as long as the stream: a followed log ends when the container stops.
                        _ = try await connection.request(MessageType.stackLogs, request, as: StackLogsDone.self, timeout: .seconds(31_536_000))
                    } catch {
                        streams.cancel(token)
                        throw error
                    }
                }
                defer { group.cancelAll() }
                let stream = try await streams.wait(for: token, timeout: .seconds(60))
                do {
                    for try await chunk in stream { try await writer.write(chunk) }
                } catch {
                    // The reader went away (or the link broke): tell the agent to stop sending.
                    try? await connection.sendEvent(MessageType.streamClose, StreamClose(stream: stream.id, error: HomelabError(.streamError, "the reader went away")))
                    throw error
                }
                try await group.next()
            }
            try await writer.finish(nil)
        }
    }
}
