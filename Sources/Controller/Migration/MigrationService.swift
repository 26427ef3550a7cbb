import Foundation
import Protocol
import Recipes
import Scheduler

/// Migrations of a deployment's component: everything that can be refused is refused here, before a job
/// exists (an unknown deployment, component or device, the same device, a deployment that does not run,
/// a destination the scheduler's hard filters reject); then the ``MigrationMachine`` is submitted.
extension DeploymentService {
    /// The rate the expected downtime assumes for a copy with the app stopped (bytes per second).
    static let assumedCopyRate: Double = 40_000_000
    /// What the expected downtime adds for stopping the app and starting it at the destination.
    static let assumedRestartSeconds = 10

    /// Submits a migration (or `finish`: the removal of what the last one kept); returns the accepted job.
    public func migrate(_ name: String, _ request: MigrationRequest) async throws -> MigrationAccepted {
        let resource = try await get(name)
        return try await claiming(resource.name) {
            try await idleCheck(resource)
            let (machine, reason) = request.finish == true ? (try await finishing(resource), "removing the kept source")
                                                           : try await { let made = try await migration(resource, request); return (made.machine, made.reason) }()
            let (job, steps) = try await parts.jobs.submit(machine, to: migrator)
            return MigrationAccepted(deployment: resource.name, job: job.id, component: machine.component, source: machine.source,
                                     destination: machine.destination, reason: reason,
                                     progress: "/v1/deployments/\(resource.name)/progress?after=\((steps.first?.seq ?? 1) - 1)")
        }
    }

    /// What a migration would do, measured now; nothing changes.
    public func planMigration(_ name: String, _ request: MigrationRequest) async throws -> MigrationPlan {
        guard request.finish != true else { throw HomelabError.badRequest("dryRun plans a migration; finish has nothing to plan", field: "finish") }
        let resource = try await get(name)
        let (machine, reason, secret) = try await migration(resource, request)
        let usage = try await registry.ask(machine.source, VolumeUsageRequest(project: machine.project), timeout: .seconds(600))
        let room = try await MigrationRoom.measure(usage, at: try await registry.get(machine.destination), registry: registry)
        let stack = secret.stacks[machine.component]
        let images = Set(stack?.services.values.map(\.image) ?? []).sorted()
        let stopped = Double(room.size) * (machine.warm ? 0.01 : 1) / Self.assumedCopyRate
        var steps = ["preflight: measure the volumes on \(machine.source) and the room on \(machine.destination)",
                     "pull \(images.joined(separator: ", ")) on \(machine.destination) while \(machine.component) runs"]
        if machine.warm && !usage.isEmpty { steps.append("copy the volumes while \(machine.component) runs (warm)") }
        steps.append("stop \(machine.component) on \(machine.source)")
        if !usage.isEmpty { steps.append(machine.warm ? "copy what changed since the warm copy; compare the manifests" : "copy the volumes; compare the manifests") }
        steps += ["start \(machine.component) on \(machine.destination) with the same stack, inputs and secrets",
                  "wait for its health (at most \(machine.healthTimeout) s)",
                  "commit: the deployment names \(machine.destination)",
                  "repoint the proxy route and the components that use \(machine.component)",
                  machine.removeSource ? "remove the stopped source on \(machine.source) with its volumes"
                                       : "keep the stopped source on \(machine.source) with its volumes (--finish removes it)"]
        return MigrationPlan(deployment: resource.name, component: machine.component, source: machine.source, destination: machine.destination,
                             reason: reason, volumes: usage.map { .init(name: $0.name, bytes: $0.allocatedBytes, entries: $0.entries) }.sorted { $0.name < $1.name },
                             destinationFreeBytes: room.free, neededBytes: room.needed, fits: room.free >= room.needed, images: images, warm: machine.warm,
                             downtimeSeconds: Int(stopped.rounded(.up)) + Self.assumedRestartSeconds, steps: steps)
    }

