import Foundation
import Synchronization

/// Slows down guessing on the login page: after each wrong token from an address, that address must wait
/// twice as long as before (1 s, 2 s, 4 s, … at most 5 min) before the next attempt counts. A success clears it.
/// One call, `attempt`, so the hardening work's shared throttle can take its place.
final class LoginThrottle: Sendable {
    /// What became of an attempt.
    enum Outcome<Identity: Sendable>: Sendable {
        /// The check passed.
        case accepted(Identity)
        /// The check failed; the address must wait `retryAfter` before the next.
        case refused(retryAfter: Duration)
        /// Too soon after a failure: the check was not even made.
        case throttled(retryAfter: Duration)
    }

    private struct Entry { var failures: Int; var until: ContinuousClock.Instant }
    private let entries = Mutex<[String: Entry]>([:])
    /// Most addresses remembered; past it the one whose wait ends first is forgotten.
    let capacity: Int
    /// The wait after the first failure; it doubles with each further one, up to `maximumDelay`.
    let firstDelay: Duration
    let maximumDelay: Duration

    /// Creates a throttle remembering up to `capacity` addresses.
    init(capacity: Int = 10_000, firstDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(300)) {
        self.capacity = capacity
        self.firstDelay = firstDelay
        self.maximumDelay = maximumDelay
    }

    /// Runs `check` for an attempt from `source` unless that address must still wait; records the result.
    func attempt<Identity: Sendable>(from source: String, now: ContinuousClock.Instant = .now,
                                     _ check: () async -> Identity?) async -> Outcome<Identity> {
        if let until = entries.withLock({ $0[source]?.until }), until > now { return .throttled(retryAfter: until - now) }
        guard let identity = await check() else {
            let delay = entries.withLock { entries -> Duration in
                let failures = (entries[source]?.failures ?? 0) + 1
                let delay = min(maximumDelay, firstDelay * (1 << min(failures - 1, 20)))
                if entries[source] == nil, entries.count >= capacity, let oldest = entries.min(by: { $0.value.until < $1.value.until })?.key {
                    entries.removeValue(forKey: oldest)
                }
                entries[source] = Entry(failures: failures, until: now + delay)
                return delay
            }
            return .refused(retryAfter: delay)
        }
        _ = entries.withLock { $0.removeValue(forKey: source) }
        return .accepted(identity)
    }
}
