import Foundation
import Protocol

/// Starting, stopping or restarting a deployment (or one component) as a value: each target's stack in
/// turn (providers first to start, consumers first to stop). A failure leaves the deployment in the state
/// it was in and says which target failed.
struct DeploymentActionMachine: JobMachine {
    static let kind: JobKind = "deployment-action"

    enum State: Codable, Equatable, Sendable {
        case acting(index: Int)
        case done, failed
    }

    enum Event: Sendable {
        case acted(component: String)
        case failed(HomelabError)
    }

    enum Action: Sendable, Equatable {
        case act(component: String)
    }

    var subject: String
    var name: String
    var verb: StackAction.Verb
    /// The components acted on, in the order they are acted on.
    var targets: [DeployMachine.Component]
    /// Only this component (nil: the whole deployment).
    var component: String?
    /// The deployment's state before, which a failure leaves it in.
    var before: DeploymentState
    var state: State = .acting(index: 0)
    var failure: HomelabError?

    init(subject: String, name: String, verb: StackAction.Verb, components: [DeployMachine.Component], component: String?, before: DeploymentState) {
        self.subject = subject
        self.name = name
        self.verb = verb
        // Start providers first; stop consumers first.
        self.targets = verb == .stop ? components.reversed() : components
        self.component = component
        self.before = before
    }

    var outcome: JobOutcome? {
        switch state {
        case .acting: nil
        case .done: .succeeded
        case .failed: .failed
        }
    }

    var stateName: String {
        switch state {
        case .acting: "\(verb.rawValue)ing"
        case .done: "done"
        case .failed: "failed"
        }
    }

    var deploymentState: DeploymentState {
        switch state {
        case .acting, .failed: before
        case .done: verb == .stop ? (component == nil ? .stopped : before) : .running
        }
    }

    var subjectState: String? { deploymentState.rawValue }

    mutating func start() -> JobTransition<Action> { JobTransition(work) }

    mutating func resume() -> JobTransition<Action> { JobTransition(work) }

    private var work: [Action] {
        guard case .acting(let index) = state, index < targets.count else { return [] }
        return [.act(component: targets[index].name)]
    }

    mutating func handle(_ event: Event) -> JobTransition<Action> {
        guard case .acting(let index) = state else { return JobTransition() }
        switch event {
        case .acted(let name) where name == targets[index].name:
            if index + 1 < targets.count {
                state = .acting(index: index + 1)
                return JobTransition(work)
            }
            state = .done
            let past = ["start": "Started", "stop": "Stopped", "restart": "Restarted"][verb.rawValue] ?? verb.rawValue
            return JobTransition(say: past + (component.map { " \($0)" } ?? ""), component: component)
        case .acted:
            return JobTransition()
        case .failed(let error):
            state = .failed
            failure = error.with("deployment", name)
            return JobTransition(say: "Could not \(verb.rawValue) \(targets[index].name) on \(targets[index].device): \(error.message)",
                                 component: targets[index].name)
        }
    }

    static func failed(_ action: Action, _ error: HomelabError) -> Event { .failed(error) }
}
