import Synchronization
import Foundation
import Protocol

/// Fans registry events out to every live subscriber (WebSocket clients); a slow subscriber
/// loses its oldest events rather than growing memory without bound.
public final class EventHub: Sendable {
    private let subscribers = Mutex<[UInt64: AsyncStream<RegistryEvent>.Continuation]>([:])
    private let nextID = Mutex<UInt64>(0)

    /// Creates a hub with no subscribers.
    public init() {}

    /// A stream of every event published from now on, until the caller stops iterating.
    public func subscribe() -> AsyncStream<RegistryEvent> {
        let id = nextID.withLock { value -> UInt64 in value += 1; return value }
        let (stream, continuation) = AsyncStream.makeStream(of: RegistryEvent.self, bufferingPolicy: .bufferingNewest(256))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    /// Sends `event` to every subscriber.
    public func publish(_ event: RegistryEvent) {
        for continuation in subscribers.withLock({ Array($0.values) }) {
            continuation.yield(event)
        }
    }

    /// Number of live subscribers.
    public var subscriberCount: Int { subscribers.withLock { $0.count } }
}
