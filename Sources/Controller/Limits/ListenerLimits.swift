/// The limits of the controller's listeners (defaults in docs/security.md): how many connections, how long
/// each may take, how large a request may be, and how fast anyone may fail to authenticate or enroll.
public struct ListenerLimits: Sendable {
    /// API connections open at once, in total.
    public var apiConnections = 512
    /// API connections open at once from one address.
    public var apiConnectionsPerAddress = 32
    /// How long an API connection may take to deliver a request head: from its start (TLS included) or
    /// from its previous answer. Idle keep-alive connections are closed after it too.
    public var apiIdleTimeout: TimeAmountSeconds = 30
    /// How long a request body may take to arrive.
    public var apiBodyTimeout: TimeAmountSeconds = 120
    /// Largest request head, all header fields together, in bytes (431 beyond).
    public var apiMaximumHeaderBytes = 32 * 1024
    /// Most header fields in one request (431 beyond).
    public var apiMaximumHeaderFields = 100
    /// Agent-port connections open at once from one address (enrolled devices and enrolling ones alike).
    public var agentConnectionsPerAddress = 32
    /// Agent-port connections open at once, in total.
    public var agentConnections = 4096
    /// Devices waiting for approval at once; when full, the one that asked longest ago is dropped first.
    public var maximumPendingDevices = 50
    /// Largest facts report (JSON) a device may send, at enrollment or later.
    public var maximumFactsBytes = 64 * 1024
    /// Enrollment requests one address may make per minute (a pending agent asks every 5 s).
    public var enrollmentsPerMinute = 30
    /// Failed API authentications per address before they slow down, and how.
    public var authThrottle = ThrottleTable.Settings()

    /// The defaults.
    public init() {}
}

/// A whole number of seconds.
public typealias TimeAmountSeconds = Int64
