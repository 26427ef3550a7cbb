import Foundation
import Protocol
import Synchronization

/// Where a stream an agent opens (`stream.open` with a `token` parameter) meets the API request
/// that asked for it: the request registers its token before asking the agent, the session
/// handler delivers the stream, and the request takes it.
public final class StreamRendezvous: Sendable {
    private struct Slot {
        var stream: InboundStream?
        var continuation: CheckedContinuation<InboundStream, any Error>?
    }
    private let slots = Mutex<[String: Slot]>([:])

    public init() {}

    /// Expects a stream under `token`; call before asking the agent to open it.
    func register(_ token: String) { slots.withLock { $0[token] = Slot() } }

    /// Forgets `token` (the request is over).
    func cancel(_ token: String) {
        slots.withLock { $0.removeValue(forKey: token) }?.continuation?.resume(throwing: CancellationError())
    }

    /// Whether a request waits for `token`.
    func isWaiting(for token: String) -> Bool { slots.withLock { $0[token]?.stream == nil && $0[token] != nil } }

    /// Waits for the stream opened under `token` (registered before), up to `timeout`.
    func wait(for token: String, timeout: Duration) async throws -> InboundStream {
        try await withThrowingTaskGroup(of: InboundStream.self) { group in
            group.addTask {
                try await withTaskCancellationHandler {
                  try await withCheckedThrowingContinuation { continuation in
                    let ready: Result<InboundStream, any Error>? = self.slots.withLock { slots in
                        guard var slot = slots[token] else { return .failure(CancellationError()) }
                        if let stream = slot.stream { return .success(stream) }
                        slot.continuation = continuation
                        slots[token] = slot
                        return nil
                    }
                    if let ready { continuation.resume(with: ready) }
                  }
                } onCancel: {
                    self.cancel(token)
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw HomelabError(.agentError, "the agent opened no stream within \(timeout)")
            }
            defer { group.cancelAll() }
            let stream = try await group.next()!
            slots.withLock { _ = $0.removeValue(forKey: token) }
            return stream
        }
    }

    /// Hands `stream` to whoever registered `token`; false when nobody did.
    func deliver(_ stream: InboundStream, token: String) -> Bool {
        let continuation: CheckedContinuation<InboundStream, any Error>?? = slots.withLock { slots in
            guard var slot = slots[token] else { return .none }
            if let waiting = slot.continuation { return .some(waiting) }
            slot.stream = stream
            slots[token] = slot
            return .some(nil)
        }
        switch continuation {
        case .none: return false
        case .some(let waiting):
            waiting?.resume(returning: stream)
            return true
        }
    }
}
