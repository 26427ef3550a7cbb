import Foundation

/// How alerts are evaluated and delivered.
public struct AlertSettings: Sendable {
    /// How often the rules are evaluated (15 s).
    public var evaluationInterval: Duration = .seconds(15)
    /// How often due deliveries are looked for (1 s).
    public var deliveryInterval: Duration = .seconds(1)
    /// The first retry's delay; each next one doubles (30 s).
    public var retryBase: TimeInterval = 30
    /// The longest delay between two attempts (1 h).
    public var retryCap: TimeInterval = 3600
    /// Attempts before a delivery is given up (10: about 3 h with the defaults).
    public var maximumAttempts = 10
    /// The zone quiet hours are told in.
    public var timeZone: TimeZone = .current

    /// Creates the defaults.
    public init() {}

    /// Seconds before the next attempt after `attempts` failed ones (the receiver's `Retry-After` when longer).
    func delay(afterAttempts attempts: Int, retryAfter: TimeInterval?) -> TimeInterval {
        let doubled = retryBase * pow(2, Double(max(0, attempts - 1)))
        return min(retryCap, max(doubled, retryAfter ?? 0))
    }
}
