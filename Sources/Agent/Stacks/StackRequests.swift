import FoundationEssentials
import Logging
import NIOCore
import Protocol

/// The controller's stack requests, served over the link: apply (with progress events), list,
/// start/stop/restart/remove, stats and logs (a `logs` stream of JSON lines), plus the container
/// events the agent forwards. Changes to one device's stacks are applied one at a time.
public struct StackRequests: Sendable {
    public let reconciler: StackReconciler
    private let serial = SerialExecutor()

    public init(reconciler: StackReconciler) { self.reconciler = reconciler }

    /// The reply to a stack request, or nil when `message` is not one.
    func handle(_ message: InboundMessage, on connection: MessageConnection) async throws -> (any Codable & Sendable)? {
        do {
            switch message.header.type {
            case MessageType.stackApply:
                let request = try message.body(as: StackApply.self)
                return try await serial.run {
                    try await reconciler.apply(request) { step in try? await connection.sendEvent(MessageType.stackProgress, step) }
                }
            case MessageType.stackList:
                return try await reconciler.list()
            case MessageType.stackAction:
                let action = try message.body(as: StackAction.self)
                try action.stack.validate()
                try await serial.run { try await reconciler.perform(action) }
                return Empty()
            case MessageType.stackStats:
                let stack = try message.body(as: StackRef.self)
                try stack.validate()
                return try await reconciler.stats(stack)
            case MessageType.stackLogs:
                let request = try message.body(as: StackLogsRequest.self)
                try request.validate()
                return try await logs(request, on: connection)
            case MessageType.stackProbe:
                let probe = try message.body(as: StackProbe.self)
                try probe.validate()
                return try await HealthProbe.probe(probe, reconciler: reconciler)
            default:
                return nil
            }
        } catch let error as SafeNameError {
            throw HomelabError(.invalidName, error.description)
        } catch let error as InputBoundError {
            throw HomelabError(.invalidSpec, error.message)
        } catch let error as AgentError where error.code == "invalid_name" {
            throw HomelabError(.invalidName, error.message)
        } catch let error as StackSpecError {
            throw HomelabError(.invalidSpec, error.description)
        } catch let error as StackApplyError {
            throw HomelabError(.runtime, error.message)
        } catch let error as DockerClientError {
            throw HomelabError(error.code == .notFound ? .notFound : .runtime, error.message)
        } catch let error as TarRejection {
            throw HomelabError(.invalidSpec, error.description)
        }
    }

    /// Opens a `logs` stream to the controller and writes the lines into it, one JSON object per
    /// line; the reply (the line count) comes when the stream ends.
    private func logs(_ request: StackLogsRequest, on connection: MessageConnection) async throws -> StackLogsDone {
        let stream = try await connection.openStream(purpose: "logs", parameters: ["project": request.project, "service": request.service, "token": request.token ?? ""])
        let encoder = JSONEncoder()
        var count = 0
        do {
            try await reconciler.logs(request) { line in
                var bytes = try encoder.encode(line)
                bytes.append(UInt8(ascii: "\n"))
                try await stream.write(ByteBuffer(bytes: bytes))
                count += 1
            }
            try await stream.finish()
        } catch {
            try? await stream.finish(error: error as? HomelabError ?? HomelabError(.runtime, "reading the logs of \(request.service) failed on the device"))
            throw error
        }
        return StackLogsDone(lines: count)
    }

    /// Forwards the engine's events for managed containers until the connection ends; waits and
    /// retries while the engine does not answer.
    func forwardEvents(to connection: MessageConnection, logger: Logger) async throws {
        while true {
            do {
                try await reconciler.runtime.events { event in
                    guard event.labels[StackLabels.managed] == "true", event.labels["io.homelab.helper"] == nil else { return }
                    try await connection.sendEvent(MessageType.containerEvent, ContainerEvent(
                        project: event.labels[StackLabels.project], service: event.labels[StackLabels.service],
                        containerID: event.containerID, action: event.action))
                }
            } catch let error as HomelabError {
                throw error
            } catch {
                logger.debug("Docker events unavailable; retrying", metadata: ["error": "\(error)"])
            }
            try await Task.sleep(for: .seconds(5))
        }
    }
}

/// Lets one change at a time through, in arrival order.
actor SerialExecutor {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ operation: () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            busy = true
        }
        defer {
            // The next waiter inherits `busy`.
            if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
        }
        return try await operation()
    }
}
