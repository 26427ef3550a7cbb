import Foundation
import Protocol

/// The controller's list of everything announcing, bounded whatever arrives: each source address
/// has a token bucket and may speak for a few ids only, the table and the bucket map have fixed
/// sizes, and entries not heard for three announce intervals expire.
struct DiscoveryTable {
    /// The bounds.
    struct Limits {
        /// Entries kept at most.
        var maximumEntries = 2048
        /// Distinct ids one source address may announce (a host runs an agent and perhaps a controller).
        var idsPerSource = 8
        /// Sustained announcements per second accepted from one address.
        var ratePerSecond = 2.0
        /// Announcements one address may send in a burst.
        var burst = 10.0
        /// Source addresses tracked at most.
        var maximumSources = 4096
        /// Seconds after which an entry not heard is forgotten.
        var expiry: TimeInterval = 90
    }

    /// What became of one announcement.
    enum Outcome: String, CaseIterable {
        case accepted
        case rateLimited = "rate_limited"
        case tooManyIDs = "too_many_ids"
        case tableFull = "table_full"
    }

    private struct Key: Hashable {
        var kind: Announcement.Kind
        var id: String
    }

    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    let limits: Limits
    private var entries: [Key: DiscoveredResource] = [:]
    private var buckets: [String: Bucket] = [:]
    private var keysBySource: [String: Set<Key>] = [:]

    init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Entries held now.
    var count: Int { entries.count }
    /// Source addresses tracked now.
    var sourceCount: Int { buckets.count }

    /// Everything within the expiry: agents first, then by host name and id.
    func items(now: Date) -> [DiscoveredResource] {
        entries.values
            .filter { now.timeIntervalSince($0.lastSeenAt) <= limits.expiry }
            .sorted { ($0.kind == .agent ? 0 : 1, $0.hostname, $0.id) < ($1.kind == .agent ? 0 : 1, $1.hostname, $1.id) }
    }

    /// Records an announcement heard from `source`.
    mutating func record(_ announcement: Announcement, source: String, now: Date) -> Outcome {
        guard take(from: source, now: now) else { return .rateLimited }
        let key = Key(kind: announcement.kind, id: announcement.id)
        if var entry = entries[key] {
            if entry.source != source {
                guard admits(key, from: source) else { return .tooManyIDs }
                keysBySource[entry.source]?.remove(key)
            }
            entry.update(announcement, source: source, now: now)
            entries[key] = entry
        } else {
            guard admits(key, from: source) else { return .tooManyIDs }
            if entries.count >= limits.maximumEntries { expire(now: now) }
            guard entries.count < limits.maximumEntries else { return .tableFull }
            entries[key] = DiscoveredResource(announcement, source: source, now: now)
        }
        keysBySource[source, default: []].insert(key)
        return .accepted
    }

    /// Forgets entries past the expiry and buckets that have refilled (they carry no history).
    mutating func expire(now: Date) {
        for (key, entry) in entries where now.timeIntervalSince(entry.lastSeenAt) > limits.expiry {
            entries.removeValue(forKey: key)
            keysBySource[entry.source]?.remove(key)
            if keysBySource[entry.source]?.isEmpty == true { keysBySource.removeValue(forKey: entry.source) }
        }
        for (source, bucket) in buckets where refilled(bucket, now: now).tokens >= limits.burst && keysBySource[source] == nil {
            buckets.removeValue(forKey: source)
        }
    }

    private func admits(_ key: Key, from source: String) -> Bool {
        let keys = keysBySource[source] ?? []
        return keys.contains(key) || keys.count < limits.idsPerSource
    }

    /// Takes one token from the source's bucket; a new source beyond the map's size is refused.
    private mutating func take(from source: String, now: Date) -> Bool {
        var bucket: Bucket
        if let existing = buckets[source] {
            bucket = refilled(existing, now: now)
        } else {
            if buckets.count >= limits.maximumSources { expire(now: now) }
            guard buckets.count < limits.maximumSources else { return false }
            bucket = Bucket(tokens: limits.burst, updated: now)
        }
        guard bucket.tokens >= 1 else {
            buckets[source] = bucket
            return false
        }
        bucket.tokens -= 1
        buckets[source] = bucket
        return true
    }

    private func refilled(_ bucket: Bucket, now: Date) -> Bucket {
        let elapsed = max(0, now.timeIntervalSince(bucket.updated))
        return Bucket(tokens: min(limits.burst, bucket.tokens + elapsed * limits.ratePerSecond), updated: now)
    }
}
