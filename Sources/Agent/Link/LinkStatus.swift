import Synchronization

/// Where the agent's link to the controller stands; observable so tests and logs can follow it.
public enum LinkState: Equatable, Sendable {
    /// Not connected yet, or between attempts.
    case connecting
    /// Enrollment asked for approval; waiting for `homelab devices approve`.
    case pending(name: String)
    /// Enrolled and connected.
    case connected(name: String)
    /// The last attempt failed; the message says why.
    case failed(String)
}

/// The current ``LinkState`` and a stream of changes.
public final class LinkStatus: Sendable {
    private let state = Mutex<(value: LinkState, watchers: [Int: AsyncStream<LinkState>.Continuation], next: Int)>((.connecting, [:], 0))

    /// Creates a status at `.connecting`.
    public init() {}

    /// The current state.
    public var current: LinkState { state.withLock { $0.value } }

    func set(_ value: LinkState) {
        let watchers = state.withLock { state -> [AsyncStream<LinkState>.Continuation] in
            guard state.value != value else { return [] }
            state.value = value
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.yield(value) }
    }

    /// Waits until `predicate` holds for the state (checked now and at every change).
    public func wait(until predicate: @Sendable (LinkState) -> Bool) async -> LinkState {
        let (stream, continuation) = AsyncStream.makeStream(of: LinkState.self)
        let id = state.withLock { state -> Int in
            state.next += 1
            state.watchers[state.next] = continuation
            continuation.yield(state.value)
            return state.next
        }
        defer { _ = state.withLock { $0.watchers.removeValue(forKey: id) } }
        for await value in stream where predicate(value) { return value }
        return current
    }
}
