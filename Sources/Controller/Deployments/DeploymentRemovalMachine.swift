import Foundation
import Protocol

/// Removing a deployment as a value: every component's stack (consumers first), with its volumes when
/// asked, then its proxy route, then its record. A component whose device cannot be reached leaves the
/// deployment `failed`, to be removed again.
struct DeploymentRemovalMachine: JobMachine {
    static let kind: JobKind = "deployment-removal"

    enum State: Codable, Equatable, Sendable {
        case removing(index: Int)
        case unrouting, deleting
        case removed, failed
    }

    enum Event: Sendable {
        /// A component is gone, or `problem` says why not.
        case removed(component: String, problem: String?)
        case unrouted
        case deleted
        case failed(HomelabError)
    }

    enum Action: Sendable, Equatable {
        case remove(component: String)
        case unroute
        case delete
    }

    var subject: String
    var name: String
    /// Consumers first.
    var components: [DeployMachine.Component]
    var deleteData: Bool
    var state: State = .removing(index: 0)
    var left: [String] = []
    var failure: HomelabError?

    init(subject: String, name: String, components: [DeployMachine.Component], deleteData: Bool) {
        self.subject = subject
        self.name = name
        self.components = components.reversed()
        self.deleteData = deleteData
    }

    var outcome: JobOutcome? {
        switch state {
        case .removed: .succeeded
        case .failed: .failed
        default: nil
        }
    }

    var stateName: String {
        switch state {
        case .removing: "removing"
        case .unrouting: "unrouting"
        case .deleting: "deleting"
        case .removed: "removed"
        case .failed: "failed"
        }
    }

    var subjectState: String? { (state == .failed ? DeploymentState.failed : .removing).rawValue }

    private var data: String { deleteData ? " with its data" : " (volumes kept)" }

    mutating func start() -> JobTransition<Action> {
        if components.isEmpty { state = .unrouting }
        return JobTransition(work, say: "Removing" + data)
    }

    mutating func resume() -> JobTransition<Action> { JobTransition(work) }

    private var work: [Action] {
        switch state {
        case .removing(let index): [.remove(component: components[index].name)]
        case .unrouting: [.unroute]
        case .deleting: [.delete]
        case .removed, .failed: []
        }
    }

    mutating func handle(_ event: Event) -> JobTransition<Action> {
        switch (state, event) {
        case (.removing(let index), .removed(let component, let problem)) where components[index].name == component:
            let device = components[index].device
            let said = problem == nil
                ? JobTransition<Action>(say: "\(component): removed from \(device)" + (deleteData ? " with its volumes" : ""), component: component)
                : JobTransition<Action>()
            if let problem { left.append(problem) }
            if index + 1 < components.count {
                state = .removing(index: index + 1)
                return said.then(JobTransition(work))
            }
            guard left.isEmpty else {
                state = .failed
                failure = HomelabError(.conflict, "could not remove \(left.joined(separator: "; ")); run the removal again",
                                       context: ["deployment": name])
                return said.then(JobTransition(say: "Failed: \(failure!.message)"))
            }
            state = .unrouting
            return said.then(JobTransition(work))
        case (.unrouting, .unrouted):
            state = .deleting
            return JobTransition(work)
        case (.deleting, .deleted):
            state = .removed
            return JobTransition(say: "Removed" + (deleteData ? " with its data" : " (volumes kept)"))
        case (.removing, .failed(let error)), (.unrouting, .failed(let error)), (.deleting, .failed(let error)):
            state = .failed
            failure = error.with("deployment", name)
            return JobTransition(say: "Failed: \(error.message)")
        default:
            return JobTransition()
        }
    }

    static func failed(_ action: Action, _ error: HomelabError) -> Event { .failed(error) }
}
