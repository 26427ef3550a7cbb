import Foundation
import Protocol

/// Deploying or upgrading a deployment, as a value: each component applied on its device (providers
/// first), every component's health waited for, the proxy routed; on any failure, rolled back: an upgrade
/// goes back to the version that ran (its data kept), a first deploy removes what it made, volumes
/// included. `docs/jobs.md` has the diagram.
struct DeployMachine: JobMachine {
    static let kind: JobKind = "deploy"

    /// A component as the machine needs it: where it runs and as which stack.
    struct Component: Codable, Equatable, Sendable {
        var name: String
        var device: String
        var project: String
    }

    enum Phase: String, Codable, Sendable {
        case pulling, creating, starting

        var deploymentState: DeploymentState {
            switch self {
            case .pulling: .pulling
            case .creating: .creating
            case .starting: .starting
            }
        }
    }

    enum State: Codable, Equatable, Sendable {
        /// Accepted and stored; nothing sent to a device yet.
        case pending
        /// Component `index` is being applied on its device.
        case applying(index: Int, phase: Phase)
        /// Waiting for component `index` to be healthy.
        case checkingHealth(index: Int)
        /// Routing the reverse proxy to the web entry (when there is a route to make).
        case routing
        /// Undoing: removing what this deploy made (`undo` index into ``undoList``).
        case removing(undo: Int)
        /// Undoing an upgrade: putting back previous component `index` and waiting for its health.
        case restoring(index: Int)
        /// Undoing: the proxy route as it was.
        case restoringRoute
        /// The previous version's record is made current again.
        case reverting
        case running, rolledBack, failed
    }

    enum Event: Sendable {
        case began
        /// The agent moved to another phase of the apply (its message is the step).
        case phase(component: String, Phase, String)
        /// The agent said something that does not change the phase.
        case note(component: String, String)
        /// The device dropped its link mid-apply (or was offline): apply again once it is back.
        case linkLost(component: String)
        case applied(component: String)
        /// Healthy, with how each service was found so.
        case healthy(component: String, [String])
        /// The proxy routes `host` to `upstream`; both nil when there was nothing to route.
        case routed(host: String?, upstream: String?)
        /// A rollback step ended; `problem` says what is left when it could not be undone.
        case undone(component: String?, problem: String?)
        case reverted
        case failed(HomelabError)
    }

    enum Action: Sendable, Equatable {
        /// Nothing sent yet: the first step only moves the job on.
        case begin
        case apply(component: String)
        case checkHealth(component: String)
        case route
        /// Remove a component's stack with its volumes (what this deploy made).
        case remove(component: String)
        /// Apply the previous version's stack of a component and wait for its health.
        case restore(component: String)
        /// Route the proxy as before (or remove the route of a first deploy).
        case restoreRoute
        /// Make the previous version's record current again.
        case revert
    }

    var subject: String
    var name: String
    var components: [Component]
    /// The version that ran before (an upgrade), to go back to on failure.
    var previous: [Component]?
    var previousVersion: String?
    var healthTimeout: Int
    /// Whether the proxy routes to it (Caddy and a web entry).
    var routes: Bool
    var url: String?
    /// The first steps people read (what is deployed, where and why).
    var intro: [JobNote]
    var state: State = .pending
    var attempts = 0
    var failure: HomelabError?
    /// What a rollback could not undo.
    var left: [String] = []

    /// How many times an apply is sent to a device that keeps dropping its link.
    static let applyAttempts = 5

    var outcome: JobOutcome? {
        switch state {
        case .running: .succeeded
        case .rolledBack: .rolledBack
        case .failed: .failed
        default: nil
        }
    }

    var deploymentState: DeploymentState {
        switch state {
        case .pending: .pending
        case .applying(_, let phase): phase.deploymentState
        case .checkingHealth, .routing: .healthChecking
        case .removing, .restoring, .restoringRoute, .reverting: .rollingBack
        case .running: .running
        // A failed upgrade that was undone leaves the previous version running.
        case .rolledBack: previous == nil ? .rolledBack : .running
        case .failed: .failed
        }
    }

    var stateName: String {
        switch state {
        case .removing: "removing-new"
        case .restoring: "restoring-previous"
        case .restoringRoute: "restoring-route"
        case .reverting: "reverting"
        case .rolledBack: "rolled-back"
        default: deploymentState.rawValue
        }
    }

    var subjectState: String? { deploymentState.rawValue }

    /// What a rollback removes: a first deploy's components (consumers first); an upgrade's components the
    /// previous version did not have where they are now.
    var undoList: [Component] {
        guard let previous else { return components.reversed() }
        let kept = Set(previous.map { "\($0.device)/\($0.project)" })
        return components.filter { !kept.contains("\($0.device)/\($0.project)") }
    }

    // MARK: Transitions

    mutating func start() -> JobTransition<Action> {
        state = .pending
        return JobTransition([.begin], steps: intro)
    }

    mutating func resume() -> JobTransition<Action> {
        let again = JobTransition<Action>(say: "Resumed after the controller restarted")
        return again.then(JobTransition(work))
    }

    /// The current state's work (each action is idempotent, so redoing it after a restart is safe).
    var work: [Action] {
        switch state {
        case .pending: [.begin]
        case .applying(let index, _): [.apply(component: components[index].name)]
        case .checkingHealth(let index): [.checkHealth(component: components[index].name)]
        case .routing: [.route]
        case .removing(let undo): [.remove(component: undoList[undo].name)]
        case .restoring(let index): [.restore(component: previous![index].name)]
        case .restoringRoute: [.restoreRoute]
        case .reverting: [.revert]
        case .running, .rolledBack, .failed: []
        }
    }

