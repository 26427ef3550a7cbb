import Foundation
import Protocol
import Scheduler

/// Carries out a ``BackupMachine``'s actions through ``BackupCoordinator``: one agent run per part (its
/// restic progress turned into steps, at most one every ``progressInterval``), then the retention rules
/// with the controller's prune identity.
struct BackupExecutor: JobExecutor {
    typealias Machine = BackupMachine
    let coordinator: BackupCoordinator
    /// How often restic's progress becomes a stored step.
    static let progressInterval: Duration = .seconds(3)

    func perform(_ action: BackupMachine.Action, in job: JobContext<BackupMachine>) async throws -> [BackupMachine.Event] {
        let machine = job.machine
        switch action {
        case .backup(let index):
            let part = machine.parts[index]
            // A controller that just started resumes before the agents are back: wait for them as a deploy does. The
            // target first: a stop-mode backup must not stop an app for a copy that cannot go anywhere.
            try await coordinator.deployments.parts.waitOnline(machine.target, clock: job.clock)
            try await coordinator.deployments.parts.waitOnline(part.device, clock: job.clock)
            let result = try await following(part.run, component: part.component, job: job) {
                try await coordinator.backup(machine.name, component: part.component, target: machine.target, run: part.run)
            }
            let outcome = result.status.backup
            return [.backedUp(BackupMachine.Made(component: part.component, run: part.run, snapshots: outcome?.snapshots.count ?? 0,
                                                 files: outcome?.snapshots.reduce(0) { $0 + $1.files } ?? 0, bytes: outcome?.bytesProcessed ?? 0,
                                                 bytesAdded: outcome?.bytesAdded ?? 0, downtimeSeconds: outcome?.downtimeSeconds))]
        case .retain:
            let target = try await coordinator.targets.resolve(machine.target)
            try await coordinator.deployments.parts.waitOnline(target.deviceName, clock: job.clock)
            guard target.kind == .rest else {
                return [.retained(forgotten: [], problem: "\(target.deviceName)'s backup folder is local to it, where the controller cannot prune")]
            }
            let runs = BackupRunList.runs(from: try await coordinator.snapshots(machine.name, target: machine.target))
            let mine = Set(machine.parts.map(\.run))
            let doomed = machine.retention.doomed(runs, calendar: .current).filter { !mine.contains($0) }
            if !doomed.isEmpty { _ = try await coordinator.forget(machine.name, runs: doomed, prune: true, target: machine.target) }
            return [.retained(forgotten: doomed, problem: nil)]
        }
    }

    func stored(_ steps: [JobStepRecord], of job: JobRecord, machine: BackupMachine) async {
        let parts = coordinator.deployments.parts
        // The app's page follows its backup; a deployment's own progress stream skips these (their id is the backup subject's).
        parts.publish(steps, name: machine.name)
        guard let outcome = job.outcome else { return }
        switch outcome {
        case .succeeded:
            let added = machine.made.reduce(UInt64(0)) { $0 + $1.bytesAdded }
            await parts.activity("backup.succeeded", "Backed up \(machine.name) to \(machine.target) (\(Bytes.words(Int64(clamping: added))) added)",
                                 deployment: machine.name)
        case .failed, .rolledBack:
            let said = "Backing up \(machine.name) to \(machine.target) failed: \(job.failure?.message ?? job.state)"
            await parts.activity("backup.failed", said, deployment: machine.name)
            await FailureLog(store: parts.store).record(.backup, subject: machine.name, message: said)
        }
    }

    /// Runs `body` (an agent run) while the run's `backup.progress` reports become the job's steps.
    private func following<T: Sendable>(_ run: String, component: String, job: JobContext<BackupMachine>,
                                        _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let updates = coordinator.registry.events.subscribe()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                var last: ContinuousClock.Instant?
                for await event in updates {
                    guard let report = event.backup, report.run == run else { continue }
                    let now = ContinuousClock.now
                    if let last, now - last < Self.progressInterval { continue }
                    last = now
                    try await job.emit(.progress(component: component, report.progress))
                }
                return nil
            }
            group.addTask { try await body() }
            while let next = try await group.next() {
                if let value = next {
                    group.cancelAll()
                    return value
                }
            }
            throw CancellationError()
        }
    }
}
