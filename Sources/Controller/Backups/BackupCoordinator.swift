import Foundation
import GRDB
import Logging
import Protocol

/// Runs one backup, one restore or one check through the agents and returns the outcome, or an
/// error with the agent's stable code. Plain async functions with no state of their own: the jobs
/// (schedules, retries, the restore that swaps volumes) call them and keep their own state. A run
/// survives a dropped link and a restarted controller: it is started by id on the agent, which runs
/// it apart from the connection; calling again with the same run id attaches to it.
public struct BackupCoordinator: Sendable {
    let store: Store
    let registry: DeviceRegistry
    let deployments: DeploymentService
    /// The targets, repositories and grants.
    public let targets: BackupTargets
    /// How long a run waits for its device to come back when the link drops.
    let deviceWait: Duration
    /// The controller's state directory, where its own restic keeps its cache.
    let stateDirectory: URL
    let logger: Logger

    /// A new run id.
    public static func runID(now: Date = Date()) -> String {
        let stamp = Int(now.timeIntervalSince1970)
        return "\(String(stamp, radix: 36))-\(Secrets.randomHex(bytes: 4))"
    }

    /// Backs up one component of deployment `app` (the only one when nil) into the app's repository
    /// on `target` (the only target when nil).
    public func backup(_ app: String, component: String? = nil, target targetName: String? = nil, run: String = runID(),
                       inactivitySeconds: Int? = nil) async throws -> BackupRunResult {
        let (resource, secret) = try await deployment(app)
        let subject = try await BackupSubject.of(resource, secret, component: component, registry: registry)
        let target = try await targets.resolve(targetName)
        let repository = try await targets.repository(app: resource.name, name: "apps/\(resource.name)", on: target)
        try await targets.grant(repository, to: subject.deviceID, on: target)
        let access = try await targets.access(repository, on: target, from: subject.deviceID)
        let request = BackupStart(run: run, app: resource.name, component: subject.multiComponent ? subject.component : nil,
                                  project: subject.project, host: subject.deviceName, volumes: subject.volumes, startOrder: subject.startOrder,
                                  plan: subject.plan, repository: access, inactivitySeconds: inactivitySeconds)
        let status = try await drive(device: subject.deviceID, run: run) { try await registry.ask(subject.deviceID, request) }
        return BackupRunResult(run: run, app: resource.name, component: subject.component, device: subject.deviceName,
                               target: target.deviceName, repository: repository.name, status: status)
    }

    /// Restores backup run `backupRun` of one component into fresh volumes on `device` (default:
    /// where the component runs now), named `volumes` (default `PROJECT_KEY_restored_RUN`). The
    /// volumes in use are left alone: swapping them in is the restore job's step.
    public func restore(_ app: String, backupRun: String, component: String? = nil, to deviceName: String? = nil,
                        volumes names: [String: String]? = nil, target targetName: String? = nil, run: String = runID(),
                        inactivitySeconds: Int? = nil) async throws -> BackupRunResult {
        let (resource, secret) = try await deployment(app)
        let subject = try await BackupSubject.of(resource, secret, component: component, registry: registry)
        let device = try await registry.get(deviceName ?? subject.deviceID)
        let target = try await targets.resolve(targetName)
        let repository = try await repositoryRecord(app: resource.name, on: target)
        try await targets.grant(repository, to: device.id, on: target)
        let access = try await targets.access(repository, on: target, from: device.id)
        let suffix = String(run.filter { $0 != "-" }.suffix(8))
        let fresh = names ?? Dictionary(uniqueKeysWithValues: subject.volumes.map { ($0, "\(subject.project)_\($0)_restored_\(suffix)") })
        let request = RestoreStart(run: run, app: resource.name, backupRun: backupRun, project: subject.project, volumes: fresh,
                                   repository: access, inactivitySeconds: inactivitySeconds)
        let status = try await drive(device: device.id, run: run) { try await registry.ask(device.id, request) }
        return BackupRunResult(run: run, app: resource.name, component: subject.component, device: device.name,
                               target: target.deviceName, repository: repository.name, status: status)
    }

    /// Checks the app's repository (`restic check`, reading `readData` of its packs) on the target
    /// device itself, where the data is.
    public func check(_ app: String, readData: String? = "5%", target targetName: String? = nil, run: String = runID(),
                      inactivitySeconds: Int? = nil) async throws -> BackupRunResult {
        let target = try await targets.resolve(targetName)
        let repository = try await repositoryRecord(app: app, on: target)
        let access = try await targets.access(repository, on: target, from: target.deviceID)
        let request = CheckStart(run: run, repository: access, readData: readData, inactivitySeconds: inactivitySeconds)
        let status = try await drive(device: target.deviceID, run: run) { try await registry.ask(target.deviceID, request) }
        return BackupRunResult(run: run, app: app, component: nil, device: target.deviceName, target: target.deviceName,
                               repository: repository.name, status: status)
    }

