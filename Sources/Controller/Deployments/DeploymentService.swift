import Foundation
import GRDB
import Logging
import Protocol
import Recipes
import Scheduler
import Synchronization

/// How deployments run.
public struct DeploymentSettings: Sendable {
    public var proxy = ProxySettings()
    /// How long a deploy waits for a device that is offline, or that dropped its link mid-deploy.
    public var deviceWait: Duration = .seconds(120)
    /// How long a deploy waits for health unless the request says otherwise (seconds).
    public var healthTimeout = 120
    /// `${deployment.timezone}`.
    public var timezone = TimeZone.current.identifier
    /// How far back the scheduler's snapshot averages each device's CPU use (docs/snapshot.md).
    public var metricsWindow: Duration = .seconds(15 * 60)
    public init() {}
}

/// Deployments: from "deploy this recipe" to a healthy app, and their management afterwards. Every
/// operation on a deployment is a job of the controller's ``JobRunner`` (``DeployMachine``,
/// ``DeploymentActionMachine``, ``DeploymentRemovalMachine``): stored step by step, resumed by a restarted
/// controller. A deployment's state is the one its newest job left it in.
public final class DeploymentService: Sendable {
    let parts: DeploymentParts
    let catalog: RecipeCatalog
    let scheduler: Scheduler
    /// How deployments run.
    public var settings: DeploymentSettings { parts.settings }
    /// Names a request is changing now: a second request for the same name is refused, not interleaved.
    private let claims = Mutex<Set<String>>([])
    let deployer: DeployExecutor
    let actor: DeploymentActionExecutor
    let remover: DeploymentRemovalExecutor
    let migrator: MigrationExecutor

    init(store: Store, registry: DeviceRegistry, events: EventHub, catalog: RecipeCatalog, scheduler: Scheduler, box: SecretBox,
         settings: DeploymentSettings, jobs: JobRunner, logger: Logger) {
        let caddy = settings.proxy.kind == .caddy
            ? CaddyAdmin(base: settings.proxy.caddyAdmin, listen: settings.proxy.caddyListen, scheme: settings.proxy.scheme) : nil
        parts = DeploymentParts(store: store, jobs: jobs, registry: registry, events: events, box: box, settings: settings, caddy: caddy, logger: logger)
        self.catalog = catalog
        self.scheduler = scheduler
        deployer = DeployExecutor(parts: parts)
        actor = DeploymentActionExecutor(parts: parts)
        remover = DeploymentRemovalExecutor(parts: parts)
        migrator = MigrationExecutor(parts: parts)
        jobs.register(deployer)
        jobs.register(actor)
        jobs.register(remover)
        jobs.register(migrator)
    }

    var registry: DeviceRegistry { parts.registry }
    var events: EventHub { parts.events }

    // MARK: Deploy

    /// Accepts a deploy (or a redeploy of an existing name): everything that can be refused is checked
    /// here (recipe, inputs, placement, rendering), the deployment and its deploy job are stored, and the
    /// job goes on in the background.
    public func deploy(_ request: DeployRequest, now: Date = Date()) async throws -> DeployAccepted {
        let prepared = try await prepare(request, now: now)
        let resource = prepared.resource
        return try await claiming(resource.name) {
            // Stored only if nothing changed it since it was checked.
            let current = try? await parts.record(resource.name)
            guard current?.id == prepared.previousID, try await !parts.busy(resource.id) else {
                throw HomelabError.conflict("\(resource.name) is being deployed by another request", context: ["deployment": resource.name])
            }
            let spec = StoredDeployment(recipeVersion: resource.recipeVersion, category: resource.category,
                                        components: resource.components.map(StoredComponent.init), inputs: resource.inputs, url: resource.url,
                                        exposed: resource.exposed)
            let record = DeploymentRecord(id: resource.id, name: resource.name, recipe: resource.recipe, spec: JSONText.encode(spec),
                                          sealed: try parts.seal(prepared.secret), createdAt: resource.createdAt, updatedAt: now)
            try await parts.store.write { db in try record.save(db) }
            let machine = DeployMachine(
                subject: resource.id, name: resource.name, components: spec.machineComponents,
                previous: prepared.secret.previous?.spec.machineComponents, previousVersion: prepared.secret.previous?.spec.recipeVersion,
                healthTimeout: prepared.secret.healthTimeout, routes: parts.caddy != nil && prepared.secret.proxyUpstream != nil, url: resource.url,
                intro: prepared.steps)
            let (_, steps) = try await parts.jobs.submit(machine, to: deployer)
            return DeployAccepted(deployment: resource, progress: "/v1/deployments/\(resource.name)/progress?after=\((steps.first?.seq ?? 1) - 1)")
        }
    }

