import Foundation
import Protocol

/// Restoring a deployment from a backup run, as a value: each component's volumes restored into
/// fresh volumes and verified against the run's manifest while the app runs on the old ones; then,
/// component by component, the app stopped, the volumes' contents swapped, the app started and its
/// health checked; only when every component is healthy are the old contents dropped. Any failure
/// before that puts back what was swapped (stop, swap back, start, health) and removes the fresh
/// volumes: the app is exactly as it was. The subject is the deployment: no deploy, start or stop
/// runs meanwhile. `docs/backups.md` has the diagram.
struct RestoreMachine: JobMachine {
    static let kind: JobKind = "restore"

    /// One component's restore.
    struct Part: Codable, Equatable, Sendable {
        var component: String
        var device: String
        var project: String
        /// The backup run restored.
        var backupRun: String
        /// The restore run on the agent (its id, fixed here, makes a resumed restore attach to it).
        var run: String
        /// Each volume key with the fresh volume it is restored into.
        var volumes: [String: String]
    }

    enum State: Codable, Equatable, Sendable {
        case restoring(index: Int)
        case swapping(index: Int)
        case committing(index: Int)
        /// Putting part `index`'s old contents back (it was being swapped or was swapped).
        case reverting(index: Int)
        /// Removing the fresh volumes.
        case discarding
        case done, rolledBack, failed
    }

    enum Event: Sendable {
        case restored(index: Int, entries: UInt64, bytes: UInt64)
        /// Swapped in, started and healthy, with how each service was found so.
        case swapped(index: Int, [String])
        case committed(index: Int, problem: String?)
        case reverted(index: Int, problem: String?)
        case discarded(problems: [String])
        case failed(HomelabError)
    }

    enum Action: Sendable, Equatable {
        case restore(index: Int)
        case swap(index: Int)
        case commit(index: Int)
        case revert(index: Int)
        case discard
    }

    var subject: String
    var name: String
    var target: String
    var parts: [Part]
    var state: State = .restoring(index: 0)
    var failure: HomelabError?
    /// What a rollback could not undo, or a commit left behind.
    var left: [String] = []

    init(deploymentID: String, name: String, target: String, parts: [Part]) {
        subject = deploymentID
        self.name = name
        self.target = target
        self.parts = parts
    }

    var outcome: JobOutcome? {
        switch state {
        case .done: .succeeded
        case .rolledBack: .rolledBack
        case .failed: .failed
        default: nil
        }
    }

    var stateName: String {
        switch state {
        case .restoring: "restoring"
        case .swapping: "swapping"
        case .committing: "committing"
        case .reverting: "reverting"
        case .discarding: "discarding"
        case .done: "done"
        case .rolledBack: "rolled-back"
        case .failed: "failed"
        }
    }

    /// The deployment's state: it runs on its old data until a swap stops it, and again after a rollback.
    var subjectState: String? {
        let state: DeploymentState = switch self.state {
        case .restoring, .committing, .done, .rolledBack: .running
        case .swapping: .starting
        case .reverting, .discarding: .rollingBack
        case .failed: .failed
        }
        return state.rawValue
    }

    // MARK: Transitions

    mutating func start() -> JobTransition<Action> {
        let runs = Set(parts.map(\.backupRun)).sorted().joined(separator: ", ")
        return JobTransition(work, say: "Restoring \(name) from backup run \(runs) on \(target)")
    }

    mutating func resume() -> JobTransition<Action> {
        guard outcome == nil else { return JobTransition() }
        return JobTransition(say: "Resumed after the controller restarted").then(JobTransition(work))
    }

    /// The current state's work; every action is idempotent (runs by id, swaps that check what is done).
    var work: [Action] {
        switch state {
        case .restoring(let index): [.restore(index: index)]
        case .swapping(let index): [.swap(index: index)]
        case .committing(let index): [.commit(index: index)]
        case .reverting(let index): [.revert(index: index)]
        case .discarding: [.discard]
        case .done, .rolledBack, .failed: []
        }
    }

    mutating func handle(_ event: Event) -> JobTransition<Action> {
        switch (state, event) {
        case (.restoring(let index), .restored(let done, let entries, let bytes)) where done == index:
            let part = parts[index]
            let said = JobTransition<Action>(say: "\(part.component): \(part.volumes.count) volumes restored on \(part.device) and verified against the manifest "
                                              + "(\(entries) entries, \(bytes) bytes)", component: part.component)
            state = index + 1 < parts.count ? .restoring(index: index + 1) : .swapping(index: 0)
            return said.then(JobTransition(work))
        case (.swapping(let index), .swapped(let done, let lines)) where done == index:
            let part = parts[index]
            let said = JobTransition<Action>(steps: (["swapped in and started"] + lines).map { JobNote("\(part.component): \($0)", component: part.component) })
            state = index + 1 < parts.count ? .swapping(index: index + 1) : .committing(index: 0)
            return said.then(JobTransition(work))
        case (.committing(let index), .committed(let done, let problem)) where done == index:
            if let problem { left.append(problem) }
            let said = problem.map { JobTransition<Action>(say: "\(parts[index].component): the old contents could not be dropped (\($0))", component: parts[index].component) }
                ?? JobTransition(say: "\(parts[index].component): old contents dropped", component: parts[index].component)
            if index + 1 < parts.count {
                state = .committing(index: index + 1)
                return said.then(JobTransition(work))
            }
            state = .done
            return said.then(JobTransition(say: "Restored \(name): it runs on the data of backup run \(Set(parts.map(\.backupRun)).sorted().joined(separator: ", "))"))
        case (.committing(let index), .failed(let error)):
            return handle(.committed(index: index, problem: error.message))
        case (.restoring, .failed(let error)):
            failure = error.with("deployment", name)
            state = .discarding
            return JobTransition(say: "Failed: \(error.message); removing the fresh volumes (the app was not touched)").then(JobTransition(work))
        case (.swapping(let index), .failed(let error)):
            failure = error.with("deployment", name)
            state = .reverting(index: index)
            return JobTransition(say: "Failed: \(error.message); putting the old volumes back", component: parts[index].component).then(JobTransition(work))
        case (.reverting(let index), .reverted(let done, let problem)) where done == index:
            let part = parts[index]
            if let problem { left.append(problem) }
            let said = problem == nil ? JobTransition<Action>(say: "\(part.component): old volumes back, started and healthy", component: part.component) : JobTransition()
            state = index > 0 ? .reverting(index: index - 1) : .discarding
            return said.then(JobTransition(work))
        case (.reverting(let index), .failed(let error)):
            return handle(.reverted(index: index, problem: "\(parts[index].component) on \(parts[index].device): \(error.message)"))
        case (.discarding, .discarded(let problems)):
            left += problems
            guard left.isEmpty else {
                state = .failed
                let cause = failure?.code.rawValue ?? "unknown"
                failure = HomelabError(.rollbackIncomplete, "the restore failed (\(failure?.message ?? "")) and could not undo everything: \(left.joined(separator: "; "))",
                                       context: ["deployment": name, "cause": cause])
                return JobTransition(say: "Failed: \(failure!.message)")
            }
            state = .rolledBack
            return JobTransition(say: "Rolled back: \(name) runs on its old volumes, as before")
        case (.discarding, .failed(let error)):
            return handle(.discarded(problems: [error.message]))
        default:
            return JobTransition()
        }
    }

    static func failed(_ action: Action, _ error: HomelabError) -> Event { .failed(error) }
}
