import FoundationEssentials
import Logging
import Protocol
import Restic
import ServiceLifecycle
import Synchronization

/// Runs this device's backups, restores and checks, one at a time, apart from any connection: a
/// run the controller started goes on when the link drops, and the controller finds its outcome
/// by its id later (`backup.wait`). At start it puts back what an agent killed mid-run left: the
/// apps a stop-mode backup had stopped run again, and half-restored fresh volumes are removed.
public final class BackupRunner: Service, Sendable {
    /// A run to do.
    enum Job: Sendable {
        case backup(BackupStart)
        case restore(RestoreStart)
        case check(CheckStart)

        var run: String {
            switch self {
            case .backup(let request): request.run
            case .restore(let request): request.run
            case .check(let request): request.run
            }
        }

        /// The stack project a backup or restore works on.
        var project: String? {
            switch self {
            case .backup(let request): request.project
            case .restore(let request): request.project
            case .check: nil
            }
        }

        var kind: RunStatus.Kind {
            switch self {
            case .backup: .backup
            case .restore: .restore
            case .check: .check
            }
        }
    }

    let context: BackupContext
    let records: RunRecords
    private let jobs: AsyncStream<Job>
    private let queue: AsyncStream<Job>.Continuation
    /// The connection each run reports its progress on: the one that last asked about it.
    private let listeners = Mutex<[String: MessageConnection]>([:])
    private let lastEvent = Mutex<[String: ContinuousClock.Instant]>([:])

    /// Creates the runner; nothing runs until ``run()``.
    public init(context: BackupContext) {
        self.context = context
        records = RunRecords(stateDirectory: context.stateDirectory)
        (jobs, queue) = AsyncStream.makeStream(of: Job.self)
    }

    /// Starts `job`, or attaches to it when its run id is known.
    func start(_ job: Job, on connection: MessageConnection?) throws(HomelabError) -> RunStatus {
        guard Self.isRunID(job.run) else { throw HomelabError(.invalidSpec, "run id '\(job.run)' is not [a-z0-9-], 1 to 64 characters") }
        if let project = job.project, !SafeName.isValid(project, .project) {
            throw HomelabError(.invalidSpec, "project '\(project)' is not a compose project name")
        }
        if let connection { listeners.withLock { $0[job.run] = connection } }
        if let known = records[job.run] { return known }
        let status = RunStatus(run: job.run, kind: job.kind, state: .running, progress: RunProgress(phase: "queued"), startedAt: Date())
        var fresh: [String]?
        if case .restore(let request) = job { fresh = request.volumes.values.sorted() }
        records.update(status, freshVolumes: fresh, persist: true)
        queue.yield(job)
        return status
    }

    /// The run's status once it ended, or after `seconds` (at most 60) while it runs.
    func wait(_ run: String, seconds: Int, on connection: MessageConnection?) async throws -> RunStatus {
        guard records[run] != nil else { throw HomelabError(.notFound, "this device has no run \(run)") }
        if let connection { listeners.withLock { $0[run] = connection } }
        let deadline = ContinuousClock.now + .seconds(max(0, min(seconds, 60)))
        while let status = records[run], status.state == .running, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        return records[run]!
    }

    public func run() async throws {
        let interrupted = records.interrupted { status in
            HomelabError(.backupInterrupted, "the agent stopped during this \(status.kind.rawValue) run; what it had stopped or half made was put back when the agent started again")
        }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.recover(interrupted) }
                for await job in self.jobs {
                    await self.perform(job)
                }
                group.cancelAll()
            }
        }
    }

    // MARK: Runs

    private func perform(_ job: Job) async {
        guard var status = records[job.run] else { return }
        let report: @Sendable (RunProgress) async -> Void = { [self] progress in await self.progress(job.run, progress) }
        context.logger.info("\(job.kind.rawValue) run \(job.run) started")
        do {
            switch job {
            case .backup(let request):
                status.backup = try await VolumeBackup(context: context, request: request, report: report).run()
            case .restore(let request):
                status.restore = try await VolumeRestore(context: context, request: request, report: report).run()
            case .check(let request):
                try await check(request, report: report)
            }
            status.state = .succeeded
            context.logger.info("\(job.kind.rawValue) run \(job.run) succeeded")
        } catch {
            status.state = .failed
            status.error = HomelabError(error)
            context.logger.error("\(job.kind.rawValue) run \(job.run) failed: \(status.error?.message ?? "")")
        }
        status.progress = records[job.run]?.progress
        status.endedAt = Date()
        records.update(status, persist: true)
    }

    private func check(_ request: CheckStart, report: @Sendable (RunProgress) async -> Void) async throws {
        let restic = try context.restic(host: context.identity.deviceID, inactivity: request.inactivitySeconds)
        let repository = try context.repository(request.repository)
        await report(RunProgress(phase: "checking \(repository.label)" + (request.readData.map { ", reading \($0) of its data" } ?? "")))
        try? await restic.unlock(repository)
        try await resticStep { try await restic.check(repository, readData: request.readData) }
    }

    /// Records progress; sends it to the controller at most once a second (and at every new phase).
    private func progress(_ run: String, _ progress: RunProgress) async {
        guard var status = records[run] else { return }
        let phaseChanged = status.progress?.phase != progress.phase
        status.progress = progress
        records.update(status, persist: false)
        let now = ContinuousClock.now
        let due = lastEvent.withLock { last -> Bool in
            guard phaseChanged || now - (last[run] ?? .now - .seconds(2)) >= .seconds(1) else { return false }
            last[run] = now
            return true
        }
        guard due, let connection = listeners.withLock({ $0[run] }) else { return }
        try? await connection.sendEvent(MessageType.backupProgress, RunProgressEvent(run: run, progress: progress))
    }

    // MARK: Recovery

    /// Starts again what interrupted backups stopped, retrying every 5 s while the engine does not
    /// answer, and removes the fresh volumes of interrupted restores.
    private func recover(_ interrupted: [RunRecords.Saved]) async {
        for saved in interrupted {
            context.logger.warning("\(saved.status.kind.rawValue) run \(saved.status.run) was interrupted by the agent's stop")
        }
        var holds = AppHold.leftOver(in: context.stateDirectory)
        var volumes = interrupted.flatMap { $0.status.kind == .restore ? $0.freshVolumes ?? [] : [] }
        while !holds.isEmpty || !volumes.isEmpty, !Task.isCancelled {
            var left: [AppHold] = []
            for hold in holds {
                do {
                    try await hold.release(runtime: context.runtime, stateDirectory: context.stateDirectory)
                    context.logger.notice("started \(hold.project) again: backup run \(hold.run) had stopped it when the agent stopped")
                } catch {
                    left.append(hold)
                }
            }
            var kept: [String] = []
            for name in volumes {
                if (try? await context.runtime.removeVolume(name: name)) == nil { kept.append(name) }
            }
            (holds, volumes) = (left, kept)
            if !holds.isEmpty || !volumes.isEmpty { try? await Task.sleep(for: .seconds(5)) }
        }
    }

    /// `[a-z0-9-]`, 1 to 64 characters: run ids become file names and restic tags.
    static func isRunID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d }
    }
}
