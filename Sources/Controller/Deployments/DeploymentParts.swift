import Foundation
import GRDB
import Logging
import Protocol
import Recipes

/// What the deployment service and its job executors share: the database and the job store, the agents,
/// the event hub, the proxy and the sealing key; and the few things they all do with them.
struct DeploymentParts: Sendable {
    let store: Store
    let jobs: JobRunner
    let registry: DeviceRegistry
    let events: EventHub
    let box: SecretBox
    let settings: DeploymentSettings
    let caddy: CaddyAdmin?
    let logger: Logger

    // MARK: Records

    /// The row of `name` (or id).
    func record(_ name: String) async throws -> DeploymentRecord {
        guard let record = try await store.read({ db in try DeploymentRecord.find(db, name: name) ?? DeploymentRecord.fetchOne(db, key: name) }) else {
            throw HomelabError.notFound("no deployment \(name)", context: ["deployment": name])
        }
        return record
    }

    /// The deployment `name` (or id): its row, its spec and its sealed part opened.
    func load(_ name: String) async throws -> (record: DeploymentRecord, spec: StoredDeployment, secret: DeploymentPrivate) {
        let record = try await record(name)
        guard let spec = record.decodedSpec else {
            throw HomelabError(.unreadableRecord, "the stored deployment \(record.name) cannot be read (written by another version?)",
                               context: ["deployment": record.name])
        }
        return (record, spec, try unseal(record.sealed))
    }

    func seal(_ secret: DeploymentPrivate) throws -> Data { try box.seal(WireCoding.encoder.encode(secret)) }
    func unseal(_ sealed: Data) throws -> DeploymentPrivate { try WireCoding.decoder.decode(DeploymentPrivate.self, from: box.open(sealed)) }

    /// The API's view of the rows: each in the state its newest job left it, with that job's failure.
    func resources(_ records: [DeploymentRecord]) async throws -> [DeploymentResource] {
        let latest = try await jobs.store.latest(of: records.count > 50 ? nil : records.map(\.id))
        return records.map { record in
            let job = latest[record.id]
            let state = job?.subjectState.flatMap(DeploymentState.init(rawValue:)) ?? .pending
            return record.resource(state: state, error: job?.outcome == .succeeded ? nil : job?.failure)
        }
    }

    /// One row's view.
    func resource(_ record: DeploymentRecord) async throws -> DeploymentResource { try await resources([record])[0] }

    /// Whether a job works on deployment `id` now.
    func busy(_ id: String) async throws -> Bool { !(try await jobs.store.jobs(JobFilter(subject: id, active: true, limit: 1))).isEmpty }

    // MARK: Devices

    /// Returns once the device is connected; throws `device_offline` after ``DeploymentSettings/deviceWait``.
    func waitOnline(_ device: String, clock: any Clock<Duration>) async throws {
        let deadline = JobDeadline(existential: clock, after: settings.deviceWait)
        while true {
            let resource = try await registry.get(device)
            if resource.status == .online { return }
            if deadline.hasPassed {
                throw HomelabError(.deviceOffline, "\(device) is \(resource.status.rawValue) and did not come back within \(settings.deviceWait.components.seconds) s",
                                   context: ["device": device])
            }
            try await clock.sleep(for: .milliseconds(500), tolerance: nil)
        }
    }

    /// Removes one component's stack; the problem, when its device cannot be reached or refuses.
    func removeStack(_ component: DeploymentComponent, volumes: Bool, clock: any Clock<Duration>) async -> String? {
        do {
            try await waitOnline(component.device, clock: clock)
            let action = StackAction(stack: StackRef(project: component.project), verb: .remove, removeVolumes: volumes)
            _ = try await registry.ask(component.device, action, timeout: .seconds(300))
            return nil
        } catch {
            return "\(component.name) on \(component.device): \(HomelabError.shown(error, logger: logger).message)"
        }
    }

    // MARK: What people watch

    /// A stored step as the API shows it.
    static func step(_ step: JobStepRecord) -> DeploymentStep {
        DeploymentStep(seq: step.seq, time: step.time, state: step.subjectState.flatMap(DeploymentState.init(rawValue:)) ?? .pending,
                       component: step.component, message: step.message, final: step.final ? true : nil)
    }

    /// Publishes stored steps as `deployment.progress` events.
    func publish(_ steps: [JobStepRecord], name: String) {
        for step in steps { publish(name: name, id: step.subject, Self.step(step)) }
    }

    /// Publishes a pull's progress, which is not stored.
    func tick(component: String, of deployment: (name: String, id: String), _ message: String, current: Int64?, total: Int64?) {
        publish(name: deployment.name, id: deployment.id, DeploymentStep(time: Date(), state: .pulling, component: component, message: message,
                                                                         current: current, total: total))
    }

    private func publish(name: String, id: String, _ step: DeploymentStep) {
        var event = RegistryEvent(type: .deploymentProgress, time: step.time, device: nil)
        event.deployment = DeploymentProgress(deployment: name, id: id, step: step)
        events.publish(event)
    }

    /// An activity-feed entry.
    func activity(_ type: String, _ message: String, now: Date = Date()) async {
        do {
            _ = try await store.write { db in try EventRecord(id: nil, time: now, type: type, deviceID: nil, message: message).insert(db) }
        } catch {
            logger.error("cannot record the activity '\(message)': \(error)")
        }
    }

    /// The recipe a deployment was made from.
    func recipe(of secret: DeploymentPrivate) throws -> Recipe {
        try RecipeLoader.parse(secret.recipeText, file: secret.recipeFile)
    }
}