    mutating func handle(_ event: Event) -> JobTransition<Action> {
        guard outcome == nil else { return JobTransition() }
        switch (state, event) {
        case (.pending, .began):
            return applyNext(0)
        case (.applying(let index, _), .phase(let component, let phase, let message)) where components[index].name == component:
            state = .applying(index: index, phase: phase)
            return JobTransition(say: "\(component): \(message)", component: component)
        case (_, .note(let component, let message)):
            // A detail while the state's work goes on (an agent's message, a rollback's step).
            return JobTransition(say: message.hasPrefix("\(component): ") ? message : "\(component): \(message)", component: component)
        case (.applying(let index, _), .linkLost(let component)) where components[index].name == component:
            attempts += 1
            guard attempts < Self.applyAttempts else {
                return fail(HomelabError(.deviceDisconnected, "\(components[index].device) kept dropping its link during the apply (\(attempts) tries)",
                                         context: ["device": components[index].device, "component": component]))
            }
            return JobTransition([.apply(component: component)], say: "\(component): lost \(components[index].device) mid-apply; waiting for it",
                                 component: component)
        case (.applying(let index, _), .applied(let component)) where components[index].name == component:
            attempts = 0
            if index + 1 < components.count { return applyNext(index + 1) }
            state = .checkingHealth(index: 0)
            return JobTransition([.checkHealth(component: components[0].name)], say: "Waiting for health (at most \(healthTimeout) s)")
        case (.checkingHealth(let index), .healthy(let component, let lines)) where components[index].name == component:
            let said = JobTransition<Action>(steps: lines.map { JobNote("\(component): \($0)", component: component) })
            if index + 1 < components.count {
                state = .checkingHealth(index: index + 1)
                return said.then(JobTransition([.checkHealth(component: components[index + 1].name)]))
            }
            // Always through routing, so each step is stored in the state it happened in (health before running).
            state = .routing
            return said.then(JobTransition([.route]))
        case (.routing, .routed(let host, let upstream)):
            guard let host, let upstream else { return succeed() }
            return JobTransition(say: "Caddy routes \(host) to \(upstream)").then(succeed())
        case (.removing(let undo), .undone(_, let problem)):
            if let problem { left.append(problem) }
            if undo + 1 < undoList.count {
                state = .removing(undo: undo + 1)
                return JobTransition([.remove(component: undoList[undo + 1].name)])
            }
            return restoreFirst()
        case (.restoring(let index), .undone(_, let problem)):
            if let problem { left.append(problem) }
            if index + 1 < previous!.count {
                state = .restoring(index: index + 1)
                return JobTransition([.restore(component: previous![index + 1].name)])
            }
            state = .restoringRoute
            return JobTransition([.restoreRoute])
        case (.restoringRoute, .undone):
            if left.isEmpty && previous != nil {
                state = .reverting
                return JobTransition([.revert])
            }
            return endRollback()
        case (.reverting, .reverted):
            return endRollback()
        case (.removing, .failed(let error)), (.restoring, .failed(let error)), (.restoringRoute, .failed(let error)), (.reverting, .failed(let error)):
            left.append(error.message)
            return endRollback()
        case (_, .failed(let error)):
            return fail(error)
        default:
            // An event that does not belong to the state (a late agent message): nothing changes.
            return JobTransition()
        }
    }

    static func failed(_ action: Action, _ error: HomelabError) -> Event { .failed(error) }

    // MARK: Pieces

    private mutating func applyNext(_ index: Int) -> JobTransition<Action> {
        state = .applying(index: index, phase: .pulling)
        let component = components[index]
        return JobTransition([.apply(component: component.name)], say: "\(component.name): pulling images on \(component.device)",
                             component: component.name)
    }

    private mutating func succeed() -> JobTransition<Action> {
        state = .running
        return JobTransition(say: "Running" + (url.map { " at \($0)" } ?? ""))
    }

    /// The failure that starts the rollback.
    private mutating func fail(_ error: HomelabError) -> JobTransition<Action> {
        failure = error.with("deployment", name)
        let said = JobTransition<Action>(say: "Failed: \(error.message); rolling back")
        if undoList.isEmpty { return said.then(restoreFirst()) }
        state = .removing(undo: 0)
        return said.then(JobTransition([.remove(component: undoList[0].name)]))
    }

    /// After the removals: an upgrade puts its previous components back; a first deploy removes its route.
    private mutating func restoreFirst() -> JobTransition<Action> {
        if let previous, !previous.isEmpty {
            state = .restoring(index: 0)
            return JobTransition([.restore(component: previous[0].name)])
        }
        state = .restoringRoute
        return JobTransition([.restoreRoute])
    }

    private mutating func endRollback() -> JobTransition<Action> {
        if left.isEmpty {
            state = .rolledBack
            return JobTransition(say: previous != nil ? "Rolled back to \(previousVersion ?? "the previous version")"
                                                    : "Rolled back: nothing of it is left on the devices")
        }
        state = .failed
        let message = "Could not roll back: \(left.joined(separator: "; "))"
        let cause = failure?.message ?? "the deploy failed"
        var context = failure?.context ?? [:]
        context["deployment"] = name
        context["cause"] = failure?.code.rawValue
        failure = HomelabError(.rollbackIncomplete, "\(cause); \(message)", context: context)
        return JobTransition(say: message)
    }
}
