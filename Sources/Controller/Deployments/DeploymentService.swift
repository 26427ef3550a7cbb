import Foundation
import GRDB
import Logging
import Protocol
import Recipes
import Scheduler
import ServiceLifecycle
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
    public init() {}
}

/// Deployments: from "deploy this recipe" to a healthy app, as a persisted state machine (each state
/// stored before its work starts), resumed by a restarted controller; and their management afterwards.
public final class DeploymentService: Sendable {
    let store: Store
    let registry: DeviceRegistry
    let events: EventHub
    let catalog: RecipeCatalog
    let scheduler: Scheduler
    let box: SecretBox
    public let settings: DeploymentSettings
    let caddy: CaddyAdmin?
    let logger: Logger
    /// The task driving each deployment that has work under way, by id.
    let running = Mutex<[String: Task<Void, Never>]>([:])

    init(store: Store, registry: DeviceRegistry, events: EventHub, catalog: RecipeCatalog, scheduler: Scheduler, box: SecretBox,
         settings: DeploymentSettings, logger: Logger) {
        self.store = store
        self.registry = registry
        self.events = events
        self.catalog = catalog
        self.scheduler = scheduler
        self.box = box
        self.settings = settings
        self.caddy = settings.proxy.kind == .caddy ? CaddyAdmin(base: settings.proxy.caddyAdmin, listen: settings.proxy.caddyListen, scheme: settings.proxy.scheme) : nil
        self.logger = logger
    }

    // MARK: Deploy

    /// Accepts a deploy (or a redeploy of an existing name): everything that can be refused is checked
    /// here (recipe, inputs, placement, rendering), the deployment is stored as `pending`, and the work
    /// goes on in the background.
    public func deploy(_ request: DeployRequest, now: Date = Date()) async throws -> DeployAccepted {
        let prepared = try await prepare(request, now: now)
        let sealed = try seal(prepared.secret)
        let resource = prepared.resource
        let firstSeq = try await store.write { db -> Int64 in
            // Stored only if nothing changed it since it was checked (a concurrent deploy of the same name).
            let current = try DeploymentRecord.find(db, name: resource.name)
            guard current?.id == prepared.previousID, current.map({ DeploymentState(rawValue: $0.state)?.isInProgress != true }) ?? true else {
                throw ControllerError.conflict("\(resource.name) is being deployed by another request")
            }
            let record = DeploymentRecord(id: resource.id, name: resource.name, recipe: resource.recipe, state: resource.state.rawValue,
                                          resource: JSONText.encode(resource), sealed: sealed, createdAt: resource.createdAt, updatedAt: now)
            try record.save(db)
            return try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM deploymentStep") ?? 0
        }
        for step in prepared.steps { try await self.step(resource.id, nil, component: step.component, step.message, now: now) }
        start(resource.id)
        return DeployAccepted(deployment: resource, progress: "/v1/deployments/\(resource.name)/progress?after=\(firstSeq)")
    }

    /// Starts driving deployment `id` unless a task already does.
    func start(_ id: String) {
        running.withLock { tasks in
            guard tasks[id] == nil else { return }
            tasks[id] = Task { [self] in
                await self.drive(id)
                _ = self.running.withLock { $0.removeValue(forKey: id) }
            }
        }
    }

    /// Picks up every deployment whose work was under way when the controller stopped.
    func resume() async {
        let ids = (try? await store.read { db in
            try DeploymentRecord.fetchAll(db).filter { DeploymentState(rawValue: $0.state)?.isInProgress == true }.map(\.id)
        }) ?? []
        for id in ids {
            logger.info("resuming deployment \(id)")
            start(id)
        }
    }

    /// Waits for the work under way to end (tests, shutdown).
    public func idle() async {
        while let task = running.withLock({ $0.values.first }) { await task.value }
    }

    // MARK: Read

    /// Every deployment, filtered (`device`, `state`, `category`, `recipe`, `group`: a device's `group` label).
    public func list(device: String? = nil, state: String? = nil, category: String? = nil, recipe: String? = nil, group: String? = nil) async throws -> [DeploymentResource] {
        var all = try await store.read { db in try DeploymentRecord.order(Column("name")).fetchAll(db) }.compactMap(\.decodedResource)
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
        guard let resource = try await record(name).decodedResource else { throw ControllerError.io("deployment \(name) cannot be read") }
        return resource
    }

    /// The stored steps of a deployment after `after`, oldest first.
    func steps(of id: String, after: Int64 = 0) async throws -> [DeploymentStep] {
        try await store.read { db in
            try DeploymentStepRecord.filter(Column("deploymentID") == id && Column("id") > after).order(Column("id")).fetchAll(db)
        }.compactMap { record in
            var step = JSONText.decode(DeploymentStep.self, record.step)
            step?.seq = record.id
            return step
        }
    }

