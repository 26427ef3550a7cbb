import Foundation
import Protocol

/// The app page's Backups panel: the policy as it applies, the latest backup, check and restore jobs (the one under
/// way with its steps), and for operators: back up now, check, restore a run. Read from the controller's store only,
/// so the page never waits on a backup target.
struct AppBackupsView: Sendable {
    struct Job: Sendable {
        var label: String
        var state: String
        var summary: String
        var time: TimeView
    }

    /// Whether the app has volumes (else there is nothing to back up).
    var hasVolumes: Bool
    /// Whether a backup target exists; without one an administrator is told how to add one.
    var hasTarget: Bool
    var admin: Bool
    var policy: String
    var next: TimeView?
    var jobs: [Job]
    /// Whether a backup, check or restore job of the app is under way, and its latest steps.
    var underWay: Bool
    var steps: [AppPages.Step]
    /// The backup runs a restore can choose from, newest first (not those retention forgot).
    var runs: [OptionView]
    var operate: Bool
    /// Whether a restore can start: the app runs and no job works on it.
    var canRestore: Bool

    /// How many jobs the panel lists.
    static let shown = 5

    static func make(_ web: WebContext, _ resource: DeploymentResource, session: WebSession, now: Date) async throws -> AppBackupsView {
        let controller = web.controller
        let (_, subjects) = try await controller.backups.subjects(resource.name)
        let policy = try await controller.backupJobs.policy(of: resource, now: now)
        let store = controller.jobs.store
        let subject = BackupMachine.subject(of: resource.id)
        let recent = try await store.jobs(JobFilter(subject: subject, limit: Self.shown))
            + (try await store.jobs(JobFilter(subject: resource.id, kind: RestoreMachine.kind, limit: Self.shown)))
        let jobs = recent.sorted { $0.createdAt > $1.createdAt }.prefix(Self.shown)
        var steps: [AppPages.Step] = []
        let running = jobs.first { $0.outcome == nil }
        if let running {
            steps = try await store.steps(of: running.subject, after: 0).filter { $0.jobID == running.id }.suffix(10)
                .map { AppPages.Step(state: $0.state, message: $0.message, time: TimeView($0.time, now: now)) }
        }
        let backups = try await store.jobs(JobFilter(subject: subject, kind: BackupMachine.kind, outcome: .succeeded, limit: 20)).compactMap { job in
            (try? WireCoding.decoder.decode(BackupMachine.self, from: job.machine)).map { (job.createdAt, $0) }
        }
        let forgotten = Set(backups.flatMap(\.1.forgotten))
        let runs = backups.filter { !$0.1.parts.contains { forgotten.contains($0.run) } }.compactMap { time, machine -> OptionView? in
            guard let first = machine.parts.first else { return nil }
            // A job's run id: its one part's, or the base its parts' `RUN-1`, `RUN-2` … share.
            let run = machine.parts.count == 1 ? first.run : String(first.run.dropLast(2))
            let bytes = machine.made.reduce(UInt64(0)) { $0 + $1.bytes }
            return OptionView(value: run, label: "\(Format.absolute(time)), \(Format.bytes(bytes)) (run \(run))", selected: false)
        }
        return AppBackupsView(hasVolumes: !subjects.isEmpty, hasTarget: try await controller.backups.targets.exist(), admin: session.role.allows(.admin),
                              policy: Self.words(policy), next: policy.nextRunAt.map { TimeView($0, now: now) },
                              jobs: jobs.map { Self.row($0, now: now) }, underWay: running != nil, steps: steps, runs: runs, operate: session.role.allows(.operator),
                              canRestore: resource.state == .running && running == nil)
    }

    /// `Daily at 03:17 to the only target; keeps the last 3 runs, 7 daily, 4 weekly and 6 monthly.`
    static func words(_ policy: BackupPolicyResource) -> String {
        guard policy.enabled else { return "Scheduled backups are off (Back up now still works)." }
        let keep = policy.retention
        return "\(when(policy.schedule, jitter: policy.jitterMinutes)) to \(policy.target ?? "the only target"); keeps the last \(keep.keepLast) runs, "
            + "\(keep.keepDaily) daily, \(keep.keepWeekly) weekly and \(keep.keepMonthly) monthly."
    }

    /// `Daily at 03:17` for a daily schedule (its jitter added), else `On the schedule 0 */6 * * *`.
    static func when(_ schedule: String, jitter: Int) -> String {
        let fields = schedule.split(separator: " ")
        guard fields.count == 5, fields[2...] == ["*", "*", "*"], let minute = Int(fields[0]), let hour = Int(fields[1]),
              (0..<60).contains(minute), (0..<24).contains(hour) else {
            return "On the schedule \(schedule)" + (jitter > 0 ? " plus \(jitter) min" : "")
        }
        let total = (hour * 60 + minute + jitter) % 1440
        return String(format: "Daily at %02d:%02d", total / 60, total % 60)
    }

    static func row(_ job: JobRecord, now: Date) -> Job {
        let label = switch job.kind {
        case BackupMachine.kind: "Backup"
        case BackupCheckMachine.kind: "Check"
        default: "Restore"
        }
        let summary: String
        if let failure = job.failure, job.outcome != .succeeded {
            summary = "\(failure.message) [\(failure.code)]"
        } else if job.outcome == nil {
            summary = "under way (\(job.state))"
        } else if job.kind == BackupMachine.kind, let machine = try? WireCoding.decoder.decode(BackupMachine.self, from: job.machine) {
            let read = machine.made.reduce(UInt64(0)) { $0 + $1.bytes }, added = machine.made.reduce(UInt64(0)) { $0 + $1.bytesAdded }
            summary = "to \(machine.target): \(Format.bytes(read)) read, \(Format.bytes(added)) added" + (machine.retentionProblem.map { "; retention not applied (\($0))" } ?? "")
        } else if job.kind == BackupCheckMachine.kind, let machine = try? WireCoding.decoder.decode(BackupCheckMachine.self, from: job.machine) {
            summary = "\(machine.target): \(machine.reading) read, no damage found"
        } else {
            summary = job.outcome?.rawValue ?? job.state
        }
        return Job(label: label, state: job.outcome?.rawValue ?? "running", summary: summary, time: TimeView(job.createdAt, now: now))
    }
}
