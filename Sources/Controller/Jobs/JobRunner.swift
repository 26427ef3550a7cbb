import Foundation
import Logging
import Protocol
import ServiceLifecycle
import Synchronization

/// Drives every job of the controller, and runs its unpersisted operations (scans, SSH bootstraps), as
/// children of one service: nothing outlives shutdown, and shutdown waits for every child to stop.
///
/// A job is driven one action at a time: the machine's transition is stored (with its steps), then its
/// actions are carried out by the job kind's ``JobExecutor``; each event an action returns is handled and
/// stored before anything else happens. A transition that returns actions replaces what was left to do;
/// one that returns none lets the rest go on. At start the runner resumes every job left under way.
public final class JobRunner: Service, Sendable {
    /// Where the jobs are kept.
    public let store: any JobStore
    /// The clock every wait of every job goes through.
    public let clock: any Clock<Duration>
    let now: @Sendable () -> Date
    let logger: Logger
    private let resumers = Mutex<[JobKind: any JobResuming]>([:])
    private let work: AsyncStream<@Sendable () async -> Void>
    private let queue: AsyncStream<@Sendable () async -> Void>.Continuation
    /// The jobs being driven, with who waits for each to stop.
    private let driven = Mutex<[String: [CheckedContinuation<Void, Never>]]>([:])
    private let unreadable = Mutex(0)

    /// A runner over `store`; nothing runs until ``run()``.
    public init(store: any JobStore, clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = { Date() },
                logger: Logger) {
        self.store = store
        self.clock = clock
        self.now = now
        self.logger = logger
        (work, queue) = AsyncStream.makeStream(of: (@Sendable () async -> Void).self)
    }

    /// Lets the runner carry out (and resume) jobs of `executor`'s kind.
    public func register<E: JobExecutor>(_ executor: E) {
        resumers.withLock { $0[E.Machine.kind] = Resumer(executor: executor) }
    }

    /// Stores a new job (its first transition and steps) and starts driving it; refuses with `conflict`
    /// when its subject has a job under way.
    @discardableResult
    public func submit<E: JobExecutor>(_ machine: E.Machine, to executor: E, id: String = UUID().uuidString.lowercased()) async throws
        -> (job: JobRecord, steps: [JobStepRecord]) {
        var machine = machine
        let transition = machine.start()
        let time = now()
        let record = JobRecord(id: id, kind: E.Machine.kind, subject: machine.subject, machine: try Self.encode(machine), state: machine.stateName,
                               subjectState: machine.subjectState, outcome: machine.outcome, failure: machine.failure, createdAt: time, updatedAt: time)
        let steps = try await store.insert(record, steps: transition.steps)
        await executor.stored(steps, of: record, machine: machine)
        if machine.outcome == nil {
            let started = machine
            drive(id) { [self] in await self.drive(executor, started, record, transition.actions) }
        }
        return (record, steps)
    }

    /// Queues an unpersisted operation (a scan, an SSH bootstrap); it starts at once while the service runs.
    public func submit(operation: @escaping @Sendable () async -> Void) {
        queue.yield(operation)
    }

