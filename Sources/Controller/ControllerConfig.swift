import Foundation
import Protocol
import Scheduler

/// How a controller runs: where its state lives and where it listens.
public struct ControllerConfig: Sendable {
    /// Directory for the database, CA and keys (`./.homelab/controller` under `make run`).
    public var stateDirectory: URL
    /// Address the HTTPS API binds.
    public var apiHost: String = "0.0.0.0"
    /// HTTPS API port (7443); 0 picks a free one.
    public var apiPort: Int = 7443
    /// Address the agent listener binds.
    public var agentHost: String = "0.0.0.0"
    /// Agent port (7444); 0 picks a free one.
    public var agentPort: Int = 7444
    /// A device not heard from for this long goes offline.
    public var heartbeatTTL: TimeInterval = 30
    /// How long raw metrics samples are kept (1 h): the rolled-up history (``historyLadder``) keeps the rest.
    public var metricsRetention: TimeInterval = 3600
    /// The resolutions of the metrics history and how long each is kept (docs/insights.md).
    public var historyLadder = HistoryLadder.standard
    /// Where device and app health colours change.
    public var health = HealthThresholds()
    /// What the insights look for; the automatic moves.
    public var insights = InsightSettings()
    /// How alerts are evaluated and delivered.
    public var alerts = AlertSettings()
    /// What starts a suggested move; nil: the migration job (tests put a recorder here).
    public var mover: (any AppMover)?
    /// How long a new agent connection may take to finish TLS and hello.
    public var handshakeTimeout: Duration = .seconds(10)
    /// How long a connection without a certificate (an enrolling agent) may stay open.
    public var enrollmentTimeout: Duration = .seconds(60)
    /// Most connections without a certificate (enrolling agents) served at once.
    public var maximumAnonymousConnections = 64
    /// Largest protocol frame accepted.
    public var maximumFrameLength: Int = 16 * 1024 * 1024
    /// Extra names and addresses for the server certificate (beyond localhost and the hostname).
    public var advertisedNames: [String] = []
    /// Where the agent binaries handed out per architecture live (`homelab-agent-linux-<arch>`);
    /// default `<state>/agent-binaries`.
    public var agentBinariesDirectory: URL?
    /// Recipe folders, read in order (a later folder's recipe replaces an earlier one with the same id);
    /// default: the bundled catalog (`RecipeCatalog.bundledDirectory()`) and `<state>/recipes`.
    public var catalogDirectories: [URL]?
    /// The scheduler's factor weights (docs/scheduler.md).
    public var schedulerWeights = Weights()
    /// Deployments: the reverse proxy, how long to wait for devices and health.
    public var deployments = DeploymentSettings()
    /// How often the controller looks for scheduled backups that are due; nil: never (tests that must not see one).
    public var backupScheduleInterval: Duration? = .seconds(60)
    /// Multicast discovery: interfaces, interval, on/off.
    public var discovery = DiscoveryService.Settings()
    /// Connection caps, deadlines and rates of the API and the agent port.
    public var limits = ListenerLimits()

    /// Creates a configuration with defaults.
    public init(stateDirectory: URL) {
        self.stateDirectory = stateDirectory
    }
}
