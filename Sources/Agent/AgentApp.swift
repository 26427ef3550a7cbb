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
        self.link = ControllerLink(config: config, identity: identity, reporter: SamplerReporter(sampler), logger: logger)
    }

    /// Runs until SIGTERM/SIGINT.
    public func run(logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: link)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Serialises access to the sampler, whose CPU figures depend on the previous sample.
public actor SamplerReporter: DeviceReporting {
    private var sampler: DeviceSampler

    /// Wraps a sampler.
    public init(_ sampler: DeviceSampler) { self.sampler = sampler }

    public func facts() async -> DeviceFacts { sampler.facts() }

    public func sample() async -> MetricsSample {
        // Mutating across a suspension point is not allowed on actor state: sample a copy, keep it.
        var copy = sampler
        let sample = await copy.sample()
        sampler = copy
        return sample
    }
}
