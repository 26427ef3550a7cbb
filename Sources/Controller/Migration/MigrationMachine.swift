import Foundation
import Protocol

/// Moving one component of a deployment to another device with its volumes, as a value. Before the
/// commit point (the deployment's record names the destination) any failure rolls back: the
/// destination's stack and every volume made for the migration removed, the source started again.
/// After it the job only goes forward: the route and the consumers are repointed (retried), and the
/// source, kept stopped with its volumes as the rollback, is removed when asked. `docs/migration.md`
/// has the diagram.
struct MigrationMachine: JobMachine {
    static let kind: JobKind = "migrate"

    enum State: Codable, Equatable, Sendable {
        /// Measuring the volumes and the room at the destination.
        case checking
        /// The destination pulls the images while the source runs.
        case pulling
        /// `--warm`: a live copy while the source runs.
        case warming
        /// Stopping the source's stack.
        case stopping
        /// The final copy, the manifests compared (incremental after a warm copy).
        case copying
        /// Applying the same rendered stack at the destination.
        case applying
        case checkingHealth
        /// The commit point: the record names the destination.
        case committing
        /// The route and the consumers on other devices follow the component (retried, never undone).
        case repointing
        /// `--remove-source` (or `--finish`): the stopped source's stack and volumes removed.
        case removingSource
        /// Undoing: the destination's stack and the migration's volumes removed.
        case removingDestination
        /// Undoing: the source started again.
        case restartingSource
        case moved, rolledBack, failed
    }

    enum Event: Sendable {
        /// Preflight passed: the component's volumes, by engine name, and what was found.
        case checked(volumes: [String], [String])
        case pulled(String)
        /// A copy ended with its manifests equal (`final`: with the source stopped).
        case copied(final: Bool, String)
        case stopped
        case applied
        case healthy([String])
        case committed
        case repointed([String])
        /// A cleanup step ended; `problem` says what is left when it could not be done.
        case undone(problem: String?)
        /// A detail while the state's work goes on (a rollback's step).
        case note(String)
        case failed(HomelabError)
    }

    enum Action: Sendable, Equatable {
        case preflight
        case pull
        case copy(final: Bool)
        case stopSource
        case apply
        case checkHealth
        case commit
        case repoint
        case removeSource
        case removeDestination
        case restartSource
    }

    var subject: String
    var name: String
    var component: String
    /// The stack's project (the same on both devices).
    var project: String
    var source: String
    var destination: String
    var warm: Bool
    var removeSource: Bool
    /// Only removing a stopped source a finished migration kept (`homelab apps migrate --finish`).
    var finishOnly = false
    var healthTimeout: Int
    /// The first steps people read.
    var intro: [JobNote]
    var state: State = .checking
    var volumes: [String] = []
    /// Whether the source was (or may have been) stopped: a rollback starts it again.
    var sourceStopped = false
    var repointAttempts = 0
    var failure: HomelabError?
    /// What a rollback could not undo.
    var left: [String] = []

    /// How many times the repointing is tried before the job ends saying what is left.
    static let repointTries = 3

    init(subject: String, name: String, component: String, project: String, source: String, destination: String, warm: Bool,
         removeSource: Bool, healthTimeout: Int, intro: [JobNote]) {
        self.subject = subject
        self.name = name
        self.component = component
        self.project = project
        self.source = source
        self.destination = destination
        self.warm = warm
        self.removeSource = removeSource
        self.healthTimeout = healthTimeout
        self.intro = intro
    }

    var outcome: JobOutcome? {
        switch state {
        case .moved: .succeeded
        case .rolledBack: .rolledBack
        case .failed: .failed
        default: nil
        }
    }

    /// Whether the record names the destination (the commit point has passed).
    var committed: Bool { [.repointing, .removingSource, .moved].contains(state) || (state == .failed && failure?.code == .migrationIncomplete) }

