import Foundation
import GRDB
import Hummingbird
import Protocol

/// After the deploy: start/stop/restart, remove, detail with drift, logs and the progress stream.
extension DeploymentService {
    /// Starts, stops or restarts a deployment (or one component) and returns it once done; a failure is
    /// thrown with its code and leaves the deployment in the state it was in.
    public func perform(_ name: String, _ verb: StackAction.Verb, component: String? = nil) async throws -> DeploymentResource {
        let resource = try await get(name)
        return try await claiming(resource.name) {
            try await idleCheck(resource)
            guard [.running, .stopped].contains(resource.state) else {
                throw HomelabError.conflict("\(resource.name) is \(resource.state.rawValue): only a running or stopped deployment can \(verb.rawValue)",
                                            context: ["deployment": resource.name])
            }
            let targets = try components(of: resource, component).map { DeployMachine.Component(name: $0.name, device: $0.device, project: $0.project) }
            let machine = DeploymentActionMachine(subject: resource.id, name: resource.name, verb: verb, components: targets, component: component,
                                                  before: resource.state)
            try await finish(try await parts.jobs.submit(machine, to: actor).job)
            return try await get(resource.id)
        }
    }

    /// Removes a deployment: its stacks, with their volumes only when `deleteData`, its proxy route, its record.
    /// Returns once it is gone; a device that cannot be reached leaves the deployment `failed`, to remove again.
    public func remove(_ name: String, deleteData: Bool) async throws {
        let resource = try await get(name)
        try await claiming(resource.name) {
            try await idleCheck(resource)
            let components = resource.components.map { DeployMachine.Component(name: $0.name, device: $0.device, project: $0.project) }
            let machine = DeploymentRemovalMachine(subject: resource.id, name: resource.name, components: components, deleteData: deleteData)
            try await finish(try await parts.jobs.submit(machine, to: remover).job)
        }
    }

    /// Waits for job `job` to end; throws its failure when it failed.
    private func finish(_ job: JobRecord) async throws {
        await parts.jobs.wait(for: job.id)
        guard let ended = try await parts.jobs.store.job(job.id), let outcome = ended.outcome else {
            throw HomelabError.conflict("the controller is stopping: the work on it goes on when it starts again", context: ["job": job.id])
        }
        if outcome != .succeeded { throw ended.failure ?? HomelabError.internal() }
    }

    /// Refuses to start work on a deployment that has work under way.
    func idleCheck(_ resource: DeploymentResource) async throws {
        guard !resource.state.isInProgress, try await !parts.busy(resource.id) else {
            throw HomelabError.conflict("\(resource.name) is \(resource.state.rawValue): wait until that ends", context: ["deployment": resource.name])
        }
    }

    private func components(of resource: DeploymentResource, _ name: String?) throws -> [DeploymentComponent] {
        guard let name else { return resource.components }
        guard let component = resource.components.first(where: { $0.name == name }) else {
            throw HomelabError.notFound("\(resource.name) has no component \(name) (it has: \(resource.components.map(\.name).joined(separator: ", ")))",
                                        context: ["deployment": resource.name, "component": name])
        }
        return [component]
    }

    // MARK: Detail and drift

    /// The deployment with what its devices report now, the differences, its notes and its steps.
    public func detail(_ name: String) async throws -> DeploymentDetail {
        let (record, _, secret) = try await parts.load(name)
        let resource = try await parts.resource(record)
        var live: [DeploymentDetail.Live] = []
        for component in resource.components {
            let volumes = (secret.stacks[component.name]?.volumes ?? [:]).keys.sorted().map { "\(component.project)_\($0)" }
            do {
                let stacks = try await registry.ask(component.device, StackList(), timeout: .seconds(10))
                let containers = stacks.first { $0.project == component.project }?.containers ?? []
                let stats = containers.contains { $0.state == .running }
                    ? try? await registry.ask(component.device, StackStatsRequest(StackRef(project: component.project)), timeout: .seconds(10))
                    : nil
                live.append(.init(component: component.name, device: component.device, containers: containers, stats: stats, volumes: volumes,
                                  unreachable: nil))
            } catch {
                live.append(.init(component: component.name, device: component.device, containers: [], stats: nil, volumes: volumes,
                                  unreachable: HomelabError.shown(error, logger: parts.logger).message))
            }
        }
        return DeploymentDetail(deployment: resource, live: live, drift: Self.drift(resource, secret, live), notes: secret.notes,
                                steps: try await steps(of: resource.id))
    }