    /// Returns once job `id` is no longer being driven (it ended, or the runner stopped).
    public func wait(for id: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waiting = driven.withLock { driven -> Bool in
                guard driven[id] != nil else { return false }
                driven[id]!.append(continuation)
                return true
            }
            if !waiting { continuation.resume() }
        }
    }

    /// Whether job `id` is being driven now.
    public func isDriving(_ id: String) -> Bool { driven.withLock { $0[id] != nil } }

    /// Returns once no job is being driven (tests).
    public func idle() async {
        while let id = driven.withLock({ $0.keys.first }) { await wait(for: id) }
    }

    /// Jobs whose machine did not decode since the start (each also logged and shown failed in the job list).
    public var unreadableJobs: Int { unreadable.withLock { $0 } }

    /// Resumes every job left under way, then runs what is submitted until shutdown, which cancels the
    /// children and waits for them.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.resumeAll() }
                for await operation in self.work {
                    group.addTask { await operation() }
                }
            }
        }
        // Whoever still waits for a job hears that it is no longer driven.
        for waiters in driven.withLock({ driven -> [[CheckedContinuation<Void, Never>]] in defer { driven = [:] }; return Array(driven.values) }) {
            for waiter in waiters { waiter.resume() }
        }
    }

    // MARK: Driving

    private func drive(_ id: String, _ body: @escaping @Sendable () async -> Void) {
        let fresh = driven.withLock { driven -> Bool in
            guard driven[id] == nil else { return false }
            driven[id] = []
            return true
        }
        guard fresh else { return }
        queue.yield { [self] in
            await body()
            let waiters = driven.withLock { $0.removeValue(forKey: id) } ?? []
            for waiter in waiters { waiter.resume() }
        }
    }

    private func resumeAll() async {
        let active: [JobRecord]
        do { active = try await store.jobs(JobFilter(active: true)) } catch is CancellationError {
            return  // stopped before it started (another service failed to start): the jobs resume at the next start
        } catch {
            logger.error("cannot read the jobs under way: \(error)")
            return
        }
        for record in active.reversed() {
            guard let resumer = resumers.withLock({ $0[record.kind] }) else {
                await markUnreadable(record, "no job kind \(record.kind) in this controller version")
                continue
            }
            do {
                let work = try resumer.resume(record, on: self)
                logger.info("resuming job \(record.id) (\(record.kind) of \(record.subject), \(record.state))")
                drive(record.id, work)
            } catch {
                await markUnreadable(record, "its stored state does not decode (\(WireCoding.describe(error)))")
            }
        }
    }

    /// A stored job this version cannot continue: logged, counted, and ended as failed with its row kept.
    private func markUnreadable(_ record: JobRecord, _ why: String) async {
        logger.error("job \(record.id) (\(record.kind) of \(record.subject)) cannot be resumed: \(why)")
        unreadable.withLock { $0 += 1 }
        var ended = record
        ended.outcome = .failed
        ended.failure = HomelabError(.unreadableRecord, "job \(record.id) (\(record.kind)) cannot be resumed: \(why)", context: ["job": record.id])
        ended.updatedAt = now()
        _ = try? await store.update(ended, steps: [JobNote("Cannot be resumed: \(why)")])
    }

    /// Carries out `actions` and what follows them until the job ends or the runner stops.
    func drive<E: JobExecutor>(_ executor: E, _ start: E.Machine, _ record: JobRecord, _ actions: [E.Machine.Action]) async {
        let cell = MachineCell(machine: start, record: record)
        var queue = actions
        while !queue.isEmpty, cell.machine.outcome == nil, !Task.isCancelled {
            let action = queue.removeFirst()
            let context = JobContext<E.Machine>(id: record.id, machine: cell.machine, clock: clock) { [self] event in
                let transition = try await self.apply(event, to: cell, executor: executor)
                if !transition.actions.isEmpty {
                    logger.warning("job \(record.id): an event emitted during an action asked for actions; they are ignored")
                }
            }
            let events: [E.Machine.Event]
            do {
                events = try await executor.perform(action, in: context)
            } catch where error is CancellationError || Task.isCancelled {
                return  // Shutdown: the stored state is where the next start resumes.
            } catch {
                events = [E.Machine.failed(action, HomelabError.shown(error, logger: logger))]
            }
            for event in events {
                do {
                    let transition = try await apply(event, to: cell, executor: executor)
                    if !transition.actions.isEmpty { queue = transition.actions }
                } catch {
                    // The database refused the transition: stop here, the stored state is where a restart resumes.
                    logger.error("job \(record.id): cannot store its next state: \(error)")
                    return
                }
            }
        }
    }

    /// Handles one event and stores the transition before anything else happens.
    private func apply<E: JobExecutor>(_ event: E.Machine.Event, to cell: MachineCell<E.Machine>, executor: E) async throws
        -> JobTransition<E.Machine.Action> {
        var machine = cell.machine
        let transition = machine.handle(event)
        var record = cell.record
        record.machine = try Self.encode(machine)
        record.state = machine.stateName
        record.subjectState = machine.subjectState
        record.outcome = machine.outcome
        record.failure = machine.failure
        record.updatedAt = now()
        let steps = try await store.update(record, steps: transition.steps)
        cell.set(machine, record)
        await executor.stored(steps, of: record, machine: machine)
        return transition
    }

    static func encode<M: JobMachine>(_ machine: M) throws -> Data { try WireCoding.encoder.encode(machine) }
}

/// The machine of a job being driven and its stored row (one driving task per job reads and writes it).
private final class MachineCell<Machine: JobMachine>: Sendable {
    private let state: Mutex<(Machine, JobRecord)>
    init(machine: Machine, record: JobRecord) { state = Mutex((machine, record)) }
    var machine: Machine { state.withLock { $0.0 } }
    var record: JobRecord { state.withLock { $0.1 } }
    func set(_ machine: Machine, _ record: JobRecord) { state.withLock { $0 = (machine, record) } }
}

/// Turns a stored job of one kind back into work for the runner.
protocol JobResuming: Sendable {
    func resume(_ record: JobRecord, on runner: JobRunner) throws -> @Sendable () async -> Void
}

private struct Resumer<E: JobExecutor>: JobResuming {
    let executor: E

    func resume(_ record: JobRecord, on runner: JobRunner) throws -> @Sendable () async -> Void {
        var decoded = try WireCoding.decoder.decode(E.Machine.self, from: record.machine)
        let transition = decoded.resume()
        let machine = decoded
        return { [executor] in
            var stored = record
            stored.machine = (try? JobRunner.encode(machine)) ?? record.machine
            stored.state = machine.stateName
            stored.subjectState = machine.subjectState
            stored.updatedAt = runner.now()
            guard let steps = try? await runner.store.update(stored, steps: transition.steps) else { return }
            await executor.stored(steps, of: stored, machine: machine)
            await runner.drive(executor, machine, stored, transition.actions)
        }
    }
}
