import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOSSL
import Protocol
import Recipes
import Scheduler
import ServiceLifecycle

/// The controller process, as one `Service`: the agent listener, the HTTP API, the job runner and the watchers run
/// as services of one group inside it. Making one does no I/O: ``open(config:logger:)`` opens the state directory
/// (database, CA, keys, admin token) and returns the app built on it.
public struct ControllerApp: Service {
    /// The configuration it runs with.
    public let config: ControllerConfig
    /// Its services.
    public let context: ControllerContext
    /// The admin API token, when this start created it (first start only).
    public let newAdminToken: String?
    /// Ports actually bound (useful with port 0).
    public let apiPort = BoundPort()
    /// The agent port as bound; the discovery announcements and the SSH bootstrap read it too.
    public let agentPort: BoundPort
    let logger: Logger

    /// The app on state already opened (``open(config:logger:)``). No I/O.
    public init(config: ControllerConfig, context: ControllerContext, newAdminToken: String?, agentPort: BoundPort, logger: Logger) {
        self.config = config
        self.context = context
        self.newAdminToken = newAdminToken
        self.agentPort = agentPort
        self.logger = logger
    }

    /// Opens (or creates) the state directory: database, CA, sealing and identity keys, admin token; and builds the
    /// app's services on it. Nothing runs until ``run()``.
    public static func open(config: ControllerConfig, logger: Logger = Logger(label: "homelab.controller")) async throws -> ControllerApp {
        try StateDirectory.secure(config.stateDirectory)
        let store = try Store(path: config.stateDirectory.appendingPathComponent("controller.sqlite").path)
        let authority = try CertificateAuthority.loadOrCreate(in: config.stateDirectory.appendingPathComponent("pki"))
        let tokens = TokenService(store: store, caFingerprint: authority.fingerprint)
        let events = EventHub()
        let registry = DeviceRegistry(store: store, events: events, heartbeatTTL: config.heartbeatTTL, logger: logger,
                                      history: MetricsHistory(store: store, ladder: config.historyLadder), thresholds: config.health)
        let enrollment = EnrollmentService(store: store, authority: authority, registry: registry, limits: config.limits)
        let info = ControllerInfo(version: ControllerVersion.current, caFingerprint: authority.fingerprint,
                                  agentAddress: "\(config.agentHost):\(config.agentPort)")
        let metrics = ControllerMetrics()
        let catalog = RecipeCatalog(directories: config.catalogDirectories
            ?? [RecipeCatalog.bundledDirectory(), config.stateDirectory.appendingPathComponent("recipes")].compactMap { $0 }, logger: logger)
        let scheduler = Scheduler(weights: config.schedulerWeights)
        let jobs = JobRunner(store: SQLiteJobStore(store: store), logger: logger)
        let pki = config.stateDirectory.appendingPathComponent("pki")
        let box = try SecretBox.loadOrCreate(in: pki)
        let deployments = DeploymentService(store: store, registry: registry, events: events, catalog: catalog, scheduler: scheduler,
                                            box: box, settings: config.deployments, jobs: jobs, logger: logger)
        let insights = InsightsService(store: store, registry: registry, deployments: deployments, scheduler: scheduler, settings: config.insights,
                                       mover: config.mover ?? deployments, logger: logger)
        let targets = BackupTargets(store: store, registry: registry, authority: authority, box: box,
                                    prune: try ControllerIdentity.loadOrCreate(role: "prune", authority: authority, in: pki),
                                    recovery: try ControllerIdentity.loadOrCreate(role: "recovery", authority: authority, in: pki), logger: logger)
        let agentPort = BoundPort()
        let backups = BackupCoordinator(store: store, registry: registry, deployments: deployments, targets: targets,
                                        deviceWait: config.deployments.deviceWait, stateDirectory: config.stateDirectory, logger: logger)
        let discovery = DiscoveryService(settings: config.discovery, caFingerprint: authority.fingerprint, agentHost: config.agentHost,
                                         agentPort: agentPort, metrics: metrics, logger: logger)
        let binaries = AgentBinaries(directory: config.agentBinariesDirectory ?? config.stateDirectory.appendingPathComponent("agent-binaries"))
        let configuredAgentPort = config.agentPort
        let bootstrap = BootstrapService(store: store, events: events, runner: jobs, registry: registry, tokens: tokens, binaries: binaries,
                                         agentPort: { agentPort.value ?? configuredAgentPort }, logger: logger)
        let context = ControllerContext(store: store, authority: authority, tokens: tokens,
                                         throttle: AuthThrottle(settings: config.limits.authThrottle, logger: logger),
                                         audit: AuditLog(store: store, logger: logger), registry: registry,
                                         enrollment: enrollment, events: events, metrics: metrics, info: info,
                                         agentBinaries: binaries,
                                         discovery: discovery,
                                         catalog: catalog, scheduler: scheduler, deployments: deployments,
                                         jobs: jobs,
                                         scans: ScanService(store: store, events: events, runner: jobs, registry: registry, discovery: discovery),
                                         bootstrap: bootstrap, insights: insights,
                                         alerts: AlertService(store: store, box: box, registry: registry, deployments: deployments, insights: insights,
                                                              backups: backups, settings: config.alerts, logger: logger),
                                         transfers: TransferService(registry: registry, runner: jobs, logger: logger),
                                         backups: backups, backupJobs: BackupJobs(coordinator: backups, jobs: jobs))
        return ControllerApp(config: config, context: context, newAdminToken: try await tokens.ensureAdminToken(), agentPort: agentPort,
                             logger: logger)
    }

