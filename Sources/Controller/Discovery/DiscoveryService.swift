import Foundation
import Logging
import NIOCore
import Protocol
import ServiceLifecycle

/// The controller's side of discovery: listens to the group, keeps the bounded list of everything
/// announcing, and announces the controller (its agent port and CA fingerprint) 3 times at start,
/// then every interval with jitter, and within a second of hearing an agent that has no session,
/// so a starting or reconnecting agent never waits a whole interval to find the controller.
public actor DiscoveryService: Service {
    /// What the controller announces and where.
    public struct Settings: Sendable {
        /// Group, port and interfaces.
        public var network = DiscoverySettings()
        /// Seconds between the controller's announcements (±20 % jitter); entries expire after three.
        public var interval: TimeInterval = 30
        /// Creates the defaults.
        public init() {}
    }

    let settings: Settings
    let caFingerprint: String
    let agentHost: String
    let agentPort: BoundPort
    let metrics: ControllerMetrics
    let logger: Logger
    /// Read once: Foundation's host name may ask a resolver, which must not happen per announcement.
    let hostname = ProcessInfo.processInfo.hostName
    private var table: DiscoveryTable
    private var counts: [String: Int] = [:]
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    /// The controller's own announcement id (agents use device ids).
    var ownID: String { String(caFingerprint.prefix(32)) }

    /// Creates the service; nothing is bound until it runs.
    public init(settings: Settings, caFingerprint: String, agentHost: String, agentPort: BoundPort,
                metrics: ControllerMetrics, logger: Logger) {
        self.settings = settings
        self.caFingerprint = caFingerprint
        self.agentHost = agentHost
        self.agentPort = agentPort
        self.metrics = metrics
        self.logger = logger
        var limits = DiscoveryTable.Limits()
        limits.expiry = settings.interval * 3
        self.table = DiscoveryTable(limits: limits)
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func run() async throws {
        guard settings.network.enabled else { return try await gracefulShutdown() }
        let channel: DiscoveryChannel
        do {
            channel = try await DiscoveryChannel(settings: settings.network)
        } catch {
            // The API and the agent port work without discovery; say why it is off and carry on.
            logger.error("discovery is off: cannot listen on UDP port \(settings.network.port): \(error)")
            return try await gracefulShutdown()
        }
        defer { Task { await channel.close() } }
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await channel.receive { datagram in await self.handle(datagram) } }
                    group.addTask { try await self.announce(on: channel) }
                    group.addTask { try await self.answer(on: channel) }
                    defer { group.cancelAll() }
                    try await group.next()
                }
            }
        } catch is CancellationError {
            return
        }
    }

    // MARK: Listening

    /// Takes one datagram: counted by outcome, recorded when it is an acceptable announcement.
    public func handle(_ datagram: ReceivedDatagram, now: Date = Date()) {
        let outcome: String
        if datagram.oversized {
            outcome = AnnouncementRejection.oversized.rawValue
        } else {
            do {
                let announcement = try AnnouncementCodec.decode(datagram.bytes.readableBytesView)
                if announcement.kind == .controller && announcement.id == ownID {
                    outcome = "own"
                } else {
                    let recorded = table.record(announcement, source: datagram.source, now: now)
                    outcome = recorded.rawValue
                    if recorded == .accepted, announcement.kind == .agent, announcement.linked == false {
                        wake.yield()  // an agent without a session is looking for us: answer soon
                    }
                }
            } catch {
                outcome = error.rawValue
            }
        }
        counts[outcome, default: 0] += 1
        metrics.countDiscoveryDatagram(outcome: outcome)
    }

    /// The list the API shows, with registry names filled in.
    public func list(devices: [DeviceResource], now: Date = Date()) -> DiscoveredList {
        let names = Dictionary(devices.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let items = table.items(now: now).map { item -> DiscoveredResource in
            var item = item
            if item.kind == .agent { item.device = names[item.id] }
            return item
        }
        return DiscoveredList(items: items, datagrams: counts)
    }

    /// Entries held, including expired ones not yet swept (for tests and the benchmark).
    public var entryCount: Int { table.count }

    // MARK: Announcing

    /// The regular schedule: 3 times 1 s apart, then every interval; interfaces and expiry checked every 10 s.
    private func announce(on channel: DiscoveryChannel) async throws {
        let port = try await agentPort.wait()
        let clock = ContinuousClock()
        var startupLeft = 3
        var next = clock.now
        var lastInterfaces: [DiscoveryInterface] = []
        while true {
            let interfaces = await channel.refresh()
            if interfaces != lastInterfaces {
                logger.info("discovery on \(DiscoveryInterface.describe(interfaces))")
                if !interfaces.isEmpty { next = clock.now }  // a new interface has heard nothing yet
                lastInterfaces = interfaces
            }
            table.expire(now: Date())
            if clock.now >= next {
                // The three start-up announcements count only once they leave on some interface.
                if await channel.send({ interface in self.payload(interface: interface, port: port) }) > 0, startupLeft > 0 {
                    startupLeft -= 1
                }
                next = clock.now + (startupLeft > 0 ? .seconds(1) : jittered(settings.interval))
            }
            try await Task.sleep(for: max(.milliseconds(10), min(next - clock.now, .seconds(10))))
        }
    }

    /// Answers agents looking for a controller: at most one extra announcement a second, however many ask.
    private func answer(on channel: DiscoveryChannel) async throws {
        let port = try await agentPort.wait()
        for await _ in wakeups {
            await channel.send { interface in self.payload(interface: interface, port: port) }
            try await Task.sleep(for: .seconds(1))
        }
    }

    private nonisolated func payload(interface: DiscoveryInterface, port: Int) -> [UInt8] {
        let host = agentHost == "0.0.0.0" || agentHost == "::" ? interface.address : agentHost
        return AnnouncementCodec.encode(.controller(caFingerprint: caFingerprint, hostname: hostname,
                                                     version: ControllerVersion.current, agentAddress: "\(host):\(port)"))
    }

    private func jittered(_ seconds: TimeInterval) -> Duration {
        .milliseconds(Int(seconds * 1000 * Double.random(in: 0.8...1.2)))
    }
}
