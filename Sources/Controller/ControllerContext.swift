import Foundation
import Logging
import Protocol
import Recipes
import Scheduler

/// The controller's services, shared by the agent listener and the HTTP API.
public struct ControllerContext: Sendable {
    /// Persistent state.
    public let store: Store
    /// The certificate authority.
    public let authority: CertificateAuthority
    /// Join and API tokens.
    public let tokens: TokenService
    /// Slows down failed authentication per source address (API, WebSocket, sign-in).
    public let throttle: AuthThrottle
    /// Who changed what, through the API.
    public let audit: AuditLog
    /// Live device state.
    public let registry: DeviceRegistry
    /// Enrollment of agents.
    public let enrollment: EnrollmentService
    /// Registry events for WebSocket clients.
    public let events: EventHub
    /// Prometheus metrics.
    public let metrics: ControllerMetrics
    /// What `GET /v1/controller` answers.
    public let info: ControllerInfo
    /// The agent binaries handed out per architecture.
    public let agentBinaries: AgentBinaries
    /// Multicast discovery: the list of everything announcing, and the controller's own announcements.
    public let discovery: DiscoveryService
    /// The recipes offered.
    public let catalog: RecipeCatalog
    /// The scheduler, with the configured weights.
    public let scheduler: Scheduler
    /// Deployments: deploy, manage, expose.
    public let deployments: DeploymentService
    /// Drives every job (deploys, actions, removals) and runs scans and SSH bootstraps, as children of one service.
    public let jobs: JobRunner
    /// Network scans and the hosts they found.
    public let scans: ScanService
    /// Agents installed, upgraded and removed over SSH.
    public let bootstrap: BootstrapService
    /// Insights and suggested moves.
    public let insights: InsightsService
    /// Alert channels, rules and deliveries.
    public let alerts: AlertService
    /// Volume transfers between devices.
    public let transfers: TransferService
    /// Backups, restores and checks through the agents; the backup targets.
    public let backups: BackupCoordinator
    /// Backups as jobs: backing an app up now, its runs, a backup job's steps.
    public let backupJobs: BackupJobs
    /// The stacks on each device, through its agent.
    public var stacks: DeviceStacks { DeviceStacks(registry: registry) }
}
