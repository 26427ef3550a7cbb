import Synchronization

/// Where the controller is: configured, or learnt from its announcements. Also the doorbell the
/// announcer rings when it hears the controller while the link is down, so the link retries at
/// once instead of sleeping out its backoff (a link that comes back reconnects in about a second).
public final class ControllerLocator: Sendable {
    /// A controller's agent port.
    public struct Endpoint: Equatable, Sendable, CustomStringConvertible {
        /// Host name or address.
        public var host: String
        /// Port.
        public var port: Int
        /// Creates an endpoint.
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Reads `host:port` or `[v6]:port`; `nil` unless the port is 1-65535.
        public init?(parsing text: String) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                  (1...65535).contains(port) else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            self.init(host: host, port: port)
        }
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    private struct State {
        var endpoint: Endpoint?
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
        var rung = false
    }

    private let state: Mutex<State>
    /// Whether the endpoint is fixed by configuration (announcements never change it).
    public let isConfigured: Bool

    /// A locator with a fixed endpoint, or (when `nil`) one that waits for an announcement.
    public init(configured: Endpoint?) {
        state = Mutex(State(endpoint: configured))
        isConfigured = configured != nil
    }

    /// The endpoint known now.
    public var endpoint: Endpoint? { state.withLock { $0.endpoint } }

    /// Records a controller heard on the network; returns whether the endpoint changed.
    @discardableResult
    public func discovered(_ endpoint: Endpoint) -> Bool {
        guard !isConfigured else { return false }
        return state.withLock { state in
            guard state.endpoint != endpoint else { return false }
            state.endpoint = endpoint
            return true
        }
    }

    /// Wakes the link if it is waiting (for an endpoint or between attempts).
    public func ring() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            // Nobody waits: remember it for the next wait, so a ring between two waits is not lost.
            state.rung = state.waiters.isEmpty
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits up to `duration`, returning early when ``ring()`` is called meanwhile (or was since the last wait).
    public func sleep(for duration: Duration) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await Task.sleep(for: duration) }
            group.addTask { await self.waitForRing() }
            defer { group.cancelAll() }
            try await group.next()
        }
        try Task.checkCancellation()
    }

    /// Waits until an endpoint is known.
    public func waitForEndpoint() async throws -> Endpoint {
        while true {
            if let endpoint { return endpoint }
            await waitForRing()
            try Task.checkCancellation()
        }
    }

    private func waitForRing() async {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.rung || Task.isCancelled {
                        state.rung = false
                        return true
                    }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
