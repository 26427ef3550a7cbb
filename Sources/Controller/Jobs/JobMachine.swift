import Foundation
import Protocol

/// A long operation (deploy, migration, backup, …) as a value: typed states, events and actions.
/// `handle` is pure: no I/O, no clock. The runner stores the machine after every transition, before
/// it carries out the actions the transition returned, so a controller killed at any moment resumes
/// from the last stored state (`resume()` returns that state's work again; every action is idempotent).
public protocol JobMachine: Codable, Sendable {
    /// What happened: an agent's progress, an action's outcome.
    associatedtype Event: Sendable
    /// What to do next.
    associatedtype Action: Sendable

    /// The kind stored with the job (`deploy`, `deployment-action`, `migrate`, …).
    static var kind: JobKind { get }
    /// The subject the job works on (a deployment's id): one job at a time per subject.
    var subject: String { get }
    /// How the job ended, once it has; no action follows an outcome.
    var outcome: JobOutcome? { get }
    /// The state's name for people and the job list (`pulling`, `rolling-back`).
    var stateName: String { get }
    /// The state the job puts its subject in (a deployment's `state`), stored with every transition.
    var subjectState: String? { get }
    /// The failure being handled or that ended the job.
    var failure: HomelabError? { get }

    /// The first transition of a new job.
    mutating func start() -> JobTransition<Action>
    /// The current state's work again, after a restart.
    mutating func resume() -> JobTransition<Action>
    /// Moves on one event.
    mutating func handle(_ event: Event) -> JobTransition<Action>
    /// The event an action that threw becomes (its error as a failure of that action).
    static func failed(_ action: Action, _ error: HomelabError) -> Event
}

/// What one transition returns: the actions to carry out, in order, and the steps people read.
public struct JobTransition<Action: Sendable>: Sendable {
    public var actions: [Action]
    public var steps: [JobNote]

    public init(_ actions: [Action] = [], steps: [JobNote] = []) {
        self.actions = actions
        self.steps = steps
    }

    /// A transition with one step.
    public init(_ actions: [Action] = [], say message: String, component: String? = nil) {
        self.init(actions, steps: [JobNote(message, component: component)])
    }

    /// This transition followed by `other`.
    public func then(_ other: JobTransition<Action>) -> JobTransition<Action> {
        JobTransition(actions + other.actions, steps: steps + other.steps)
    }
}

/// A step of a job, as people read it: `web: pulling images on pi4`.
public struct JobNote: Codable, Equatable, Sendable {
    public var message: String
    /// The part of the subject it concerns (a deployment's component).
    public var component: String?
    public init(_ message: String, component: String? = nil) {
        self.message = message
        self.component = component
    }
}

/// A job's kind: its machine type, as stored.
public struct JobKind: StringTag {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}

/// How a job ended.
public enum JobOutcome: String, Codable, Sendable {
    /// It did what it was asked.
    case succeeded
    /// It failed and undid what it had done: the subject is as it was.
    case rolledBack = "rolled-back"
    /// It failed and could not undo everything: its failure says what is left where.
    case failed
}