    /// TLS server configuration shared by the API and the agent port: a fresh server key each start,
    /// certified by the CA, with the CA in the chain so clients can pin it.
    func serverTLS(clientCertificates: Bool) throws -> TLSConfiguration {
        let (certificate, key) = try context.authority.issueServerCertificate(
            hostnames: [ProcessInfo.processInfo.hostName] + config.advertisedNames.filter { IPAddressBytes.parse($0) == nil },
            addresses: config.advertisedNames.filter { IPAddressBytes.parse($0) != nil })
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: certificate.derBytes(), format: .der)),
                               .certificate(try context.authority.nioCertificate())],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.derRepresentation), format: .der)))
        tls.minimumTLSVersion = .tlsv13
        if clientCertificates {
            tls.certificateVerification = .optionalVerification
            tls.trustRoots = .certificates([try context.authority.nioCertificate()])
        }
        return tls
    }

    /// The HTTP API application, behind the API's limits (``HardenedChannel``).
    public func makeAPI() throws -> some Service {
        let (router, _) = APIRoutes(controller: context).makeRouter()
        let apiPort = self.apiPort
        let limits = config.limits
        let tls = try serverTLS(clientCertificates: false)
        let gate = ConnectionGate(maximumTotal: limits.apiConnections, maximumPerAddress: limits.apiConnectionsPerAddress)
        let webSocketResponder = router.buildResponder()
        var http1 = HTTP1Channel.Configuration(
            httpDecoderConfiguration: .init(maxHeaderFieldSize: limits.apiMaximumHeaderBytes, maxHeaderListSize: limits.apiMaximumHeaderBytes,
                                            maxHeaderFieldCount: limits.apiMaximumHeaderFields))
        http1.idleTimeout = .seconds(limits.apiIdleTimeout)
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(http1: http1)
        let server = HTTPServerBuilder { responder in
            HardenedChannel(
                base: try TLSChannel(HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder,
                                                                  configuration: configuration), tlsConfiguration: tls),
                gate: gate, timeouts: .init(idle: .seconds(limits.apiIdleTimeout), body: .seconds(limits.apiBodyTimeout)))
        }
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(config.apiHost, port: config.apiPort), serverName: "homelab-controller"),
            onServerRunning: { channel in apiPort.set(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// What a failed run says on the command line: a port another program holds names the ports this controller
    /// binds and what to do, instead of NIO's `bind(descriptor:ptr:bytes:)`; any other error as it is.
    public func explained(_ error: any Error) -> any Error {
        guard let error = error as? IOError, error.errnoCode == EADDRINUSE else { return error }
        var ports = ["the API on \(config.apiHost):\(config.apiPort)", "the agent port on \(config.agentHost):\(config.agentPort)"]
        if config.discovery.network.enabled { ports.append("discovery on UDP \(config.discovery.network.port)") }
        return StartFailure(description: "another program already uses a port this controller binds (\(ports.joined(separator: ", "))): "
            + "is a controller already running? Stop it, or choose other ports (--api-port, --agent-port; --no-discovery)")
    }

    /// Why the controller could not start, in words.
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Every service of the controller, in start order.
    public func services() throws -> [any Service] {
        let listener = AgentListener(
            host: config.agentHost, port: config.agentPort,
            tlsContext: try NIOSSLContext(configuration: serverTLS(clientCertificates: true)),
            caCertificatePEM: try context.authority.certificatePEM, registry: context.registry, enrollment: context.enrollment,
            maximumFrameLength: config.maximumFrameLength, logger: logger, bound: agentPort,
            anonymousSlots: Slots(config.maximumAnonymousConnections),
            handshakeTimeout: config.handshakeTimeout, anonymousTimeout: config.enrollmentTimeout,
            gate: ConnectionGate(maximumTotal: config.limits.agentConnections, maximumPerAddress: config.limits.agentConnectionsPerAddress),
            enrollments: RateLimiter(perMinute: config.limits.enrollmentsPerMinute))
        var watchers: [any Service] = [
            AppWatcher(deployments: context.deployments, registry: context.registry, events: context.events,
                       interval: config.insights.appSampleInterval, logger: logger),
            AlertLoop(alerts: context.alerts, logger: logger),
        ]
        if let interval = config.backupScheduleInterval {
            watchers.append(BackupScheduler(jobs: context.backupJobs, interval: interval, logger: logger))
        }
        if let window = config.insights.automaticMoves {
            watchers.append(AutomaticMoves(insights: context.insights, window: window, interval: .seconds(60), logger: logger))
        }
        return [listener, context.discovery, HeartbeatSweeper(registry: context.registry, interval: max(0.2, config.heartbeatTTL / 3), metricsRetention: config.metricsRetention),
                context.catalog.watcher(), context.jobs, BackupTargetSync(targets: context.backups.targets, events: context.events)]
                + watchers + [try makeAPI()]
    }

    /// A service as the group runs it, named by its type: the group's debug log would otherwise print the whole
    /// value, and some services hold keys and tokens.
    public static func named(_ service: any Service) -> ServiceGroupConfiguration.ServiceConfiguration {
        .init(service: service, serviceName: String(describing: type(of: service)))
    }

    /// Runs every service until the group around it shuts down gracefully (or it is cancelled), then stops them in
    /// reverse order and closes the agents' sessions.
    public func run() async throws {
        let group = ServiceGroup(configuration: .init(services: try services().map(Self.named), logger: logger))
        try await group.run()
        await context.registry.closeAll()
    }
}

/// Closes sessions whose agents went silent, every third of the heartbeat TTL, and about every ten minutes drops
/// raw samples older than the retention and history buckets past their rung's.
struct HeartbeatSweeper: Service {
    let registry: DeviceRegistry
    let interval: TimeInterval
    let metricsRetention: TimeInterval

    func run() async throws {
        // Ends quietly at shutdown: a service that throws then makes the group cancel everything else.
        try? await cancelWhenGracefulShutdown {
            var lastPrune = Date.distantPast
            while true {
                try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                let now = Date()
                await registry.sweep(now: now)
                if now.timeIntervalSince(lastPrune) > 600 {
                    lastPrune = now
                    _ = try? await registry.pruneMetrics(olderThan: now.addingTimeInterval(-metricsRetention))
                    _ = try? await registry.history.prune(now: now)
                }
            }
        }
    }
}