    /// What runs differs from what was deployed: a service without its container, a container in the
    /// wrong state, a container the deployment does not have.
    static func drift(_ resource: DeploymentResource, _ secret: DeploymentPrivate, _ live: [DeploymentDetail.Live]) -> [String] {
        guard [.running, .stopped].contains(resource.state) else { return [] }
        var problems: [String] = []
        for entry in live where entry.unreachable == nil {
            guard let stack = secret.stacks[entry.component] else { continue }
            if entry.containers.isEmpty {
                problems.append("\(entry.component): its stack is gone from \(entry.device)")
                continue
            }
            let oneShots = stack.oneShotServices
            for service in stack.services.keys.sorted() {
                guard let container = entry.containers.first(where: { $0.service == service }) else {
                    problems.append("\(entry.component): service \(service) has no container on \(entry.device) (removed by hand?)")
                    continue
                }
                if resource.state == .running && container.state != .running && !oneShots.contains(service) {
                    problems.append("\(entry.component): service \(service) is \(container.state), the deployment is running")
                } else if resource.state == .stopped && container.state == .running {
                    problems.append("\(entry.component): service \(service) runs, the deployment is stopped")
                }
            }
            for container in entry.containers where stack.services[container.service] == nil {
                problems.append("\(entry.component): container \(container.name) (service \(container.service)) is not part of the deployment")
            }
        }
        return problems
    }

    /// Every deployment's drift, and the stacks on online devices that no deployment accounts for.
    public func driftReport() async throws -> DriftReport {
        let records = try await parts.store.read { db in try DeploymentRecord.fetchAll(db) }
        let resources = try await parts.resources(records)
        var known: Set<String> = []
        var byDevice: [String: [StackStatus]] = [:]
        var unreachable: [String] = []
        for device in try await registry.list() where device.status == .online {
            do {
                byDevice[device.name] = try await registry.ask(device.name, StackList(), timeout: .seconds(10))
            } catch {
                unreachable.append(device.name)
            }
        }
        var report: [DriftReport.Deployment] = []
        for (record, resource) in zip(records, resources) {
            for component in resource.components { known.insert("\(component.device)/\(component.project)") }
            guard let secret = try? parts.unseal(record.sealed) else { continue }
            var live: [DeploymentDetail.Live] = []
            for component in resource.components {
                if let stacks = byDevice[component.device] {
                    live.append(.init(component: component.name, device: component.device,
                                      containers: stacks.first { $0.project == component.project }?.containers ?? [], stats: nil, unreachable: nil))
                }
            }
            let problems = Self.drift(resource, secret, live)
            if !problems.isEmpty { report.append(.init(deployment: resource.name, problems: problems)) }
        }
        var unknown: [DriftReport.Unknown] = []
        for (device, stacks) in byDevice.sorted(by: { $0.key < $1.key }) {
            for stack in stacks where !known.contains("\(device)/\(stack.project)") {
                unknown.append(.init(device: device, project: stack.project, deployment: stack.deployment))
            }
        }
        return DriftReport(deployments: report.sorted { $0.deployment < $1.deployment }, unknownStacks: unknown, unreachable: unreachable.sorted())
    }

    // MARK: Streams

    /// The steps after `after` as JSON lines: those stored, then live ones, until a final step (or at once,
    /// when no work is under way and the stored steps are all there is).
    public func progress(_ name: String, after: Int64) async throws -> ResponseBody {
        let resource = try await get(name)
        let subscription = events.subscribe()
        let stored = try await steps(of: resource.id, after: after)
        let busy = try await parts.busy(resource.id) || resource.state.isInProgress
        return ResponseBody { writer in
            var last = after
            func send(_ step: DeploymentStep) async throws {
                var data = try WireCoding.encoder.encode(step)
                data.append(UInt8(ascii: "\n"))
                try await writer.write(ByteBuffer(bytes: data))
            }
            for step in stored {
                try await send(step)
                last = step.seq ?? last
                if step.final == true && !busy { try await writer.finish(nil); return }
            }
            if busy {
                for await event in subscription {
                    guard let progress = event.deployment, progress.id == resource.id else { continue }
                    if let seq = progress.step.seq { if seq <= last { continue } else { last = seq } }
                    try await send(progress.step)
                    if progress.step.final == true { break }
                }
            }
            try await writer.finish(nil)
        }
    }

    /// A service's logs (JSON lines), through the agent's flow-controlled stream: the component named (or the
    /// one with the web entry, or the only one) and its service named (or its only one).
    public func logs(_ name: String, component: String?, service: String?, tail: Int?, follow: Bool) async throws -> ResponseBody {
        let (record, _, secret) = try await parts.load(name)
        let resource = try await parts.resource(record)
        let target: DeploymentComponent
        if let component {
            target = try components(of: resource, component)[0]
        } else if resource.components.count == 1 {
            target = resource.components[0]
        } else {
            let web = (try? parts.recipe(of: secret))?.web?.component
            guard let found = resource.components.first(where: { $0.name == web }) else {
                throw HomelabError.badRequest("\(resource.name) has several components: name one (\(resource.components.map(\.name).joined(separator: ", ")))",
                                              field: "component")
            }
            target = found
        }
        let services = secret.stacks[target.name]?.services.keys.sorted() ?? []
        let chosen: String
        if let service {
            chosen = service
        } else if services.count == 1 {
            chosen = services[0]
        } else {
            throw HomelabError.badRequest("\(target.name) has several services: name one (\(services.joined(separator: ", ")))", field: "service")
        }
        return try await DeviceStacks(registry: registry).logs(target.device, project: target.project, service: chosen, tail: tail, follow: follow)
    }
}
