import Foundation
import GRDB
import Protocol

/// Carries out a ``DeployMachine``'s actions: applies stacks through the agents (their progress routed
/// straight to the job), waits for health, routes Caddy, undoes, and puts the previous version's record back.
struct DeployExecutor: JobExecutor {
    typealias Machine = DeployMachine
    let parts: DeploymentParts

    func perform(_ action: DeployMachine.Action, in job: JobContext<DeployMachine>) async throws -> [DeployMachine.Event] {
        let machine = job.machine
        switch action {
        case .begin:
            return [.began]
        case .apply(let name):
            let (_, spec, secret) = try await parts.load(machine.subject)
            let component = try Self.component(name, of: spec)
            guard let stack = secret.stacks[name] else { throw HomelabError.internal("the stored deployment has no stack for \(name)") }
            do {
                try await apply(stack, of: component, timeout: secret.healthTimeout, deployment: (machine.name, machine.subject), job: job)
                return [.applied(component: name)]
            } catch let error as HomelabError where error.isDeviceUnreachable {
                return [.linkLost(component: name)]
            }
        case .checkHealth(let name):
            let (_, spec, secret) = try await parts.load(machine.subject)
            let component = try Self.component(name, of: spec)
            guard let stack = secret.stacks[name] else { throw HomelabError.internal("the stored deployment has no stack for \(name)") }
            let hints = (try? parts.recipe(of: secret))?.health.filter { $0.component == name } ?? []
            let lines = try await HealthWaiter(parts: parts, clock: job.clock).wait(component, stack: stack, hints: hints, timeout: .seconds(secret.healthTimeout))
            return [.healthy(component: name, lines)]
        case .route:
            let (_, _, secret) = try await parts.load(machine.subject)
            guard machine.routes, let caddy = parts.caddy, let upstream = secret.proxyUpstream else { return [.routed(host: nil, upstream: nil)] }
            let host = parts.settings.proxy.host(for: machine.name)
            do { try await caddy.route(machine.name, host: host, upstream: upstream) } catch {
                throw HomelabError(.proxyError, "Caddy refused the route \(host) → \(upstream): \(HomelabError.shown(error, logger: parts.logger).message)")
            }
            return [.routed(host: host, upstream: upstream)]
        case .remove(let name):
            let (_, spec, _) = try await parts.load(machine.subject)
            let component = try Self.component(name, of: spec)
            let problem = await parts.removeStack(component, volumes: true, clock: job.clock)
            if problem == nil { try await note(job, "\(name): removed from \(component.device) with its volumes", component: name) }
            return [.undone(component: name, problem: problem)]
        case .restore(let name):
            let (_, _, secret) = try await parts.load(machine.subject)
            guard let previous = secret.previous, let stored = previous.spec.components.first(where: { $0.name == name }),
                  let stack = previous.stacks[name] else {
                return [.undone(component: name, problem: "\(name): the previous version's stack is not stored")]
            }
            let component = stored.resource
            do {
                try await apply(stack, of: component, timeout: secret.healthTimeout, deployment: nil, job: job)
                let hints = (try? parts.recipe(of: secret))?.health.filter { $0.component == name } ?? []
                for line in try await HealthWaiter(parts: parts, clock: job.clock).wait(component, stack: stack, hints: hints, timeout: .seconds(secret.healthTimeout)) {
                    try await note(job, "\(name): \(line) (previous version)", component: name)
                }
                return [.undone(component: name, problem: nil)]
            } catch let error where !(error is CancellationError) {
                return [.undone(component: name, problem: "\(name) on \(component.device): \(HomelabError.shown(error, logger: parts.logger).message)")]
            }
        case .restoreRoute:
            if let caddy = parts.caddy {
                let (_, _, secret) = try await parts.load(machine.subject)
                // Best effort: a route left behind points at nothing and is replaced by the next deploy of the name.
                if let upstream = secret.previous?.proxyUpstream {
                    try? await caddy.route(machine.name, host: parts.settings.proxy.host(for: machine.name), upstream: upstream)
                } else {
                    try? await caddy.remove(machine.name)
                }
            }
            return [.undone(component: nil, problem: nil)]
        case .revert:
            try await revert(machine.subject)
            return [.reverted]
        }
    }

