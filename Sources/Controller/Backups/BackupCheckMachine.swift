import Foundation
import Protocol

/// Checking an app's repository on its target, as a value: one `restic check` run on the target device
/// (where the data is), reading `readDataPercent` of the packs back, by a run id fixed when the job is
/// made so a restarted controller attaches to it. Its subject is the app's backup subject: a check and
/// a backup of one app never run at once (restic's check locks the repository). The app is not touched.
struct BackupCheckMachine: JobMachine {
    static let kind: JobKind = "backup-check"

    enum State: Codable, Equatable, Sendable {
        case checking, done, failed
    }

    enum Event: Sendable {
        case checked
        case failed(HomelabError)
    }

    enum Action: Sendable, Equatable {
        case check
    }

    var subject: String
    var name: String
    var target: String
    /// Percent of the data read back (0: the structure only).
    var readDataPercent: Int
    /// The check run on the target's agent.
    var run: String
    var state: State = .checking
    var failure: HomelabError?

    init(deploymentID: String, name: String, target: String, readDataPercent: Int, run: String) {
        subject = BackupMachine.subject(of: deploymentID)
        self.name = name
        self.target = target
        self.readDataPercent = readDataPercent
        self.run = run
    }

    var outcome: JobOutcome? {
        switch state {
        case .done: .succeeded
        case .failed: .failed
        case .checking: nil
        }
    }

    var stateName: String {
        switch state {
        case .checking: "checking"
        case .done: "done"
        case .failed: "failed"
        }
    }

    /// A check does not change its deployment's state.
    var subjectState: String? { nil }

    /// What restic is asked to read: `--read-data-subset=5%`, or nothing for the structure only.
    var readData: String? { readDataPercent > 0 ? "\(readDataPercent)%" : nil }

    /// What is read, for people.
    var reading: String { readDataPercent > 0 ? "its structure and \(readDataPercent) % of its data" : "its structure" }

    mutating func start() -> JobTransition<Action> {
        JobTransition(say: "Checking the backups of \(name) on \(target): \(reading)").then(JobTransition(work))
    }

    mutating func resume() -> JobTransition<Action> {
        guard outcome == nil else { return JobTransition() }
        return JobTransition(say: "Resumed after the controller restarted").then(JobTransition(work))
    }

    /// The run is started or attached to by its id: safe to redo.
    var work: [Action] { state == .checking ? [.check] : [] }

    mutating func handle(_ event: Event) -> JobTransition<Action> {
        switch (state, event) {
        case (.checking, .checked):
            state = .done
            return JobTransition(say: "Checked the backups of \(name) on \(target) (\(reading)): no damage found")
        case (.checking, .failed(let error)):
            state = .failed
            failure = error.with("deployment", name)
            return JobTransition(say: "Failed: \(error.message)")
        default:
            return JobTransition()
        }
    }

    static func failed(_ action: Action, _ error: HomelabError) -> Event { .failed(error) }
}

/// Carries out a ``BackupCheckMachine``'s check through ``BackupCoordinator``, once the target is online;
/// a failed check is in the activity feed and heard by the `backup-failed` alert rule.
struct BackupCheckExecutor: JobExecutor {
    typealias Machine = BackupCheckMachine
    let coordinator: BackupCoordinator

    func perform(_ action: BackupCheckMachine.Action, in job: JobContext<BackupCheckMachine>) async throws -> [BackupCheckMachine.Event] {
        let machine = job.machine
        try await coordinator.deployments.parts.waitOnline(machine.target, clock: job.clock)
        _ = try await coordinator.check(machine.name, readData: machine.readData, target: machine.target, run: machine.run)
        return [.checked]
    }

    func stored(_ steps: [JobStepRecord], of job: JobRecord, machine: BackupCheckMachine) async {
        let parts = coordinator.deployments.parts
        parts.publish(steps, name: machine.name)
        guard let outcome = job.outcome else { return }
        if outcome == .succeeded {
            await parts.activity("backup.checked", "Checked the backups of \(machine.name) on \(machine.target) (\(machine.reading)): no damage found",
                                 deployment: machine.name)
        } else {
            let said = "Checking the backups of \(machine.name) on \(machine.target) failed: \(job.failure?.message ?? job.state)"
            await parts.activity("backup.check-failed", said, deployment: machine.name)
            await FailureLog(store: parts.store).record(.backup, subject: machine.name, message: said)
        }
    }
}