    var stateName: String {
        switch state {
        case .checking: "preflight"
        case .pulling: "pulling"
        case .warming: "warm-copy"
        case .stopping: "stopping-source"
        case .copying: "copying"
        case .applying: "applying"
        case .checkingHealth: "health-checking"
        case .committing: "committing"
        case .repointing: "repointing"
        case .removingSource: "removing-source"
        case .removingDestination: "removing-destination"
        case .restartingSource: "restarting-source"
        case .moved: "moved"
        case .rolledBack: "rolled-back"
        case .failed: "failed"
        }
    }

    /// The deployment runs in every end: where it was after a rollback, at the destination after the commit.
    var subjectState: String? {
        switch state {
        case .moved, .rolledBack: DeploymentState.running.rawValue
        case .failed: (committed ? DeploymentState.running : DeploymentState.failed).rawValue
        case .removingDestination, .restartingSource: DeploymentState.rollingBack.rawValue
        default: DeploymentState.migrating.rawValue
        }
    }

    // MARK: Transitions

    mutating func start() -> JobTransition<Action> {
        state = finishOnly ? .removingSource : .checking
        return JobTransition(steps: intro).then(JobTransition(work))
    }

    mutating func resume() -> JobTransition<Action> {
        JobTransition<Action>(say: "Resumed after the controller restarted").then(JobTransition(work))
    }

    /// The current state's work (each action is idempotent, so redoing it after a restart is safe).
    var work: [Action] {
        switch state {
        case .checking: [.preflight]
        case .pulling: [.pull]
        case .warming: [.copy(final: false)]
        case .stopping: [.stopSource]
        case .copying: [.copy(final: true)]
        case .applying: [.apply]
        case .checkingHealth: [.checkHealth]
        case .committing: [.commit]
        case .repointing: [.repoint]
        case .removingSource: [.removeSource]
        case .removingDestination: [.removeDestination]
        case .restartingSource: [.restartSource]
        case .moved, .rolledBack, .failed: []
        }
    }

    mutating func handle(_ event: Event) -> JobTransition<Action> {
        guard outcome == nil else { return JobTransition() }
        switch (state, event) {
        case (.checking, .checked(let found, let lines)):
            volumes = found
            return JobTransition(steps: lines.map { JobNote($0, component: component) })
                .then(go(.pulling, "Pulling the images on \(destination) while \(component) runs on \(source)"))
        case (.pulling, .pulled(let said)):
            let done = JobTransition<Action>(say: said, component: component)
            if warm && !volumes.isEmpty { return done.then(go(.warming, "Copying the volumes while \(component) runs (warm copy)")) }
            return done.then(stopSource())
        case (.warming, .copied(false, let said)):
            return JobTransition<Action>(say: said, component: component).then(stopSource())
        case (.stopping, .stopped):
            if volumes.isEmpty { return go(.applying, "No volumes to copy; starting \(component) on \(destination)") }
            return go(.copying, warm ? "Copying what changed since the warm copy" : "Copying the volumes to \(destination)")
        case (.copying, .copied(true, let said)):
            return JobTransition<Action>(say: said, component: component).then(go(.applying, "Starting \(component) on \(destination)"))
        case (.applying, .applied):
            return go(.checkingHealth, "Waiting for health on \(destination) (at most \(healthTimeout) s)")
        case (.checkingHealth, .healthy(let lines)):
            return JobTransition(steps: lines.map { JobNote("\(component): \($0)", component: component) }).then(go(.committing, "Healthy on \(destination)"))
        case (.committing, .committed):
            return go(.repointing, "\(name) now runs \(component) on \(destination); repointing what uses it")
        case (.repointing, .repointed(let lines)):
            let said = JobTransition<Action>(steps: lines.map { JobNote($0, component: component) })
            if removeSource { return said.then(go(.removingSource, "Removing the stopped source on \(source) with its volumes")) }
            return said.then(end("Moved \(component) to \(destination); the stopped stack on \(source) is kept with its volumes "
                                 + "(homelab apps migrate --finish \(name) removes it)"))
        case (.repointing, .failed(let error)):
            repointAttempts += 1
            guard repointAttempts < Self.repointTries else {
                return incomplete("\(component) runs on \(destination), but repointing failed \(repointAttempts) times: \(error.message)", cause: error)
            }
            return JobTransition([.repoint], say: "Repointing failed (\(error.message)); trying again", component: component)
        case (.removingSource, .undone(let problem)):
            if let problem {
                return incomplete("\(component) runs on \(destination), but the source was not removed: \(problem) "
                                  + "(homelab apps migrate --finish \(name) tries again)", cause: nil)
            }
            return end(finishOnly ? "Removed the stopped source of \(component) on \(source) with its volumes"
                                  : "Moved \(component) to \(destination); removed the source on \(source) with its volumes")
        case (.removingSource, .failed(let error)):
            return incomplete("\(component): the source on \(source) was not removed: \(error.message)", cause: error)
        case (.removingDestination, .undone(let problem)):
            if let problem { left.append(problem) }
            return restartOrEnd()
        case (.removingDestination, .failed(let error)):
            left.append(error.message)
            return restartOrEnd()
        case (.restartingSource, .undone(let problem)):
            if let problem { left.append(problem) }
            return endRollback()
        case (.restartingSource, .failed(let error)):
            left.append(error.message)
            return endRollback()
        case (_, .note(let message)):
            return JobTransition(say: message, component: component)
        case (_, .failed(let error)):
            return fail(error)
        default:
            // An event that does not belong to the state (a late message): nothing changes.
            return JobTransition()
        }
    }