    /// The snapshots of the app's repository, read on the target device.
    public func snapshots(_ app: String, target targetName: String? = nil) async throws -> [SnapshotInfo] {
        let target = try await targets.resolve(targetName)
        let repository = try await repositoryRecord(app: app, on: target)
        let access = try await targets.access(repository, on: target, from: target.deviceID)
        return try await registry.ask(target.deviceID, SnapshotList(repository: access, app: app), timeout: .seconds(300))
    }

    /// Forgets every snapshot of the backup `runs` (with `prune`, and the data only they used), run
    /// by the controller itself with its prune identity, the only one a REST target lets delete.
    /// A run that never finished, one past its retention: the jobs decide which.
    public func forget(_ app: String, runs: [String], prune: Bool = false, target targetName: String? = nil) async throws -> [String] {
        let target = try await targets.resolve(targetName)
        guard target.kind == .rest else {
            throw HomelabError(.backupTargetLocal, "\(target.deviceName)'s backup folder is local to it: the controller cannot reach it to forget")
        }
        let repository = try await repositoryRecord(app: app, on: target)
        let access = try await targets.access(repository, on: target, from: nil)
        return try await ControllerRestic(stateDirectory: stateDirectory, executable: nil).with(access, as: targets.prune) { restic, repository in
            let doomed = try await restic.snapshots(repository, tags: ["app=\(app)"]).filter { runs.contains($0.tag("run") ?? "") }.map(\.id)
            try? await restic.unlock(repository)
            try await restic.forget(repository, snapshots: doomed, prune: prune)
            return doomed
        }
    }

    /// Deployment `app` and what a backup of each of its components with volumes covers.
    func subjects(_ app: String) async throws -> (DeploymentResource, [BackupSubject]) {
        let (resource, secret) = try await deployment(app)
        var subjects: [BackupSubject] = []
        for component in resource.components {
            let subject = try await BackupSubject.of(resource, secret, component: component.name, registry: registry)
            if !subject.volumes.isEmpty { subjects.append(subject) }
        }
        return (resource, subjects)
    }

    /// Deployment `app` as the API shows it, with its sealed part opened.
    private func deployment(_ app: String) async throws -> (DeploymentResource, DeploymentPrivate) {
        let (record, _, secret) = try await deployments.parts.load(app)
        return (try await deployments.parts.resource(record), secret)
    }

    private func repositoryRecord(app: String, on target: BackupTargetRecord) async throws -> BackupRepositoryRecord {
        guard let found = try await repository(app: app, on: target) else { throw HomelabError.notFound("\(app) has no backups on \(target.deviceName)") }
        return found
    }

    /// The app's repository on `target`, if it has one.
    func repository(app: String, on target: BackupTargetRecord) async throws -> BackupRepositoryRecord? {
        try await store.read { db in
            try BackupRepositoryRecord.filter(Column("targetDeviceID") == target.deviceID && Column("app") == app).fetchOne(db)
        }
    }

    // MARK: Driving a run

    /// Starts (or attaches to) a run and follows it to its end. There is no overall deadline: the
    /// agent stops a run that makes no headway. A dropped link is waited out for ``deviceWait``,
    /// then the run is asked for again by its id.
    private func drive(device: String, run: String, start: @Sendable () async throws -> RunStatus) async throws -> RunStatus {
        var status = try await start()
        while status.state == .running {
            do {
                status = try await registry.ask(device, RunWait(run: run, seconds: 20), timeout: .seconds(60))
            } catch let error as HomelabError where error.isDeviceUnreachable {
                logger.notice("run \(run): \(error.message); waiting up to \(deviceWait) for the device")
                status = try await reattach(device, start)
            }
        }
        if status.state == .failed {
            throw status.error ?? HomelabError(.internal, "the run failed without a reason")
        }
        return status
    }

    /// Asks for the run again once the device is back, within ``deviceWait``. The session found may
    /// still be the dropped one (its close not yet noticed): a start that fails so is tried again.
    private func reattach(_ device: String, _ start: @Sendable () async throws -> RunStatus) async throws -> RunStatus {
        let deadline = ContinuousClock.now + deviceWait
        while true {
            do {
                _ = try await registry.session(of: device)
                return try await start()
            } catch let error as HomelabError where error.isDeviceUnreachable && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }
}