    /// The machine of a migration of `resource`, after every refusal that needs no agent.
    private func migration(_ resource: DeploymentResource, _ request: MigrationRequest) async throws -> (machine: MigrationMachine, reason: String, secret: DeploymentPrivate) {
        guard resource.state == .running else {
            throw HomelabError.conflict("\(resource.name) is \(resource.state.rawValue): only a running deployment moves", context: ["deployment": resource.name])
        }
        guard let to = request.to, !to.isEmpty else { throw HomelabError.badRequest("say where to: a device, or auto", field: "to") }
        let component = try migrated(resource, request.component)
        let (_, _, secret) = try await parts.load(resource.id)
        let recipe = try parts.recipe(of: secret)
        let placement = PlacementRequest(recipe: recipe)
        guard let wanted = placement.components.first(where: { $0.name == component.name }) else {
            throw HomelabError.internal("the recipe of \(resource.name) has no component \(component.name)")
        }
        let snapshot = try await snapshot(excluding: resource.id)
        let destination: String, reason: String
        if to == "auto" {
            let others = ClusterSnapshot(takenAt: snapshot.takenAt, metricsWindowSeconds: snapshot.metricsWindowSeconds,
                                         devices: snapshot.devices.filter { $0.name != component.device })
            let plan = scheduler.plan(others, placement)
            guard let choice = plan.placements.first?.choices.first(where: { $0.component == component.name }) else {
                let ranking = plan.rankings.first { $0.component == component.name }?.devices ?? []
                let why = ranking.prefix(5).map { "\($0.device): \($0.rejections.joined(separator: ", "))" }
                throw HomelabError(.unplaceable, "no other device can run \(component.name)" + (why.isEmpty ? " (no other device is enrolled)" : ": " + why.joined(separator: "; ")),
                                   context: ["component": component.name, "deployment": resource.name])
            }
            (destination, reason) = (choice.device, choice.reason)
        } else {
            let device = try await registry.get(to)
            guard device.name != component.device else {
                throw HomelabError.badRequest("\(component.name) of \(resource.name) already runs on \(device.name)", field: "to")
            }
            guard let state = snapshot.devices.first(where: { $0.name == device.name }) else {
                throw HomelabError.conflict("\(device.name) is \(device.status.rawValue): it cannot take apps", context: ["device": device.name])
            }
            let assessment = scheduler.assess(state, for: wanted, request: placement, in: Homelab(snapshot.devices))
            guard assessment.eligible else {
                throw HomelabError(.unplaceable, "\(component.name) cannot run on \(device.name): \(assessment.rejections.joined(separator: "; "))",
                                   context: ["component": component.name, "device": device.name])
            }
            (destination, reason) = (device.name, "chosen by you")
        }
        let warm = request.warm ?? false
        let intro = [JobNote("Moving \(resource.name) (\(component.name)) from \(component.device) to \(destination): \(reason)"
                             + (warm ? "; warm copy first" : ""), component: component.name)]
        let machine = MigrationMachine(subject: resource.id, name: resource.name, component: component.name, project: component.project,
                                       source: component.device, destination: destination, warm: warm, removeSource: request.removeSource ?? false,
                                       healthTimeout: secret.healthTimeout, intro: intro)
        return (machine, reason, secret)
    }

    /// The component a request moves: the one named, or the only one.
    private func migrated(_ resource: DeploymentResource, _ name: String?) throws -> DeploymentComponent {
        if let name {
            guard let component = resource.components.first(where: { $0.name == name }) else {
                throw HomelabError.notFound("\(resource.name) has no component \(name) (it has: \(resource.components.map(\.name).joined(separator: ", ")))",
                                            context: ["deployment": resource.name, "component": name])
            }
            return component
        }
        guard resource.components.count == 1 else {
            throw HomelabError.badRequest("\(resource.name) has several components (\(resource.components.map { "\($0.name) on \($0.device)" }.joined(separator: ", "))): "
                                          + "name the one to move", field: "component")
        }
        return resource.components[0]
    }

    /// The removal of the stopped source the newest migration of `resource` kept.
    private func finishing(_ resource: DeploymentResource) async throws -> MigrationMachine {
        let last = try await parts.jobs.store.jobs(JobFilter(subject: resource.id, kind: MigrationMachine.kind, limit: 1)).first
        guard let last, let kept = try? WireCoding.decoder.decode(MigrationMachine.self, from: last.machine), kept.committed,
              !kept.removeSource || kept.state == .failed, !(kept.finishOnly && kept.state == .moved) else {
            throw HomelabError.conflict("\(resource.name) keeps no stopped source: its last migration removed it, or did not move it",
                                        context: ["deployment": resource.name])
        }
        guard !resource.components.contains(where: { $0.device == kept.source && $0.project == kept.project }) else {
            throw HomelabError.conflict("\(kept.component) of \(resource.name) runs on \(kept.source) again: nothing kept there to remove",
                                        context: ["deployment": resource.name])
        }
        var machine = MigrationMachine(subject: resource.id, name: resource.name, component: kept.component, project: kept.project, source: kept.source,
                                       destination: kept.destination, warm: false, removeSource: true, healthTimeout: kept.healthTimeout,
                                       intro: [JobNote("Removing the stopped source of \(kept.component) on \(kept.source) with its volumes", component: kept.component)])
        machine.finishOnly = true
        return machine
    }
}
