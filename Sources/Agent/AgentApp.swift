import FoundationEssentials
import Logging
import Protocol
import ServiceLifecycle

/// The agent process: its identity, the sampler and the controller link, run as one service group.
public struct AgentApp: Sendable {
    /// The configuration it runs with.
    public let config: AgentConfig
    /// The device's identity.
    public let identity: AgentIdentity
    /// The controller link.
    public let link: ControllerLink

    /// Loads (or creates) the identity and prepares the link.
    public init(config: AgentConfig, logger: Logger) throws {
        self.config = config
        self.identity = try AgentIdentity.loadOrCreate(directory: config.stateDirectory)
        let sampler = DeviceSampler(agentVersion: ControllerLink.version, docker: DockerProbe(socketPath: config.dockerSocket))
        self.link = ControllerLink(config: config, identity: identity, reporter: sampler, logger: logger)
    }

    /// Runs until SIGTERM/SIGINT.
    public func run(logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: link)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

extension DeviceSampler: DeviceReporting {
    /// A sample taken now.
    public func sample() async -> MetricsSample { await sample(now: Date()) }
}
