/// Failed authentications per source address, as a value without I/O or a clock of its own: the first few
/// failures are free, the last of them starts a wait before the address may try again, and each failure
/// after doubles it, up to a maximum;
/// an address that stays quiet long enough is forgotten. The table holds at most `maximumTracked` addresses,
/// dropping the one quiet longest, so a flood from many addresses costs bounded memory.
public struct ThrottleTable: Sendable {
    /// How the throttle behaves.
    public struct Settings: Sendable, Equatable {
        /// Failures answered before the first wait (which the last of them starts).
        public var freeFailures = 5
        /// The first wait; each further failure doubles it.
        public var firstDelay: Duration = .seconds(1)
        /// The longest wait.
        public var maximumDelay: Duration = .seconds(300)
        /// An address without failures for this long starts afresh.
        public var forgetAfter: Duration = .seconds(900)
        /// Most addresses tracked at once.
        public var maximumTracked = 10_000
        /// The defaults.
        public init() {}
    }

    /// What one address has done.
    struct Entry: Sendable, Equatable {
        var failures: Int
        var lastFailure: ContinuousClock.Instant
        var blockedUntil: ContinuousClock.Instant?
    }

    let settings: Settings
    private(set) var entries: [String: Entry] = [:]

    init(settings: Settings) { self.settings = settings }

    /// How long `address` must still wait before its next attempt is even checked; nil when it may try now.
    mutating func wait(for address: String, now: ContinuousClock.Instant) -> Duration? {
        guard let entry = entries[address] else { return nil }
        if now - entry.lastFailure > settings.forgetAfter {
            entries.removeValue(forKey: address)
            return nil
        }
        guard let until = entry.blockedUntil, until > now else { return nil }
        return until - now
    }

    /// Records a failed attempt; returns how long the address must now wait (nil while failures are free).
    @discardableResult
    mutating func failed(_ address: String, now: ContinuousClock.Instant) -> Duration? {
        var entry = entries[address].flatMap { now - $0.lastFailure > settings.forgetAfter ? nil : $0 }
            ?? Entry(failures: 0, lastFailure: now, blockedUntil: nil)
        entry.failures += 1
        entry.lastFailure = now
        var delay: Duration?
        if entry.failures >= max(1, settings.freeFailures) {
            // The last free failure starts the first wait; each one after doubles it (the exponent capped so it never overflows).
            let doubled = settings.firstDelay * (1 << min(entry.failures - max(1, settings.freeFailures), 20))
            delay = min(doubled, settings.maximumDelay)
            entry.blockedUntil = now + delay!
        }
        if entries[address] == nil && entries.count >= settings.maximumTracked { evictQuietest() }
        entries[address] = entry
        return delay
    }

    private mutating func evictQuietest() {
        guard let quietest = entries.min(by: { $0.value.lastFailure < $1.value.lastFailure })?.key else { return }
        entries.removeValue(forKey: quietest)
    }
}
