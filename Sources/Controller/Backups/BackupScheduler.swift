import Foundation
import Logging
import Protocol
import ServiceLifecycle

/// Starts the scheduled backups: every `interval`, each deployment whose policy's latest scheduled time
/// has no backup job since (or only failed ones, after their backoff) gets one. Missed times (the
/// controller was down) make one backup, not one each. A failed scheduled backup is in the activity
/// feed (`backup.failed`) and tried again; the alerts' `backup-failed` rule hears of it. It also checks
/// each app's repository weekly (``checks(now:)``).
struct BackupScheduler: Service {
    let jobs: BackupJobs
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await tick(now: Date())
                await checks(now: Date())
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// How long after a repository's last check it is checked again.
    static let checkInterval: TimeInterval = 7 * 86_400
    /// How long after a check that could not reach its target it is tried again.
    static let checkRetry: TimeInterval = 3600

    /// Starts a check (``BackupCheckMachine``, 5 % of the data read) of one repository that is due at `now`,
    /// the one checked longest ago: an app's is due once it has a successful backup and its last check is a week
    /// old (an hour when that check could not reach the target). One per call, so checks spread over the ticks
    /// instead of loading the target at once. Returns the deployments it started a check of.
    @discardableResult
    func checks(now: Date) async -> [String] {
        do {
            let store = jobs.jobs.store
            var due: [(name: String, since: Date)] = []
            for deployment in try await jobs.coordinator.deployments.list() {
                let subject = BackupMachine.subject(of: deployment.id)
                guard let backup = try await store.jobs(JobFilter(subject: subject, kind: BackupMachine.kind, outcome: .succeeded, limit: 1)).first else { continue }
                let last = try await store.jobs(JobFilter(subject: subject, kind: BackupCheckMachine.kind, limit: 1)).first
                if let last {
                    guard last.outcome != nil else { continue }
                    let wait = last.failure?.isDeviceUnreachable == true ? Self.checkRetry : Self.checkInterval
                    guard now.timeIntervalSince(last.createdAt) >= wait else { continue }
                }
                due.append((deployment.name, last?.createdAt ?? backup.createdAt))
            }
            for candidate in due.sorted(by: { $0.since < $1.since }) {
                do {
                    _ = try await jobs.check(candidate.name, BackupCheckRequest())
                    return [candidate.name]
                } catch {
                    // Asked again each minute while it cannot start (a backup under way, its target removed): not a notice each time.
                    logger.debug("scheduled check of \(candidate.name)'s backups not started: \(HomelabError.shown(error, logger: logger).message)")
                }
            }
            return []
        } catch {
            logger.warning("looking for backups to check failed: \(error)")
            return []
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