    func stored(_ steps: [JobStepRecord], of job: JobRecord, machine: DeployMachine) async {
        parts.publish(steps, name: machine.name)
        guard let outcome = job.outcome else { return }
        let record = try? await parts.record(machine.subject)
        let version = record?.decodedSpec.map { " \($0.recipeVersion)" } ?? ""
        switch outcome {
        case .succeeded:
            var seen = Set<String>()
            let devices = machine.components.map(\.device).filter { seen.insert($0).inserted }.joined(separator: ",")
            await parts.activity("deployment.running", "Deployed \(machine.name) (\(record?.recipe ?? "?")\(version)) to \(devices)")
        case .rolledBack, .failed:
            let last = steps.last?.message ?? job.state
            await parts.activity("deployment.rolled-back", "Deploying \(machine.name) failed (\(job.failure?.message ?? "")); \(last)")
        }
    }

    // MARK: Pieces

    static func component(_ name: String, of spec: StoredDeployment) throws -> DeploymentComponent {
        guard let component = spec.components.first(where: { $0.name == name }) else {
            throw HomelabError.internal("the stored deployment has no component \(name)")
        }
        return component.resource
    }

    /// A step that changes no state (a rollback's detail).
    private func note(_ job: JobContext<DeployMachine>, _ message: String, component: String) async throws {
        try await job.emit(.note(component: component, message))
    }

    /// Applies `stack` on the component's device. With `deployment`, the agent's progress moves the job
    /// (pull → pulling, network/volume/create/remove → creating, start/wait → starting) and pull ticks are
    /// published; without, the apply is silent (a rollback's).
    private func apply(_ stack: StackSpec, of component: DeploymentComponent, timeout: Int, deployment: (name: String, id: String)?,
                       job: JobContext<DeployMachine>) async throws {
        try await parts.waitOnline(component.device, clock: job.clock)
        let device = try await parts.registry.get(component.device)
        let route = parts.registry.progress.route(deviceID: device.id, project: component.project)
        defer { route.close() }
        let request = StackApply(spec: stack, healthTimeout: timeout)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { route.close() }
                _ = try await parts.registry.ask(component.device, request, timeout: .seconds(1800))
            }
            group.addTask {
                var phase = DeployMachine.Phase.pulling
                var lastTick: ContinuousClock.Instant?
                for await progress in route.stream {
                    guard let deployment else { continue }
                    if progress.phase == .pull {
                        // People watching need a few redraws a second, not every layer's every chunk.
                        let now = ContinuousClock.now
                        if let lastTick, now - lastTick < DeviceRegistry.tickInterval { continue }
                        lastTick = now
                        parts.tick(component: component.name, of: deployment, "\(component.name): \(progress.message)",
                                   current: progress.current, total: progress.total)
                        continue
                    }
                    let next: DeployMachine.Phase? = switch progress.phase {
                    case .network, .volume, .create, .remove: .creating
                    case .start, .wait: .starting
                    default: nil
                    }
                    if progress.phase == .done { continue }
                    if let next, next != phase {
                        phase = next
                        try await job.emit(.phase(component: component.name, next, progress.message))
                    } else {
                        try await job.emit(.note(component: component.name, progress.message))
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Makes the previous version current again: its spec, inputs, stacks and route target.
    private func revert(_ id: String) async throws {
        let (record, _, secret) = try await parts.load(id)
        guard let previous = secret.previous else { return }  // Already reverted (a restart redid this action).
        var restored = secret
        restored.inputs = previous.inputs
        restored.stacks = previous.stacks
        restored.proxyUpstream = previous.proxyUpstream
        restored.previous = nil
        var row = record
        row.spec = JSONText.encode(previous.spec)
        row.sealed = try parts.seal(restored)
        row.updatedAt = Date()
        try await parts.store.write { [row] db in try row.update(db) }
    }
}
