@testable import Controller
import Foundation
import Logging
import Protocol
import ServiceLifecycle
import Synchronization
import Testing

/// A job of three steps, to test the runner without deployments: `work(n)` then `did(n)`, three times.
struct ThreeSteps: JobMachine {
    static let kind: JobKind = "three-steps"
    enum State: Codable, Equatable, Sendable { case step(Int), done, failed }
    enum Event: Sendable { case did(Int), failed(HomelabError) }
    enum Action: Sendable, Equatable { case work(Int) }

    var subject = "s1"
    var state = State.step(1)
    var failure: HomelabError?

    var outcome: JobOutcome? { state == .done ? .succeeded : state == .failed ? .failed : nil }
    var stateName: String { "\(state)" }
    var subjectState: String? { state == .done ? "ready" : "busy" }
    var work: [Action] { if case .step(let n) = state { [.work(n)] } else { [] } }

    mutating func start() -> JobTransition<Action> { JobTransition(work, say: "started") }
    mutating func resume() -> JobTransition<Action> { JobTransition(work, say: "resumed") }
    mutating func handle(_ event: Event) -> JobTransition<Action> {
        switch (state, event) {
        case (.step(let n), .did(let m)) where n == m:
            state = n == 3 ? .done : .step(n + 1)
            return JobTransition(work, say: "did \(n)")
        case (.step, .failed(let error)):
            state = .failed
            failure = error
            return JobTransition(say: "failed: \(error.message)")
        default:
            return JobTransition()
        }
    }
    static func failed(_ action: Action, _ error: HomelabError) -> Event { .failed(error) }
}

/// Performs `work(n)`; records what it saw; can be told to hang on one step or to throw.
final class ThreeStepsExecutor: JobExecutor, Sendable {
    typealias Machine = ThreeSteps
    let store: any JobStore
    let hangOn: Int?
    let failOn: Int?
    private let seen = Mutex<[String]>([])
    var log: [String] { seen.withLock { $0 } }

    init(store: any JobStore, hangOn: Int? = nil, failOn: Int? = nil) {
        self.store = store
        self.hangOn = hangOn
        self.failOn = failOn
    }

    func perform(_ action: ThreeSteps.Action, in job: JobContext<ThreeSteps>) async throws -> [ThreeSteps.Event] {
        guard case .work(let n) = action else { return [] }
        // What is stored when the action starts: the state that asked for it.
        let stored = try await store.job(job.id).map { try WireCoding.decoder.decode(ThreeSteps.self, from: $0.machine) }
        seen.withLock { $0.append("work \(n), stored \(stored.map { "\($0.state)" } ?? "nothing")") }
        if n == failOn { throw HomelabError(.agentError, "box: step \(n) refused") }
        if n == hangOn {
            try await Task.sleep(for: .seconds(3600))
        }
        return [.did(n)]
    }
}

@Suite("job runner")
struct JobRunnerTests {
    static var logger: Logger {
        var logger = Logger(label: "test.jobs")
        logger.logLevel = .critical
        return logger
    }

    /// Runs `runner` in a service group until `body` returns, then shuts it down and waits.
    static func running<T: Sendable>(_ runner: JobRunner, _ body: () async throws -> T) async throws -> T {
        let group = ServiceGroup(configuration: .init(services: [.init(service: runner)], logger: logger))
        let task = Task { try await group.run() }
        defer { task.cancel() }
        let result = try await body()
        await group.triggerGracefulShutdown()
        try await task.value
        return result
    }

    @Test("each transition is stored before its action runs, and the job ends with its steps in order")
    func storedBeforeActions() async throws {
        let store: any JobStore = MemoryJobStore()
        let runner = JobRunner(store: store, logger: Self.logger)
        let executor = ThreeStepsExecutor(store: store)
        runner.register(executor)
        try await Self.running(runner) {
            let (job, steps) = try await runner.submit(ThreeSteps(), to: executor)
            #expect(steps.map(\.message) == ["started"])
            await runner.wait(for: job.id)
            #expect(executor.log == ["work 1, stored step(1)", "work 2, stored step(2)", "work 3, stored step(3)"])
            let ended = try #require(try await store.job(job.id))
            #expect(ended.outcome == .succeeded && ended.subjectState == "ready" && ended.state == "done")
            #expect(try await store.steps(of: "s1", after: 0).map(\.message) == ["started", "did 1", "did 2", "did 3"])
            #expect(try await store.steps(of: "s1", after: 0).last?.final == true)
        }
    }

