import ServiceLifecycle

/// Runs the controller's long operations (scans, SSH bootstraps) as children of one service, so none
/// outlives the process's shutdown; the API only submits them and reads their state.
public final class OperationRunner: Service, Sendable {
    private let stream: AsyncStream<@Sendable () async -> Void>
    private let continuation: AsyncStream<@Sendable () async -> Void>.Continuation

    /// Creates a runner; nothing runs until ``run()``.
    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: (@Sendable () async -> Void).self)
    }

    /// Queues `operation`; it starts at once while the service runs.
    public func submit(_ operation: @escaping @Sendable () async -> Void) {
        continuation.yield(operation)
    }

    /// Starts each submitted operation as a child task until shutdown, which cancels them.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for await operation in self.stream {
                    group.addTask { await operation() }
                }
            }
        }
    }
}
