import Foundation
import GRDB
import Protocol
import Scheduler

/// Carries out a ``MigrationMachine``'s actions: measures and pulls ahead, stops the source, copies the
/// volumes through ``VolumeTransfer`` (manifests compared), applies the same stack at the destination,
/// waits for its health, commits the record, repoints the route and the consumers, and undoes. The
/// stack and everything secret are read from the sealed record, never from the machine.
struct MigrationExecutor: JobExecutor {
    typealias Machine = MigrationMachine
    let parts: DeploymentParts

    func perform(_ action: MigrationMachine.Action, in job: JobContext<MigrationMachine>) async throws -> [MigrationMachine.Event] {
        let machine = job.machine
        try await MigrationTestHold.wait(before: machine.stateName, clock: job.clock)
        switch action {
        case .preflight:
            try await bothOnline(machine, clock: job.clock)
            let usage = try await parts.registry.ask(machine.source, VolumeUsageRequest(project: machine.project), timeout: .seconds(600))
            let room = try await MigrationRoom.check(usage, at: machine.destination, registry: parts.registry)
            return [.checked(volumes: usage.map(\.name).sorted(), usage.map { "\($0.name): \(Bytes.words(Int64(clamping: $0.allocatedBytes)))" } + [room])]
        case .pull:
            let stack = try await stack(of: machine)
            try await parts.waitOnline(machine.destination, clock: job.clock)
            let pulled = try await parts.registry.ask(machine.destination, StackPull(spec: stack), timeout: .seconds(1800))
            return [.pulled("\(machine.destination) pulled \(pulled.pulled.count) image(s), had \(pulled.present.count)")]
        case .copy(let final):
            try await bothOnline(machine, clock: job.clock)
            return [.copied(final: final, try await copy(machine, final: final, id: job.id))]
        case .stopSource:
            try await parts.waitOnline(machine.source, clock: job.clock)
            _ = try await parts.registry.ask(machine.source, StackAction(stack: StackRef(project: machine.project), verb: .stop), timeout: .seconds(300))
            return [.stopped]
        case .apply:
            let (_, _, secret) = try await parts.load(machine.subject)
            let stack = try await stack(of: machine)
            try await parts.waitOnline(machine.destination, clock: job.clock)
            _ = try await parts.registry.ask(machine.destination, StackApply(spec: stack, healthTimeout: secret.healthTimeout), timeout: .seconds(1800))
            return [.applied]
        case .checkHealth:
            return [.healthy(try await health(machine, on: machine.destination, clock: job.clock))]
        case .commit:
            try await MigrationCommit(parts: parts).commit(machine)
            return [.committed]
        case .repoint:
            return [.repointed(try await MigrationCommit(parts: parts).repoint(machine, clock: job.clock))]
        case .removeSource:
            return [.undone(problem: await parts.removeStack(side(machine, machine.source), volumes: true, clock: job.clock))]
        case .removeDestination:
            var problem = await parts.removeStack(side(machine, machine.destination), volumes: true, clock: job.clock)
            if problem == nil {
                do {
                    _ = try await parts.registry.ask(machine.destination, TransferDiscard(migration: job.id), timeout: .seconds(120))
                } catch {
                    problem = "the migration's volumes on \(machine.destination): \(HomelabError.shown(error, logger: parts.logger).message)"
                }
            }
            return [.undone(problem: problem)]
        case .restartSource:
            do {
                try await parts.waitOnline(machine.source, clock: job.clock)
                _ = try await parts.registry.ask(machine.source, StackAction(stack: StackRef(project: machine.project), verb: .start), timeout: .seconds(300))
                for line in try await health(machine, on: machine.source, clock: job.clock) {
                    try await job.emit(.note("\(machine.component): \(line) on \(machine.source)"))
                }
                return [.undone(problem: nil)]
            } catch let error where !(error is CancellationError) {
                return [.undone(problem: "\(machine.component) on \(machine.source): \(HomelabError.shown(error, logger: parts.logger).message)")]
            }
        }
    }

    func stored(_ steps: [JobStepRecord], of job: JobRecord, machine: MigrationMachine) async {
        parts.publish(steps, name: machine.name)
        guard let outcome = job.outcome else { return }
        let said: String
        switch outcome {
        case .succeeded:
            said = machine.finishOnly ? "Removed the stopped source of \(machine.name) (\(machine.component)) from \(machine.source)"
                                      : "Moved \(machine.name) (\(machine.component)) from \(machine.source) to \(machine.destination)"
        case .rolledBack, .failed:
            said = "Moving \(machine.name) (\(machine.component)) to \(machine.destination) failed (\(job.failure?.message ?? "")); \(steps.last?.message ?? job.state)"
        }
        await parts.activity(outcome == .succeeded ? "deployment.migrated" : "deployment.migration-failed", said, deployment: machine.name)
        if outcome != .succeeded { await FailureLog(store: parts.store).record(.migration, subject: machine.name, message: said) }
    }

    // MARK: Pieces

    /// The component's rendered stack, as stored (sealed).
    private func stack(of machine: MigrationMachine) async throws -> StackSpec {
        let (_, _, secret) = try await parts.load(machine.subject)
        guard let stack = secret.stacks[machine.component] else { throw HomelabError.internal("the stored deployment has no stack for \(machine.component)") }
        return stack
    }

    /// Returns once both devices are connected (a restarted controller waits for its agents to come back),
    /// within ``DeploymentSettings/deviceWait``.
    private func bothOnline(_ machine: MigrationMachine, clock: any Clock<Duration>) async throws {
        try await parts.waitOnline(machine.source, clock: clock)
        try await parts.waitOnline(machine.destination, clock: clock)
    }

    /// The component as it is (or was) on `device`.
    private func side(_ machine: MigrationMachine, _ device: String) -> DeploymentComponent {
        DeploymentComponent(name: machine.component, device: device, address: nil, project: machine.project, port: nil, reason: "")
    }

    private func health(_ machine: MigrationMachine, on device: String, clock: any Clock<Duration>) async throws -> [String] {
        let (_, _, secret) = try await parts.load(machine.subject)
        let stack = try await stack(of: machine)
        let hints = (try? parts.recipe(of: secret))?.health.filter { $0.component == machine.component } ?? []
        return try await HealthWaiter(parts: parts, clock: clock).wait(side(machine, device), stack: stack, hints: hints, timeout: .seconds(machine.healthTimeout))
    }

    /// One copy of every volume: live while the source runs (`final` false), else with the source stopped,
    /// incremental after a warm copy. A full copy starts from nothing: what an interrupted one left is discarded.
    private func copy(_ machine: MigrationMachine, final: Bool, id: String) async throws -> String {
        let incremental = final && machine.warm
        if !incremental {
            _ = try await parts.registry.ask(machine.destination, TransferDiscard(migration: id), timeout: .seconds(120))
        }
        var request = VolumeTransfer.Request(source: machine.source, destination: machine.destination, volumes: machine.volumes, migration: id)
        request.incremental = incremental
        request.live = !final
        let outcome = try await VolumeTransfer(registry: parts.registry).run(request)
        let bytes = Bytes.words(Int64(clamping: outcome.destination.volumes.reduce(0) { $0 + $1.bytes }))
        let sent = Bytes.words(Int64(clamping: outcome.source.streamBytes))
        return "\(machine.volumes.count) volume(s), \(bytes): \(sent) sent (\(outcome.route.rawValue))" + (final ? ", manifests equal" : ", live copy")
    }
}