    /// Runs `body` while no other request changes deployment `name`.
    func claiming<T: Sendable>(_ name: String, _ body: () async throws -> T) async throws -> T {
        let claimed = claims.withLock { $0.insert(name).inserted }
        guard claimed else { throw HomelabError.conflict("\(name) is being changed by another request: wait until it ends", context: ["deployment": name]) }
        defer { _ = claims.withLock { $0.remove(name) } }
        return try await body()
    }

    /// Waits for the work under way to end (tests, shutdown).
    public func idle() async { await parts.jobs.idle() }

    // MARK: Read

    /// Every deployment, filtered (`device`, `state`, `category`, `recipe`, `group`: a device's `group` label).
    /// A stored deployment that no longer reads is listed as failed with an `unreadable_record` error.
    public func list(device: String? = nil, state: String? = nil, category: String? = nil, recipe: String? = nil, group: String? = nil) async throws -> [DeploymentResource] {
        let records = try await parts.store.read { db in try DeploymentRecord.order(Column("name")).fetchAll(db) }
        var all = try await parts.resources(records)
        if let device { all = all.filter { $0.components.contains { $0.device == device } } }
        if let state { all = all.filter { $0.state.rawValue == state } }
        if let category { all = all.filter { $0.category == category } }
        if let recipe { all = all.filter { $0.recipe == recipe } }
        if let group {
            let members = Set(try await registry.list().filter { DeviceState($0).groups.contains(group) }.map(\.name))
            all = all.filter { $0.components.contains { members.contains($0.device) } }
        }
        return all
    }

    /// One deployment by name (or id); nothing sealed is opened.
    public func get(_ name: String) async throws -> DeploymentResource {
        try await parts.resource(try await parts.record(name))
    }

    /// The stored steps of a deployment's jobs after `after`, oldest first.
    func steps(of id: String, after: Int64 = 0) async throws -> [DeploymentStep] {
        try await parts.jobs.store.steps(of: id, after: after).map(DeploymentParts.step)
    }

    // MARK: Snapshot

    /// Every enrolled device as the scheduler sees it now (pending devices are not candidates), with its CPU use
    /// averaged over the metrics window, what the controller observed of its reliability and what deployments
    /// reserve there (`excluding` one).
    public func snapshot(excluding deploymentID: String? = nil) async throws -> ClusterSnapshot {
        let now = Date()
        let devices = try await registry.list().filter { $0.status != .pending }
        let reliability = try await registry.reliability(of: devices, now: now)
        let window = Double(settings.metricsWindow.components.seconds)
        // From the history's rollups (the finest rung that covers the window), so a window longer than the raw
        // samples are kept still averages all of it.
        let cpu = try await registry.history.averages(.cpu, window: window, now: now)
        let deployments = try await list().filter { $0.id != deploymentID && $0.state != .rolledBack && $0.state != .failed }
        return ClusterSnapshot(takenAt: now, metricsWindowSeconds: window, devices: devices.map { device in
            var state = DeviceState(device)
            if let mean = cpu[device.id] { state.cpuBusyPercent = mean }
            state.availability = reliability[device.id]?.availability
            state.observedDays = reliability[device.id]?.observedDays
            state.reboots = reliability[device.id]?.reboots
            for deployment in deployments {
                for component in deployment.components where component.device == device.name {
                    state.apps.append(DeployedApp(recipe: deployment.recipe, deployment: deployment.name, category: deployment.category,
                                                  memoryBytes: component.memoryBytes, storageBytes: component.storageBytes))
                    state.publishedPorts += component.published
                }
            }
            return state
        })
    }
}
