import FoundationEssentials
import Logging
import Protocol
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The agent process: its identity, the sampler, the controller link and the peer port, run as one service group.
public struct AgentApp: Sendable {
    /// The configuration it runs with.
    public let config: AgentConfig
    /// The device's identity.
    public let identity: AgentIdentity
    /// The controller link.
    public let link: ControllerLink
    /// Multicast announcements and controller discovery, unless turned off.
    public let announcer: AgentAnnouncer?
    /// Volume transfers to and from other devices, and their peer port.
    public let transfers: Transfers
    /// Backup, restore and check runs.
    public let backups: BackupRunner
    /// restic's REST protocol, served when the controller made this device a backup target.
    public let backupTarget: BackupTargetServer

    /// Loads (or creates) the identity and prepares the link.
    public init(config: AgentConfig, logger: Logger) throws {
        self.config = config
        self.identity = try AgentIdentity.loadOrCreate(directory: config.stateDirectory)
        let sampler = DeviceSampler(agentVersion: BuildInfo.version, docker: DockerProbe(socketPath: config.dockerSocket), profile: config.profile,
                                    memoryCgroup: config.profileMemoryCgroup)
        let socket = DockerProbe.socketPath(explicit: config.dockerSocket, dockerHost: getenv("DOCKER_HOST").map { String(cString: $0) })
        let engine = DockerEngine(socketPath: socket)
        let reconciler = StackReconciler(runtime: engine, projectsDirectory: config.stateDirectory + "/stacks",
                                         agentVersion: BuildInfo.version)
        transfers = Transfers(runtime: engine, identity: identity, settings: config.peer, scratchDirectory: config.stateDirectory, logger: logger)
        backups = BackupRunner(context: BackupContext(runtime: engine, identity: identity, stateDirectory: config.stateDirectory,
                                                      resticPath: config.restic, logger: logger))
        let targetSettings = TargetSettingsStore(stateDirectory: config.stateDirectory)
        backupTarget = BackupTargetServer(settings: targetSettings, identity: identity, logger: logger)
        let link = ControllerLink(config: config, identity: identity, reporter: sampler, stacks: StackRequests(reconciler: reconciler),
                                  transfers: TransferRequests(transfers: transfers, reconciler: reconciler),
                                  backups: BackupRequests(runner: backups, target: targetSettings), logger: logger)
        self.link = link
        if config.discovery.enabled {
            announcer = AgentAnnouncer(settings: config.discovery, interval: config.announceInterval, identity: identity,
                                       joinToken: config.joinToken, status: link.status, locator: link.locator,
                                       architecture: config.profile?.architecture, logger: logger)
        } else if config.controller == nil {
            throw AgentError.config("discovery is off and no controller address is configured: set 'controller: host:port' or turn discovery on")
        } else {
            announcer = nil
        }
    }

    /// Runs until SIGTERM/SIGINT.
    public func run(logger: Logger) async throws {
        // Named services: the group's debug log would otherwise print each service's value, the join token included.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: transfers.peerPort, serviceName: "PeerPort"), .init(service: backups, serviceName: "BackupRunner"),
                       .init(service: backupTarget, serviceName: "BackupTargetServer"), .init(service: link, serviceName: "ControllerLink")]
                + (announcer.map { [.init(service: $0, serviceName: "AgentAnnouncer")] } ?? []),
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

extension DeviceSampler: DeviceReporting {
    /// A sample taken now.
    public func sample() async -> MetricsSample { await sample(now: Date()) }
}
