import Foundation
import Hummingbird
import Protocol

/// Backups as jobs of the controller's ``JobRunner`` (``BackupMachine``), and what the API reads of
/// them: an app's runs as its repository holds them, and a job's steps as they are stored.
public struct BackupJobs: Sendable {
    let coordinator: BackupCoordinator
    let jobs: JobRunner
    let executor: BackupExecutor
    let restorer: RestoreExecutor
    let checker: BackupCheckExecutor
    let policies: BackupPolicies
    /// How often a progress stream looks for new steps.
    static let pollInterval: Duration = .milliseconds(500)

    init(coordinator: BackupCoordinator, jobs: JobRunner) {
        self.coordinator = coordinator
        self.jobs = jobs
        executor = BackupExecutor(coordinator: coordinator)
        restorer = RestoreExecutor(coordinator: coordinator)
        checker = BackupCheckExecutor(coordinator: coordinator)
        policies = BackupPolicies(store: coordinator.store)
        jobs.register(executor)
        jobs.register(restorer)
        jobs.register(checker)
    }

    /// Starts a backup job of deployment `name`: every component with volumes, then the retention rules.
    /// Refused while the deployment is being changed or another backup of it runs.
    public func backup(_ name: String, _ request: BackupNowRequest) async throws -> BackupAccepted {
        let (resource, subjects) = try await coordinator.subjects(name)
        if try await coordinator.deployments.parts.busy(resource.id) {
            throw HomelabError.conflict("\(resource.name) is being changed (\(resource.state.rawValue)): back it up once that ends",
                                        context: ["deployment": resource.name])
        }
        let subject = BackupMachine.subject(of: resource.id)
        guard try await jobs.store.jobs(JobFilter(subject: subject, active: true, limit: 1)).isEmpty else {
            throw HomelabError.conflict("a backup of \(resource.name) is under way", context: ["deployment": resource.name])
        }
        let policy = try await policies.spec(of: resource.id)
        let target = try await coordinator.targets.resolve(request.target ?? policy.target)
        let base = BackupCoordinator.runID()
        let parts = subjects.enumerated().map { index, subject in
            BackupMachine.Part(component: subject.component, device: subject.deviceName, run: subjects.count == 1 ? base : "\(base)-\(index + 1)")
        }
        let machine = BackupMachine(deploymentID: resource.id, name: resource.name, target: target.deviceName, parts: parts,
                                    retention: policy.retention ?? BackupRetention())
        let (job, _) = try await jobs.submit(machine, to: executor)
        return BackupAccepted(job: Self.resource(job, name: resource.name),
                              progress: "/v1/deployments/\(resource.name)/backups/progress?job=\(job.id)")
    }

    /// Starts a restore job of deployment `name` where it runs, from backup run `request.snapshot` (the
    /// newest complete one of each component when nil). Refused unless the app runs and nothing else
    /// works on it.
    public func restore(_ name: String, _ request: RestoreRequest) async throws -> BackupAccepted {
        let (resource, subjects) = try await coordinator.subjects(name)
        guard resource.state == .running else {
            throw HomelabError.conflict("\(resource.name) is \(resource.state.rawValue): a restore swaps the volumes of a running app", context: ["deployment": resource.name])
        }
        let backups = try await jobs.store.jobs(JobFilter(subject: BackupMachine.subject(of: resource.id), active: true, limit: 1))
        if try await coordinator.deployments.parts.busy(resource.id) || !backups.isEmpty {
            throw HomelabError.conflict("\(resource.name) has a job under way (a deploy, start, stop, backup or restore): restore it once that ends",
                                        context: ["deployment": resource.name])
        }
        guard !subjects.isEmpty else { throw HomelabError.badRequest("\(resource.name) has no volumes: there is nothing to restore") }
        let target = try await coordinator.targets.resolve(request.target)
        let complete = BackupRunList.runs(from: try await coordinator.snapshots(resource.name, target: target.deviceName)).filter(\.complete)
        let base = BackupCoordinator.runID()
        var parts: [RestoreMachine.Part] = []
        for (index, subject) in subjects.enumerated() {
            let mine = complete.filter { $0.component == (subject.multiComponent ? subject.component : nil) }
            guard let chosen = request.snapshot.map({ wanted in mine.first { Self.matches($0, wanted) } }) ?? mine.first else {
                throw HomelabError.notFound("\(resource.name) has no complete backup run\(request.snapshot.map { " \($0)" } ?? "") of \(subject.component) on \(target.deviceName)",
                                            context: ["deployment": resource.name])
            }
            let run = subjects.count == 1 ? base : "\(base)-\(index + 1)"
            let suffix = String(run.filter { $0 != "-" }.suffix(8))
            parts.append(RestoreMachine.Part(component: subject.component, device: subject.deviceName, project: subject.project, backupRun: chosen.run, run: run,
                                             volumes: Dictionary(uniqueKeysWithValues: subject.volumes.map { ($0, "\(subject.project)_\($0)_restored_\(suffix)") })))
        }
        let machine = RestoreMachine(deploymentID: resource.id, name: resource.name, target: target.deviceName, parts: parts)
        let (job, _) = try await jobs.submit(machine, to: restorer)
        return BackupAccepted(job: Self.resource(job, name: resource.name), progress: "/v1/deployments/\(resource.name)/backups/progress?job=\(job.id)")
    }

