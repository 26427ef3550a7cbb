import Agent
import Controller
import Foundation
import Logging
import Protocol
import ServiceLifecycle

/// A real controller on loopback (ports chosen by the kernel) over a temporary state directory.
final class TestController: Sendable {
    let app: ControllerApp
    let group: ServiceGroup
    let runner: Task<Void, any Error>
    let agentPort: Int
    let apiPort: Int

    /// Starts a controller; `agentPort` 0 picks a free port (pass the old one to restart in place).
    /// The heartbeat TTL is long by default: with the whole suite starting at once on 2 cores, a test
    /// process can stall for seconds. Tests about the TTL pass a short one.
    static func start(stateDirectory: URL, agentPort: Int = 0, heartbeatTTL: TimeInterval = 20, maximumAnonymous: Int = 64,
                      handshakeTimeout: Duration = .seconds(10), enrollmentTimeout: Duration = .seconds(60),
                      catalog: [URL]? = nil, deployments: DeploymentSettings = DeploymentSettings(),
                      limits: ListenerLimits = ListenerLimits(), logger: Logger? = nil,
                      configure: (inout ControllerConfig) -> Void = { _ in }) async throws -> TestController {
        var config = ControllerConfig(stateDirectory: stateDirectory)
        config.catalogDirectories = catalog
        config.deployments = deployments
        config.discovery.network.enabled = false  // never multicast outside the lab
        config.apiHost = "127.0.0.1"
        config.agentHost = "127.0.0.1"
        config.apiPort = 0
        config.agentPort = agentPort
        config.heartbeatTTL = heartbeatTTL
        config.maximumAnonymousConnections = maximumAnonymous
        config.handshakeTimeout = handshakeTimeout
        config.enrollmentTimeout = enrollmentTimeout
        config.limits = limits
        config.backupScheduleInterval = nil  // a test run near 03:00 would otherwise meet a scheduled backup
        configure(&config)
        let logger = logger ?? {
            var logger = Logger(label: "test.controller")
            logger.logLevel = .warning
            return logger
        }()
        let app = try await ControllerApp.open(config: config, logger: logger)
        let group = ServiceGroup(configuration: .init(services: try app.services().map(ControllerApp.named), logger: logger))
        let runner = Task { try await group.run() }
        let agent = try await app.agentPort.wait()
        let api = try await app.apiPort.wait()
        return TestController(app: app, group: group, runner: runner, agentPort: agent, apiPort: api)
    }

    private init(app: ControllerApp, group: ServiceGroup, runner: Task<Void, any Error>, agentPort: Int, apiPort: Int) {
        self.app = app
        self.group = group
        self.runner = runner
        self.agentPort = agentPort
        self.apiPort = apiPort
    }

    /// Runs `body` with a controller of its own state directory, stopped and removed however `body` ends.
    static func with(_ name: String = #function, _ body: (TestController) async throws -> Void) async throws {
        let dir = try temporaryDirectory(name)
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await start(stateDirectory: dir)
        do {
            try await body(controller)
        } catch {
            await controller.stop()
            throw error
        }
        await controller.stop()
    }

    /// Shuts the controller down and closes every agent session.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await runner.value
        await app.context.registry.closeAll()
    }

    var registry: DeviceRegistry { app.context.registry }

    /// A join token.
    func token(reusable: Bool = false, ttl: Int? = nil, labels: [String: String] = [:], now: Date = Date()) async throws -> CreatedToken {
        try await app.context.tokens.createJoinToken(.init(reusable: reusable, ttlSeconds: ttl, labels: labels), now: now)
    }

    /// Polls the registry until `predicate` holds for the device named `name` (or fails after `timeout`).
    @discardableResult
    func waitForDevice(_ name: String, timeout: Duration = .seconds(20), _ predicate: @Sendable (DeviceResource) -> Bool) async throws -> DeviceResource {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let device = try? await registry.get(name), predicate(device) { return device }
            try await Task.sleep(for: .milliseconds(100))
        }
        let last = try? await registry.get(name)
        throw TestFailure("device \(name) never reached the expected state; last: \(String(describing: last?.status))")
    }
}

