import Foundation
import Logging
import Protocol
import ServiceLifecycle

/// Starts the scheduled backups: every `interval`, each deployment whose policy's latest scheduled time
/// has no backup job since (or only failed ones, after their backoff) gets one. Missed times (the
/// controller was down) make one backup, not one each. A failed scheduled backup is in the activity
/// feed (`backup.failed`) and tried again; the alerts' `backup-failed` rule hears of it.
struct BackupScheduler: Service {
    let jobs: BackupJobs
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await tick(now: Date())
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Submits the backups due at `now`; returns the deployments it submitted.
    @discardableResult
    func tick(now: Date, calendar: Calendar = .current) async -> [String] {
        do {
            guard try await jobs.coordinator.targets.exist() else { return [] }
            let policies = try await jobs.policies.all()
            var started: [String] = []
            for deployment in try await jobs.coordinator.deployments.list() where [.running, .stopped].contains(deployment.state) {
                guard let (_, schedule, jitter) = BackupPolicies.schedule(of: policies[deployment.id] ?? BackupPolicySpec(), id: deployment.id) else { continue }
                let earlier = try await jobs.jobs.store.jobs(JobFilter(subject: BackupMachine.subject(of: deployment.id), kind: BackupMachine.kind, limit: 20))
                let due = BackupPolicies.isDue(latestDue: BackupPolicies.latestDue(schedule, jitter: jitter, atOrBefore: now, calendar: calendar),
                                               createdAt: deployment.createdAt,
                                               attempts: earlier.map { ($0.createdAt, $0.outcome.map { $0 == .succeeded }) }, now: now)
                guard due, !(try await jobs.coordinator.subjects(deployment.name).1.isEmpty) else { continue }
                do {
                    _ = try await jobs.backup(deployment.name, BackupNowRequest())
                    started.append(deployment.name)
                } catch {
                    logger.notice("scheduled backup of \(deployment.name) not started: \(HomelabError.shown(error, logger: logger).message)")
                }
            }
            return started
        } catch {
            logger.warning("looking for scheduled backups failed: \(error)")
            return []
        }
    }
}
