import Foundation
import Protocol
import Synchronization

/// Agent progress sent straight to the job that asked for it, in order and without loss: a job applying
/// a stack routes that stack's `stack.progress` to itself for the length of the apply. (The event hub,
/// which drops a slow watcher's oldest events, only serves what people watch.)
public final class ProgressRoutes: Sendable {
    private struct Key: Hashable {
        let deviceID: String
        let project: String
    }
    private let routes = Mutex<[Key: AsyncStream<StackProgress>.Continuation]>([:])

    /// An empty table.
    public init() {}

    /// Sends the progress of `project` on device `deviceID` to the returned stream until ``Route/close()``.
    /// An agent's events are handled before the reply that follows them, so once the request that caused them
    /// has its reply, every one of them is in the stream.
    public func route(deviceID: String, project: String) -> Route {
        let (stream, continuation) = AsyncStream.makeStream(of: StackProgress.self, bufferingPolicy: .unbounded)
        let key = Key(deviceID: deviceID, project: project)
        routes.withLock { $0[key]?.finish(); $0[key] = continuation }
        return Route(stream: stream) { [self] in
            routes.withLock { routes in
                if let current = routes[key] { current.finish() }
                routes.removeValue(forKey: key)
            }
        }
    }

    /// Delivers `progress` to its route; false when no job routes it.
    func deliver(_ progress: StackProgress, deviceID: String) -> Bool {
        guard let continuation = routes.withLock({ $0[Key(deviceID: deviceID, project: progress.project)] }) else { return false }
        continuation.yield(progress)
        return true
    }

    /// One route: its stream, and the end of it.
    public struct Route: Sendable {
        /// The progress, in the order the agent sent it; it ends at ``close()``.
        public let stream: AsyncStream<StackProgress>
        let end: @Sendable () -> Void

        /// Ends the route: the stream finishes after what it already holds.
        public func close() { end() }
    }
}