/// An in-process agent (the real ControllerLink and sampler) that can be stopped and started.
final class TestAgent: Sendable {
    let link: ControllerLink
    let identity: AgentIdentity
    let runner: Task<Void, any Error>
    /// Its transfers and peer port, when started with `peer` settings.
    let transfers: Transfers?

    static func start(controllerPort: Int, stateDirectory: URL, token: String? = nil, name: String,
                      // A ping times out after 3 heartbeats: 6 s, which a loaded machine's stalls stay under.
                      sampleInterval: Duration = .milliseconds(500), heartbeat: Duration = .seconds(2),
                      stacks: StackRequests? = nil, profile: HardwareProfile? = nil, memoryCgroup: String? = nil,
                      peer: Transfers.Settings? = nil, peerLogger: Logger? = nil) throws -> TestAgent {
        var config = AgentConfig()
        config.controller = "127.0.0.1:\(controllerPort)"
        config.joinToken = token
        config.name = name
        config.stateDirectory = stateDirectory.path
        config.sampleInterval = sampleInterval
        config.heartbeatInterval = heartbeat
        config.pendingPollInterval = .milliseconds(300)
        config.maximumBackoff = .milliseconds(600)
        var logger = Logger(label: "test.agent.\(name)")
        logger.logLevel = .critical
        let identity = try AgentIdentity.loadOrCreate(directory: config.stateDirectory)
        let reporter = DeviceSampler(agentVersion: "test", docker: nil, profile: profile, memoryCgroup: memoryCgroup)
        let engine = DockerEngine(socketPath: DockerForControllerTests.socket)
        let transfers = peer.map {
            Transfers(runtime: engine, identity: identity, settings: $0, scratchDirectory: stateDirectory.path, logger: peerLogger ?? logger)
        }
        let requests = transfers.map {
            TransferRequests(transfers: $0, reconciler: StackReconciler(runtime: engine, projectsDirectory: stateDirectory.path + "/stacks", agentVersion: "test"))
        }
        let link = ControllerLink(config: config, identity: identity, reporter: reporter, stacks: stacks, transfers: requests, logger: logger)
        let runner = Task {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await link.run() }
                if let transfers { group.addTask { try await transfers.peerPort.run() } }
            }
        }
        return TestAgent(link: link, identity: identity, runner: runner, transfers: transfers)
    }

    private init(link: ControllerLink, identity: AgentIdentity, runner: Task<Void, any Error>, transfers: Transfers?) {
        self.link = link
        self.identity = identity
        self.runner = runner
        self.transfers = transfers
    }

    /// Waits until the link's state matches.
    @discardableResult
    func wait(timeout: Duration = .seconds(20), until predicate: @escaping @Sendable (LinkState) -> Bool) async throws -> LinkState {
        let status = link.status
        return try await withThrowingTaskGroup(of: LinkState?.self) { group in
            group.addTask { await status.wait(until: predicate) }
            group.addTask { try await Task.sleep(for: timeout); return nil }
            defer { group.cancelAll() }
            guard let state = try await group.next()!, predicate(state) else {
                throw TestFailure("agent never reached the expected state; last: \(status.current)")
            }
            return state
        }
    }

    func stop() async {
        runner.cancel()
        _ = try? await runner.value
    }
}

/// A failure with a message.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A fresh temporary directory, removed by the caller.
func temporaryDirectory(_ name: String = #function) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("homelab-tests")
        .appendingPathComponent("\(name.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

extension LinkState {
    var isConnected: Bool { if case .connected = self { return true } else { return false } }
    var isPending: Bool { if case .pending = self { return true } else { return false } }
    var failure: String? { if case .failed(let message) = self { return message } else { return nil } }
}