    /// Starts a check job of deployment `name`'s repository (``BackupCheckMachine``) on `request.target`, by
    /// default the target of its latest successful backup. Refused while a backup, restore or check of it runs.
    public func check(_ name: String, _ request: BackupCheckRequest) async throws -> BackupAccepted {
        let resource = try await coordinator.deployments.get(name)
        let percent = request.readDataPercent ?? Self.checkReadPercent
        guard (0...100).contains(percent) else {
            throw HomelabError.badRequest("readDataPercent must be 0-100 (percent of the data read back), not \(percent)", field: "readDataPercent")
        }
        let subject = BackupMachine.subject(of: resource.id)
        guard !(try await coordinator.deployments.parts.busy(subject)), !(try await restoring(resource.id)) else {
            throw HomelabError.conflict("a backup, restore or check of \(resource.name) is under way: check it once that ends", context: ["deployment": resource.name])
        }
        let latest = try await jobs.store.jobs(JobFilter(subject: subject, kind: BackupMachine.kind, outcome: .succeeded, limit: 1)).first
        let target = try await coordinator.targets.resolve(request.target ?? latest.flatMap { try? WireCoding.decoder.decode(BackupMachine.self, from: $0.machine).target })
        guard try await coordinator.repository(app: resource.name, on: target) != nil else {
            throw HomelabError.notFound("\(resource.name) has no backups on \(target.deviceName): there is nothing to check", context: ["deployment": resource.name])
        }
        let machine = BackupCheckMachine(deploymentID: resource.id, name: resource.name, target: target.deviceName, readDataPercent: percent,
                                         run: BackupCoordinator.runID())
        let (job, _) = try await jobs.submit(machine, to: checker)
        return BackupAccepted(job: Self.resource(job, name: resource.name), progress: "/v1/deployments/\(resource.name)/backups/progress?job=\(job.id)")
    }

    /// The share of the data a check reads unless asked otherwise: 5 %, so a weekly check reads all of it in about five months.
    static let checkReadPercent = 5

    /// Whether a restore of the deployment is under way (its jobs have the deployment's id as subject).
    private func restoring(_ id: String) async throws -> Bool {
        !(try await jobs.store.jobs(JobFilter(subject: id, active: true, kind: RestoreMachine.kind, limit: 1))).isEmpty
    }

    /// Deployment `name`'s backup policy as it applies.
    public func policy(_ name: String, now: Date = Date()) async throws -> BackupPolicyResource {
        try await policy(of: try await coordinator.deployments.get(name), now: now)
    }

    /// The policy of a deployment already read.
    func policy(of resource: DeploymentResource, now: Date = Date()) async throws -> BackupPolicyResource {
        try BackupPolicies.resource(try await policies.spec(of: resource.id), id: resource.id, name: resource.name, now: now, calendar: .current)
    }

