import Synchronization

/// At most `perMinute` events per key in any minute (a token bucket per key that refills continuously),
/// over at most `maximumKeys` keys: when full, the key whose bucket is fullest again is forgotten first.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }
    private let buckets = Mutex<[String: Bucket]>([:])
    private let perMinute: Double
    private let maximumKeys: Int

    init(perMinute: Int, maximumKeys: Int = 10_000) {
        self.perMinute = Double(max(1, perMinute))
        self.maximumKeys = maximumKeys
    }

    /// Takes one event for `key`; false when the key is over its rate.
    func allow(_ key: String, now: ContinuousClock.Instant = .now) -> Bool {
        buckets.withLock { buckets in
            var bucket = buckets[key].map { refilled($0, now: now) } ?? Bucket(tokens: perMinute, updated: now)
            guard bucket.tokens >= 1 else {
                buckets[key] = bucket
                return false
            }
            bucket.tokens -= 1
            if buckets[key] == nil && buckets.count >= maximumKeys,
               let oldest = buckets.min(by: { $0.value.updated < $1.value.updated })?.key {
                buckets.removeValue(forKey: oldest)
            }
            buckets[key] = bucket
            return true
        }
    }

    private func refilled(_ bucket: Bucket, now: ContinuousClock.Instant) -> Bucket {
        let elapsed = now - bucket.updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Bucket(tokens: min(perMinute, bucket.tokens + seconds * perMinute / 60), updated: now)
    }
}
