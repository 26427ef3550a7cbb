import Foundation
import Protocol

/// Carries out a ``RestoreMachine``'s actions: the agent's restore run (free space checked, every
/// file verified), the swap (stop, `backup.swap`, start, health), the swap back, and the clean-up.
struct RestoreExecutor: JobExecutor {
    typealias Machine = RestoreMachine
    let coordinator: BackupCoordinator

    private var parts: DeploymentParts { coordinator.deployments.parts }

    func perform(_ action: RestoreMachine.Action, in job: JobContext<RestoreMachine>) async throws -> [RestoreMachine.Event] {
        let machine = job.machine
        switch action {
        case .restore(let index):
            let part = machine.parts[index]
            try await parts.waitOnline(part.device, clock: job.clock)
            let result = try await coordinator.restore(machine.name, backupRun: part.backupRun, component: part.component, volumes: part.volumes,
                                                       target: machine.target, run: part.run)
            let volumes = result.status.restore?.volumes ?? []
            guard volumes.count == part.volumes.count, volumes.allSatisfy(\.verified) else {
                throw HomelabError(.restoreVerifyFailed, "\(part.component): the restored volumes did not all match the backup's manifest")
            }
            return [.restored(index: index, entries: volumes.reduce(0) { $0 + $1.entries }, bytes: volumes.reduce(0) { $0 + $1.bytes })]
        case .swap(let index):
            let part = machine.parts[index]
            return [.swapped(index: index, try await swap(part, .swap, machine: machine, clock: job.clock))]
        case .revert(let index):
            let part = machine.parts[index]
            _ = try await swap(part, .revert, machine: machine, clock: job.clock)
            return [.reverted(index: index, problem: nil)]
        case .commit(let index):
            let part = machine.parts[index]
            try await parts.waitOnline(part.device, clock: job.clock)
            _ = try await parts.registry.ask(part.device, VolumeSwap(project: part.project, volumes: part.volumes, run: part.run, step: .commit))
            return [.committed(index: index, problem: nil)]
        case .discard:
            var problems: [String] = []
            for part in machine.parts {
                do {
                    try await parts.waitOnline(part.device, clock: job.clock)
                    _ = try await parts.registry.ask(part.device, VolumeSwap(project: part.project, volumes: part.volumes, run: part.run, step: .discard))
                } catch let error where !(error is CancellationError) {
                    problems.append("\(part.component) on \(part.device): \(HomelabError.shown(error, logger: parts.logger).message)")
                }
            }
            return [.discarded(problems: problems)]
        }
    }

    func stored(_ steps: [JobStepRecord], of job: JobRecord, machine: RestoreMachine) async {
        parts.publish(steps, name: machine.name)
        guard let outcome = job.outcome else { return }
        switch outcome {
        case .succeeded:
            await parts.activity("restore.succeeded", "Restored \(machine.name) from backup run \(machine.parts.map(\.backupRun).joined(separator: ", "))",
                                 deployment: machine.name)
        case .rolledBack, .failed:
            let said = "Restoring \(machine.name) failed (\(job.failure?.message ?? job.state)); \(steps.last?.message ?? job.state)"
            await parts.activity("restore.failed", said, deployment: machine.name)
            await FailureLog(store: parts.store).record(.backup, subject: machine.name, message: said)
        }
    }

    /// Stops the component, swaps its volumes' contents in (or back), starts it and waits for its health.
    private func swap(_ part: RestoreMachine.Part, _ step: VolumeSwap.Step, machine: RestoreMachine, clock: any Clock<Duration>) async throws -> [String] {
        let (_, spec, secret) = try await parts.load(machine.subject)
        let component = try DeployExecutor.component(part.component, of: spec)
        guard let stack = secret.stacks[part.component] else { throw HomelabError.internal("the stored deployment has no stack for \(part.component)") }
        try await parts.waitOnline(part.device, clock: clock)
        let project = StackRef(project: part.project)
        _ = try await parts.registry.ask(part.device, StackAction(stack: project, verb: .stop), timeout: .seconds(300))
        _ = try await parts.registry.ask(part.device, VolumeSwap(project: part.project, volumes: part.volumes, run: part.run, step: step))
        _ = try await parts.registry.ask(part.device, StackAction(stack: project, verb: .start), timeout: .seconds(300))
        let hints = (try? parts.recipe(of: secret))?.health.filter { $0.component == part.component } ?? []
        return try await HealthWaiter(parts: parts, clock: clock).wait(component, stack: stack, hints: hints, timeout: .seconds(secret.healthTimeout))
    }
}