    /// Sets deployment `name`'s backup policy (the schedule parsed, the retention bounded, the target found).
    public func setPolicy(_ name: String, _ spec: BackupPolicySpec, now: Date = Date()) async throws -> BackupPolicyResource {
        let resource = try await coordinator.deployments.get(name)
        if let target = spec.target { _ = try await coordinator.targets.resolve(target) }
        try await policies.set(spec, of: resource.id, now: now)
        return try BackupPolicies.resource(spec, id: resource.id, name: resource.name, now: now, calendar: .current)
    }

    /// Whether `run` is the one asked for: its id, the id of the backup whose component run it is, or one of its snapshots' ids.
    static func matches(_ run: BackupRunEntry, _ wanted: String) -> Bool {
        run.run == wanted || run.run.hasPrefix(wanted + "-") || (wanted.count >= 8 && run.snapshots.contains { $0.hasPrefix(wanted) })
    }

    /// The backup runs of deployment `name` on `target` (the only one when nil), newest first, with
    /// the sizes its backup jobs recorded.
    public func runs(_ name: String, target: String? = nil) async throws -> [BackupRunEntry] {
        let resource = try await coordinator.deployments.get(name)
        var runs = BackupRunList.runs(from: try await coordinator.snapshots(resource.name, target: target))
        var made: [String: BackupMachine.Made] = [:]
        for job in try await jobs.store.jobs(JobFilter(subject: BackupMachine.subject(of: resource.id), kind: BackupMachine.kind, limit: 1000)) {
            for run in (try? WireCoding.decoder.decode(BackupMachine.self, from: job.machine))?.made ?? [] { made[run.run] = run }
        }
        for index in runs.indices {
            guard let run = made[runs[index].run] else { continue }
            runs[index].files = run.files
            runs[index].bytes = run.bytes
            runs[index].bytesAdded = run.bytesAdded
        }
        return runs
    }

    /// The steps of backup or restore job `id` of deployment `name` (the newest backup job when nil)
    /// after `after`, as JSON lines, until its final step.
    public func progress(_ name: String, job id: String?, after: Int64) async throws -> ResponseBody {
        let resource = try await coordinator.deployments.get(name)
        let backups = BackupMachine.subject(of: resource.id)
        let job: JobRecord?
        if let id {
            job = try await jobs.store.job(id).flatMap { $0.subject == backups || ($0.subject == resource.id && $0.kind == RestoreMachine.kind) ? $0 : nil }
        } else {
            job = try await jobs.store.jobs(JobFilter(subject: backups, kind: BackupMachine.kind, limit: 1)).first
        }
        guard let job else {
            throw HomelabError.notFound(id.map { "\(resource.name) has no backup or restore job \($0)" } ?? "\(resource.name) has not been backed up by a job yet",
                                        context: ["deployment": resource.name])
        }
        let store = jobs.store, subject = job.subject
        return ResponseBody { writer in
            var last = after
            while true {
                // Read before the steps: a job that ended meanwhile has its final step among them.
                let ended = try await store.job(job.id)?.outcome != nil
                let steps = try await store.steps(of: subject, after: last)
                for step in steps where step.jobID == job.id {
                    var data = try WireCoding.encoder.encode(JobStepResource(seq: step.seq, time: step.time, state: step.state, component: step.component,
                                                                             message: step.message, final: step.final ? true : nil))
                    data.append(UInt8(ascii: "\n"))
                    try await writer.write(ByteBuffer(bytes: data))
                    if step.final { break }
                }
                last = steps.last?.seq ?? last
                if ended || steps.contains(where: { $0.jobID == job.id && $0.final }) { break }
                try await Task.sleep(for: Self.pollInterval)
            }
            try await writer.finish(nil)
        }
    }

    /// A job as the API shows it.
    static func resource(_ job: JobRecord, name: String) -> JobResource {
        JobResource(id: job.id, kind: job.kind.rawValue, subject: job.subject, subjectName: name, state: job.state, outcome: job.outcome?.rawValue,
                    failure: job.failure, createdAt: job.createdAt, updatedAt: job.updatedAt)
    }
}
