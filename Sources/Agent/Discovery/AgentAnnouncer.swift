import Logging
import NIOCore
import Protocol
import ServiceLifecycle
import Synchronization

/// The agent's side of discovery: announces the device on every chosen interface (3 times 1 s apart
/// at start, then every interval with ±20 % jitter, at once when what it announces changes, and every
/// few seconds while it has no live session, so a controller that starts later finds it soon), and
/// listens for the controller's announcements to learn where to connect.
public final class AgentAnnouncer: Service, Sendable {
    let settings: DiscoverySettings
    let interval: Duration
    let identity: AgentIdentity
    let tokenCAHash: String?
    let status: LinkStatus
    let locator: ControllerLocator
    /// The architecture announced instead of the machine's (a simulated device's profile).
    let architecture: String?
    let logger: Logger
    /// The fingerprint of the pinned CA, re-read every loop (it appears when the agent enrolls).
    private let pinnedCA = Mutex<String?>(nil)

    /// How often an agent without a session announces.
    static let searchInterval: Duration = .seconds(3)
    /// How often interfaces are re-read between announcements.
    static let refreshInterval: Duration = .seconds(10)

    /// Creates an announcer.
    public init(settings: DiscoverySettings, interval: Duration, identity: AgentIdentity, joinToken: String?,
                status: LinkStatus, locator: ControllerLocator, architecture: String? = nil, logger: Logger) {
        self.settings = settings
        self.interval = interval
        self.identity = identity
        self.tokenCAHash = joinToken.flatMap { try? JoinToken(parsing: $0) }?.caHash
        self.status = status
        self.locator = locator
        self.architecture = architecture
        self.logger = logger
    }

    public func run() async throws {
        let channel: DiscoveryChannel
        do {
            channel = try await DiscoveryChannel(settings: settings)
        } catch {
            // Discovery is a convenience: without it a configured controller address still works.
            logger.error("discovery is off: cannot listen on UDP port \(settings.port): \(error)")
            if locator.isConfigured { return try await gracefulShutdown() }
            throw AgentError.config("no controller address configured and discovery cannot run (UDP port \(settings.port): \(error))")
        }
        defer { Task { await channel.close() } }
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await channel.receive { datagram in self.heard(datagram) } }
                    group.addTask { try await self.announce(on: channel) }
                    defer { group.cancelAll() }
                    try await group.next()
                }
            }
        } catch is CancellationError {
            return
        }
    }

    // MARK: Announcing

    /// What is announced now.
    func announcement() -> Announcement {
        let kernel = KernelIdentity.current()
        let current = status.current
        let state: Announcement.EnrollmentState
        if identity.certificatePEM != nil {
            state = .enrolled
        } else if case .pending = current {
            state = .pending
        } else {
            state = .unenrolled
        }
        return .agent(id: identity.deviceID, hostname: kernel?.hostname ?? "unknown", version: BuildInfo.version,
                      architecture: architecture ?? kernel?.architecture ?? "unknown", state: state, linked: Self.isLinked(current),
                      keyFingerprint: identity.keyFingerprint)
    }

    private func announce(on channel: DiscoveryChannel) async throws {
        let clock = ContinuousClock()
        var startupLeft = 3
        var next = clock.now
        var last: Announcement?
        var lastInterfaces: [DiscoveryInterface] = []
        while true {
            let interfaces = await channel.refresh()
            if interfaces != lastInterfaces {
                logger.info("discovery on \(DiscoveryInterface.describe(interfaces))")
                // A new interface hears nothing of the earlier announcements: start over on it.
                if !interfaces.isEmpty { next = clock.now }
                lastInterfaces = interfaces
            }
            pinnedCA.withLock { $0 = identity.caCertificatePEM.flatMap { try? AgentIdentity.fingerprint(ofCertificatePEM: $0) } }
            let current = announcement()
            if current != last { next = clock.now }
            if clock.now >= next {
                let payload = AnnouncementCodec.encode(current)
                // The three start-up announcements count only once they leave on some interface.
                if await channel.send({ _ in payload }) > 0, startupLeft > 0 { startupLeft -= 1 }
                last = current
                next = clock.now + nextDelay(startupLeft: startupLeft, linked: current.linked == true)
            }
            // Wake for the next announcement, the next interface check, or a change of what is announced.
            let wait = min(next - clock.now, Self.refreshInterval)
            let seen = current
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await Task.sleep(for: max(wait, .milliseconds(10))) }
                group.addTask {
                    _ = await self.status.wait { _ in self.announcement() != seen }
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        }
    }

    private func nextDelay(startupLeft: Int, linked: Bool) -> Duration {
        if startupLeft > 0 { return .seconds(1) }
        let base = linked ? interval : Self.searchInterval
        var generator = SystemRandomNumberGenerator()
        return .milliseconds(Int(base.inMilliseconds * Double.random(in: 0.8...1.2, using: &generator)))
    }

    // MARK: Listening

    /// Takes a controller's announcement as where to connect, when the CA it names is the one to trust.
    func heard(_ datagram: ReceivedDatagram) {
        guard !datagram.oversized,
              let announcement = try? AnnouncementCodec.decode(datagram.bytes.readableBytesView),
              announcement.kind == .controller, let ca = announcement.caFingerprint,
              let endpoint = Self.endpoint(announcement.agentAddress, source: datagram.source)
        else { return }
        // The CA to accept: the pinned one once enrolled, else the join token's; without either, the first heard.
        if let expected = pinnedCA.withLock({ $0 }) ?? tokenCAHash, expected != ca { return }
        if locator.discovered(endpoint) {
            logger.info("found the controller at \(endpoint) (CA sha256:\(ca.prefix(16))…) from \(datagram.source)")
        }
        if !Self.isLinked(status.current) { locator.ring() }
    }

    /// The endpoint an announcement names; an unspecified host means the address it came from.
    static func endpoint(_ address: String?, source: String) -> ControllerLocator.Endpoint? {
        guard let address, var endpoint = ControllerLocator.Endpoint(parsing: address) else { return nil }
        if endpoint.host.isEmpty || endpoint.host == "0.0.0.0" || endpoint.host == "::" { endpoint.host = source }
        return endpoint
    }

    static func isLinked(_ state: LinkState) -> Bool {
        if case .connected = state { return true }
        return false
    }
}