    @Test("a second job on a subject with one under way is refused with conflict")
    func oneAtATime() async throws {
        let store: any JobStore = MemoryJobStore()
        let runner = JobRunner(store: store, logger: Self.logger)
        let executor = ThreeStepsExecutor(store: store, hangOn: 1)
        runner.register(executor)
        try await Self.running(runner) {
            _ = try await runner.submit(ThreeSteps(), to: executor)
            await #expect(throws: HomelabError.self) { try await runner.submit(ThreeSteps(), to: executor) }
        }
    }

    @Test("a thrown error becomes the machine's failure, with its code")
    func thrownErrorIsAnEvent() async throws {
        let store: any JobStore = MemoryJobStore()
        let runner = JobRunner(store: store, logger: Self.logger)
        let executor = ThreeStepsExecutor(store: store, failOn: 2)
        runner.register(executor)
        try await Self.running(runner) {
            let (job, _) = try await runner.submit(ThreeSteps(), to: executor)
            await runner.wait(for: job.id)
            let ended = try #require(try await store.job(job.id))
            #expect(ended.outcome == .failed && ended.failure?.code == .agentError && ended.failure?.message == "box: step 2 refused")
        }
    }

    @Test("a runner stopped mid-action leaves the job where it was stored; the next runner resumes it there and finishes")
    func resumesAfterAStop() async throws {
        let store: any JobStore = MemoryJobStore()
        let first = JobRunner(store: store, logger: Self.logger)
        let hanging = ThreeStepsExecutor(store: store, hangOn: 2)
        first.register(hanging)
        let id = try await Self.running(first) {
            let (job, _) = try await first.submit(ThreeSteps(), to: hanging)
            while !hanging.log.contains(where: { $0.hasPrefix("work 2") }) { try await Task.sleep(for: .milliseconds(10)) }
            return job.id
        }
        // The shutdown cancelled the hanging action and waited for it: nothing was stored after step 2 began.
        let interrupted = try await store.job(id)
        #expect(interrupted?.state == "step(2)" && interrupted?.outcome == nil)

        let second = JobRunner(store: store, logger: Self.logger)
        let executor = ThreeStepsExecutor(store: store)
        second.register(executor)
        try await Self.running(second) {
            while try await store.job(id)?.outcome == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(executor.log == ["work 2, stored step(2)", "work 3, stored step(3)"], "step 2 is done again, step 1 is not")
        #expect(try await store.steps(of: "s1", after: 0).map(\.message) == ["started", "did 1", "resumed", "did 2", "did 3"])
        #expect(try await store.job(id)?.outcome == .succeeded)
    }

    @Test("a stored job that does not decode, or whose kind this version lacks, is logged, counted and ended failed, never dropped")
    func unreadableJobs() async throws {
        let store: any JobStore = MemoryJobStore()
        let time = Date()
        _ = try await store.insert(JobRecord(id: "garbled", kind: ThreeSteps.kind, subject: "s1", machine: Data("{not json".utf8), state: "step(2)",
                                             subjectState: "busy", outcome: nil, failure: nil, createdAt: time, updatedAt: time), steps: [])
        _ = try await store.insert(JobRecord(id: "future", kind: "teleport", subject: "s2", machine: Data("{}".utf8), state: "beaming",
                                             subjectState: nil, outcome: nil, failure: nil, createdAt: time, updatedAt: time), steps: [])
        let runner = JobRunner(store: store, logger: Self.logger)
        runner.register(ThreeStepsExecutor(store: store))
        try await Self.running(runner) {
            while try await store.jobs(JobFilter(active: true)).count > 0 { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(runner.unreadableJobs == 2)
        for id in ["garbled", "future"] {
            let job = try #require(try await store.job(id))
            #expect(job.outcome == .failed && job.failure?.code == .unreadableRecord, "\(id)")
            #expect(job.failure?.message.contains("cannot be resumed") == true)
        }
        #expect(try await store.jobs(JobFilter()).count == 2, "the rows are kept")
    }

    @Test("shutdown waits for the jobs' tasks, and whoever waits for a job hears of it")
    func shutdownWaits() async throws {
        let store: any JobStore = MemoryJobStore()
        let runner = JobRunner(store: store, logger: Self.logger)
        let executor = ThreeStepsExecutor(store: store, hangOn: 1)
        runner.register(executor)
        let group = ServiceGroup(configuration: .init(services: [.init(service: runner)], logger: Self.logger))
        let task = Task { try await group.run() }
        let (job, _) = try await runner.submit(ThreeSteps(), to: executor)
        while executor.log.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        let waiter = Task { await runner.wait(for: job.id) }
        await group.triggerGracefulShutdown()
        try await task.value
        await waiter.value
        #expect(!runner.isDriving(job.id))
        #expect(try await store.job(job.id)?.outcome == nil, "an interrupted job stays under way, for the next start")
    }
}
