import Logging
import Protocol
import Synchronization

/// Slows down failed authentication per source address (``ThrottleTable``): every way in, bearer tokens on
/// `/v1`, the event WebSocket and any sign-in form, goes through ``authenticate(from:_:)``. A refused attempt is
/// logged with its source and never with any token text; a throttled address gets ``ThrottledError`` (429 with
/// `Retry-After`) before its credential is even checked, so waiting out the delay is the only way to guess again.
public final class AuthThrottle: Sendable {
    private let table: Mutex<ThrottleTable>
    private let logger: Logger

    /// Creates a throttle.
    init(settings: ThrottleTable.Settings, logger: Logger) {
        self.table = Mutex(ThrottleTable(settings: settings))
        self.logger = logger
    }

    /// Checks one attempt from `address` (nil when unknown): throws ``ThrottledError`` while the address must
    /// wait, runs `verify`, and on nil counts a failure and throws `unauthorized`.
    public func authenticate<T: Sendable>(from address: String?, _ verify: () async -> T?) async throws -> T {
        let source = address ?? "unknown"
        if let wait = table.withLock({ $0.wait(for: source, now: .now) }) {
            logger.warning("refused an API credential from \(source) unchecked: too many failures, \(ThrottledError.seconds(wait)) s to wait")
            throw ThrottledError(address: source, retryAfter: wait)
        }
        if let identity = await verify() { return identity }
        let delay = table.withLock { $0.failed(source, now: .now) }
        logger.warning("refused an API credential from \(source)\(delay.map { "; it must wait \(ThrottledError.seconds($0)) s" } ?? "")")
        throw HomelabError.unauthorized("invalid API token")
    }

    /// How many addresses are tracked now.
    var trackedAddresses: Int { table.withLock { $0.entries.count } }
}

/// An address that failed authentication too often: answered 429 with `Retry-After`.
public struct ThrottledError: Error, Sendable {
    /// The source address.
    public let address: String
    /// How long it must wait.
    public let retryAfter: Duration

    /// Whole seconds, rounded up, as `Retry-After` writes them.
    static func seconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }

    /// The error as the API shows it.
    var error: HomelabError {
        HomelabError(.tooManyAttempts, "too many failed authentications from \(address); try again in \(Self.seconds(retryAfter)) s")
    }
}