    static func failed(_ action: Action, _ error: HomelabError) -> Event { .failed(error) }

    // MARK: Pieces

    private mutating func go(_ next: State, _ message: String) -> JobTransition<Action> {
        state = next
        return JobTransition(work, say: message, component: component)
    }

    private mutating func stopSource() -> JobTransition<Action> {
        // Recorded before the stop is sent: a rollback from here on starts the source again.
        sourceStopped = true
        return go(.stopping, "Stopping \(component) on \(source)")
    }

    private mutating func end(_ message: String) -> JobTransition<Action> {
        state = .moved
        return JobTransition(say: message, component: component)
    }

    /// The failure that starts the rollback (before the commit point): undoes only what was done.
    private mutating func fail(_ error: HomelabError) -> JobTransition<Action> {
        failure = error.with("deployment", name)
        let said = JobTransition<Action>(say: "Failed: \(error.message); rolling back", component: component)
        // Before the warm copy, the destination holds nothing of the migration (pulled images are not its own).
        if [.checking, .pulling].contains(state) { return said.then(restartOrEnd()) }
        return said.then(go(.removingDestination, "Removing \(component) and the migration's volumes from \(destination)"))
    }

    private mutating func restartOrEnd() -> JobTransition<Action> {
        if sourceStopped { return go(.restartingSource, "Starting \(component) again on \(source)") }
        return endRollback()
    }

    private mutating func endRollback() -> JobTransition<Action> {
        if left.isEmpty {
            state = .rolledBack
            return JobTransition(say: "Rolled back: \(component) runs on \(source) with its data; \(destination) keeps nothing of it", component: component)
        }
        state = .failed
        let message = "Could not roll back: \(left.joined(separator: "; "))"
        var context = failure?.context ?? [:]
        context["deployment"] = name
        context["cause"] = failure?.code.rawValue
        failure = HomelabError(.rollbackIncomplete, "\(failure?.message ?? "the migration failed"); \(message)", context: context)
        return JobTransition(say: message, component: component)
    }

    /// After the commit point: the job ends without undoing anything, saying what is left.
    private mutating func incomplete(_ message: String, cause: HomelabError?) -> JobTransition<Action> {
        state = .failed
        var context = cause?.context ?? [:]
        context["deployment"] = name
        context["cause"] = cause?.code.rawValue
        failure = HomelabError(.migrationIncomplete, message, context: context)
        return JobTransition(say: message, component: component)
    }
}