    /// The row of `name` (or id).
    func record(_ name: String) async throws -> DeploymentRecord {
        guard let record = try await store.read({ db in try DeploymentRecord.find(db, name: name) ?? DeploymentRecord.fetchOne(db, key: name) }) else {
            throw ControllerError.notFound("no deployment \(name)")
        }
        return record
    }

    /// The deployment `name` (or id) with its sealed part opened.
    func load(_ name: String) async throws -> (resource: DeploymentResource, secret: DeploymentPrivate) {
        let record = try await record(name)
        guard let resource = record.decodedResource else { throw ControllerError.io("deployment \(name) cannot be read") }
        return (resource, try unseal(record.sealed))
    }

    func seal(_ secret: DeploymentPrivate) throws -> Data { try box.seal(WireCoding.encoder.encode(secret)) }
    func unseal(_ sealed: Data) throws -> DeploymentPrivate { try WireCoding.decoder.decode(DeploymentPrivate.self, from: box.open(sealed)) }

    // MARK: Steps

    /// Stores a step (and the new state, error and resource changes with it) in one transaction, then publishes it.
    @discardableResult
    func step(_ id: String, _ state: DeploymentState?, component: String? = nil, _ message: String, error: String? = nil, final: Bool = false,
              now: Date = Date(), update: (@Sendable (inout DeploymentResource, inout DeploymentPrivate) -> Void)? = nil) async throws -> DeploymentResource {
        let (resource, seq, stepValue) = try await store.write { [self] db -> (DeploymentResource, Int64, DeploymentStep) in
            guard var record = try DeploymentRecord.fetchOne(db, key: id), var resource = record.decodedResource else {
                throw ControllerError.notFound("no deployment \(id)")
            }
            if let state { resource.state = state }
            if let error { resource.error = error }
            if let update {
                var secret = try unseal(record.sealed)
                update(&resource, &secret)
                record.sealed = try seal(secret)
            }
            resource.updatedAt = now
            record.state = resource.state.rawValue
            record.resource = JSONText.encode(resource)
            record.updatedAt = now
            try record.update(db)
            let step = DeploymentStep(time: now, state: resource.state, component: component, message: message, final: final ? true : nil)
            var row = DeploymentStepRecord(id: nil, deploymentID: id, step: JSONText.encode(step))
            try row.insert(db)
            return (resource, row.id ?? 0, step)
        }
        var published = stepValue
        published.seq = seq
        publish(resource, published)
        return resource
    }

    /// Publishes a pull's progress, which is not stored.
    func tick(_ component: DeploymentComponent, of deployment: (name: String, id: String), _ message: String, current: Int64?, total: Int64?) {
        publish(name: deployment.name, id: deployment.id, DeploymentStep(time: Date(), state: .pulling, component: component.name, message: message,
                                                                         current: current, total: total))
    }

    private func publish(_ resource: DeploymentResource, _ step: DeploymentStep) { publish(name: resource.name, id: resource.id, step) }

    private func publish(name: String, id: String, _ step: DeploymentStep) {
        var event = RegistryEvent(type: .deploymentProgress, time: step.time, device: nil)
        event.deployment = DeploymentProgress(deployment: name, id: id, step: step)
        events.publish(event)
    }

    /// An activity-feed entry.
    func activity(_ type: String, _ message: String, now: Date = Date()) async {
        _ = try? await store.write { db in try EventRecord(id: nil, time: now, type: type, deviceID: nil, message: message).insert(db) }
    }

    // MARK: Snapshot

    /// Every enrolled device as the scheduler sees it now (pending devices are not candidates), with what
    /// the controller observed of its reliability and what deployments reserve there (`excluding` one).
    public func snapshot(excluding deploymentID: String? = nil) async throws -> ClusterSnapshot {
        let now = Date()
        let devices = try await registry.list().filter { $0.status != .pending }
        let reliability = try await registry.reliability(of: devices, now: now)
        let deployments = try await list().filter { $0.id != deploymentID && $0.state != .rolledBack && $0.state != .failed }
        return ClusterSnapshot(takenAt: now, devices: devices.map { device in
            var state = DeviceState(device)
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

/// Resumes deployments left mid-way when the controller starts, and stops driving them at shutdown
/// (their stored state is where the next start picks them up).
struct DeploymentSupervisor: Service {
    let deployments: DeploymentService

    func run() async throws {
        await deployments.resume()
        try? await gracefulShutdown()
        for task in deployments.running.withLock({ Array($0.values) }) { task.cancel() }
    }
}
