import Foundation
import Protocol

/// Carries out the actions of one kind of job: talks to agents, the proxy, the database. The machine
/// decides; the executor does, and says what happened as events.
public protocol JobExecutor: Sendable {
    associatedtype Machine: JobMachine

    /// Carries out `action` and returns what happened, in order. While it runs it may `emit` events
    /// (an agent's progress): each is handled and stored before `perform` goes on. A thrown error becomes
    /// ``JobMachine/failed(_:_:)``; a `CancellationError` (shutdown) leaves the job where it was stored.
    func perform(_ action: Machine.Action, in job: JobContext<Machine>) async throws -> [Machine.Event]

    /// Called after each stored transition, with its steps (to publish them where people watch).
    func stored(_ steps: [JobStepRecord], of job: JobRecord, machine: Machine) async
}

extension JobExecutor {
    public func stored(_ steps: [JobStepRecord], of job: JobRecord, machine: Machine) async {}
}

/// What an executor knows of the job whose action it carries out.
public struct JobContext<Machine: JobMachine>: Sendable {
    /// The job's id.
    public let id: String
    /// The machine as it was when the action started.
    public let machine: Machine
    /// The runner's clock: every wait of an action goes through it.
    public let clock: any Clock<Duration>
    let emitter: @Sendable (Machine.Event) async throws -> Void

    /// Handles `event` now and stores the transition (an agent's progress while the action runs).
    public func emit(_ event: Machine.Event) async throws {
        try await emitter(event)
    }

    /// Sleeps for `duration` on the runner's clock.
    public func sleep(for duration: Duration) async throws {
        try await clock.sleep(for: duration, tolerance: nil)
    }
}

extension JobContext {
    /// A point `duration` from now on the runner's clock.
    public func deadline(after duration: Duration) -> JobDeadline { JobDeadline(existential: clock, after: duration) }
}

/// A point in time on a job runner's clock, to bound waits.
public struct JobDeadline: Sendable {
    private let passed: @Sendable () -> Bool

    /// `duration` from now on `clock`.
    public init<C: Clock>(_ clock: C, after duration: Duration) where C.Duration == Duration {
        let end = clock.now.advanced(by: duration)
        passed = { clock.now >= end }
    }

    /// `duration` from now on an existential clock.
    public init(existential clock: any Clock<Duration>, after duration: Duration) {
        self = Self.opening(clock, duration)
    }

    private static func opening<C: Clock>(_ clock: C, _ duration: Duration) -> JobDeadline where C.Duration == Duration {
        JobDeadline(clock, after: duration)
    }

    /// Whether it has passed.
    public var hasPassed: Bool { passed() }
}
