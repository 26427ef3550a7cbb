/// Exponential reconnect delay with full jitter: each failure doubles the ceiling up to `maximum`;
/// the delay is drawn uniformly between half the ceiling and the ceiling, so agents that lost the
/// controller together do not return in lockstep.
public struct Backoff: Sendable {
    /// First ceiling.
    public let initial: Duration
    /// Largest ceiling.
    public let maximum: Duration
    private var attempt = 0

    /// Creates a backoff.
    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The next delay, drawn with `generator`.
    public mutating func next<G: RandomNumberGenerator>(using generator: inout G) -> Duration {
        let ceiling = min(maximum, initial * (1 << min(attempt, 20)))
        attempt += 1
        let ceilingMs = ceiling.inMilliseconds
        return .milliseconds(Int(Double.random(in: (ceilingMs / 2)...ceilingMs, using: &generator)))
    }

    /// The next delay with the system generator.
    public mutating func next() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return next(using: &generator)
    }

    /// Starts over after a healthy connection.
    public mutating func reset() { attempt = 0 }
}

extension Duration {
    /// The duration in milliseconds, fractions kept.
    var inMilliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
