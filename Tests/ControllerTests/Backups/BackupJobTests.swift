@testable import Controller
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Protocol
import Testing
import TestSupport

/// Backup jobs end to end through the API's routes: the job → the coordinator → the source agent (a
/// real process) → real restic → the target agent's REST server; the runs read back from the target.
@Suite("Backup jobs (real agents, restic and dockerd)", .serialized, .timeLimit(.minutes(8)),
       .enabled(if: DockerForControllerTests.enabled && Prerequisite.runs(with: "/usr/bin/restic")))
struct BackupJobTests {
    static func unique(_ prefix: String) -> String { "\(prefix)-\(String(UInt32.random(in: .min ... .max), radix: 16))" }

    @Test("POST …/backups runs a job whose steps stream to the end; the run is listed with its size; retention forgets the oldest of 4 runs (keep-last 3); the app runs")
    func backupJobAndRetention() async throws {
        try await BackupHarness.with { harness in
            let app = Self.unique("job")
            _ = try await harness.deploy("backup-files", as: app)
            try BackupHarness.inVolume("\(app)_data", "dd if=/dev/urandom of=/v/random.bin bs=1024 count=4096 2>/dev/null")
            let admin = try #require(harness.controller.app.newAdminToken)
            let (router, _) = APIRoutes(controller: harness.controller.app.context).makeRouter()
            try await Application(router: router).test(.router) { client in
                var runs: [String] = []
                for round in 0..<4 {
                    let accepted = try await Self.post(client, "/v1/deployments/\(app)/backups", token: admin)
                    #expect(accepted.job.kind == "backup" && accepted.job.subjectName == app)
                    let steps = try await Self.steps(client, accepted.progress, token: admin)
                    #expect(steps.first?.message == "Backing up \(app) to nas", "\(steps.map(\.message))")
                    #expect(steps.last?.final == true && steps.last?.message == "Backed up \(app) to nas" && steps.last?.state == "done", "\(steps.map(\.message))")
                    #expect(steps.contains { $0.message.hasPrefix("app: 3 snapshots of") }, "volume, volume, manifest: \(steps.map(\.message))")
                    #expect(steps.contains { $0.message.contains("the app stopped for") }, "stop mode: \(steps.map(\.message))")
                    let job = try #require(try await harness.controller.app.context.jobs.store.job(accepted.job.id))
                    let id = try await harness.controller.app.context.deployments.get(app).id
                    #expect(job.outcome == .succeeded && job.subject == "backup:\(id)")
                    let made = try WireCoding.decoder.decode(BackupMachine.self, from: job.machine).parts.map(\.run)
                    runs += made
                    if round == 3 {
                        #expect(steps.contains { $0.message == "Retention: forgot 1 older run (\(runs[0]))" }, "\(steps.map(\.message))")
                    } else {
                        #expect(steps.contains { $0.message == "Retention: nothing to forget" }, "\(steps.map(\.message))")
                    }
                    #expect(DockerCLI.state(of: "\(app)-app-1") == "running", "the app runs again after the backup")
                }
                let listed = try await Self.get(client, "/v1/deployments/\(app)/backups", token: admin, as: ListResponse<BackupRunEntry>.self).items
                #expect(listed.map(\.run) == runs.suffix(3).reversed(), "newest first, the oldest forgotten")
                #expect(listed.allSatisfy { $0.complete && $0.items == ["volume:config", "volume:data"] && $0.device == "box" })
                #expect(listed.allSatisfy { ($0.bytes ?? 0) >= 4 << 20 && $0.bytesAdded != nil && $0.files != nil }, "\(listed)")
                #expect((listed.last?.bytesAdded ?? 0) < (listed.first?.bytes ?? 0), "a second backup of unchanged data adds little")
                // A deployment that does not exist is a 404.
                try await client.execute(uri: "/v1/deployments/nothing-here/backups", method: .post, headers: Self.auth(admin), body: ByteBuffer(string: "{}")) {
                    #expect($0.status == .notFound)
                }
            }
            let feed = try await harness.controller.app.context.store.read { db in
                try EventRecord.filter(Column("deployment") == app && Column("type") == "backup.succeeded").fetchCount(db)
            }
            #expect(feed == 4, "each backup is in the activity feed")
            let context = harness.controller.app.context
            let open = AlertRecord(id: 1, rule: "backups", kind: "backup-failed", fingerprint: "backups/\(app)", subject: app, severity: "warning",
                                   state: "firing", title: "t", message: "m", firedAt: Date(), resolvedAt: nil, notified: true)
            let conditions = try await AlertConditions(registry: context.registry, deployments: context.deployments, insights: context.insights, backups: context.backups)
                .evaluate([("backups", AlertRuleSpec(kind: .backupFailed))], firing: [open], now: Date())
            #expect(conditions.isEmpty, "a backup-failed alert resolves once a backup of the app succeeded: \(conditions)")
        }
    }

    @Test("a backup that fails (pg_dump exits 1) ends the job failed with the agent's code, in the activity feed; the app runs; a second backup while one runs is refused")
    func failedBackupJob() async throws {
        try await BackupHarness.with { harness in
            let app = Self.unique("jobpg")
            _ = try await harness.deploy("backup-fakepg", as: app)
            let jobs = harness.controller.app.context.backupJobs
            let accepted = try await jobs.backup(app, BackupNowRequest())
            await #expect(throws: HomelabError.self, "one backup of an app at a time") { _ = try await jobs.backup(app, BackupNowRequest()) }
            let job = try await Self.ended(accepted.job.id, harness)
            #expect(job.outcome == .failed && job.failure?.code == "backup_dump_failed", "\(String(describing: job.failure))")
            #expect(job.failure?.context?["deployment"] == app)
            #expect(DockerCLI.state(of: "\(app)-db-1") == "running")
            let state = try await harness.controller.app.context.deployments.get(app).state
            #expect(state == .running, "a failed backup leaves the deployment's state alone")
            let feed = try await harness.controller.app.context.store.read { db in
                try EventRecord.filter(Column("deployment") == app && Column("type") == "backup.failed").fetchAll(db)
            }
            #expect(feed.count == 1 && feed.first?.message.contains("exited 1") == true, "\(feed.map(\.message))")
            await #expect(throws: HomelabError.self) { _ = try await jobs.backup(app, BackupNowRequest(target: "no-such-target")) }

            // The backup-failed rule: fires on the recorded failure, and stays open while the app has no good backup.
            let context = harness.controller.app.context
            let conditions = AlertConditions(registry: context.registry, deployments: context.deployments, insights: context.insights, backups: context.backups)
            let rules = [("backups", AlertRuleSpec(kind: .backupFailed))]
            let fired = try await conditions.evaluate(rules, firing: [], now: Date())
            #expect(fired.map(\.subject) == [app] && fired.first?.title == "A backup job of \(app) failed", "\(fired)")
            let open = AlertRecord(id: 1, rule: "backups", kind: "backup-failed", fingerprint: "backups/\(app)", subject: app, severity: "warning",
                                   state: "firing", title: "t", message: "m", firedAt: Date(), resolvedAt: nil, notified: true)
            #expect(try await conditions.evaluate(rules, firing: [open], now: Date()).map(\.subject) == [app], "still no successful backup")
        }
    }

    @Test("a controller stopped mid-backup resumes the job at start: it attaches to the agent's run by its id, and the job succeeds with that one run")
    func resumedAfterRestart() async throws {
        try await BackupHarness.with { harness in
            let app = Self.unique("jobrs")
            _ = try await harness.deploy("backup-files", as: app)
            try BackupHarness.inVolume("\(app)_data", "dd if=/dev/urandom of=/v/random.bin bs=1024 count=65536 2>/dev/null")
            let accepted = try await harness.controller.app.context.backupJobs.backup(app, BackupNowRequest())
            try await Task.sleep(for: .milliseconds(500))
            try await harness.restartController()
            let job = try await Self.ended(accepted.job.id, harness)
            #expect(job.outcome == .succeeded, "\(String(describing: job.failure))")
            let steps = try await harness.controller.app.context.jobs.store.steps(of: job.subject, after: 0).map(\.message)
            #expect(steps.contains("Resumed after the controller restarted"), "the job was under way when the controller stopped: \(steps)")
            let machine = try WireCoding.decoder.decode(BackupMachine.self, from: job.machine)
            let runs = try await harness.controller.app.context.backupJobs.runs(app)
            #expect(runs.map(\.run) == machine.parts.map(\.run) && runs.allSatisfy(\.complete), "one run, the one the job started: \(runs)")
            #expect(DockerCLI.state(of: "\(app)-app-1") == "running")
        }
    }

    @Test("the policy: set and read back through the API's service; a scheduled backup starts once when due (with the policy's target and retention), not again after it succeeded")
    func scheduledBackup() async throws {
        try await BackupHarness.with { harness in
            let app = Self.unique("sched")
            _ = try await harness.deploy("backup-files", as: app)
            let jobs = harness.controller.app.context.backupJobs
            let standard = try await jobs.policy(app)
            #expect(standard.isDefault && standard.schedule == "0 3 * * *" && standard.nextRunAt != nil)
            await #expect(throws: HomelabError.self) { _ = try await jobs.setPolicy(app, BackupPolicySpec(schedule: "every day")) }
            await #expect(throws: HomelabError.self) { _ = try await jobs.setPolicy(app, BackupPolicySpec(target: "no-such-target")) }
            let (schedule, time) = Self.dueSoon()
            let set = try await jobs.setPolicy(app, BackupPolicySpec(schedule: schedule, target: "nas",
                                                                     retention: BackupRetention(keepLast: 1, keepDaily: 0, keepWeekly: 0, keepMonthly: 0)))
            #expect(!set.isDefault && set.jitterMinutes == 0 && set.target == "nas" && set.schedule == schedule)
            try #require(set.nextRunAt == time, "next run at \(String(describing: set.nextRunAt)), asked for \(time)")
            var read = try await jobs.policy(app)
            read.nextRunAt = set.nextRunAt  // a minute may have passed between the two
            #expect(read == set)

            let context = harness.controller.app.context
            let conditions = AlertConditions(registry: context.registry, deployments: context.deployments, insights: context.insights, backups: context.backups)
            let overdue = [("stale", AlertRuleSpec(kind: .backupOverdue))]
            #expect(try await conditions.evaluate(overdue, firing: [], now: Date()).isEmpty, "just deployed: nothing missed yet")
            let never = try await conditions.evaluate(overdue, firing: [], now: Date().addingTimeInterval(2.5 * 86_400))
            #expect(never.map(\.subject) == [app] && never.first?.message.contains("never been backed up") == true
                    && never.first?.message.contains("3 scheduled times") == true, "its time a minute after it was made, then two days: \(never)")

            let scheduler = BackupScheduler(jobs: jobs, interval: .seconds(60), logger: harness.controller.app.logger)
            #expect(await scheduler.tick(now: Date()).isEmpty || Date() >= set.nextRunAt!, "not due before its time")
            try await Task.sleep(for: .seconds(max(0, set.nextRunAt!.timeIntervalSinceNow) + 1))
            #expect(await scheduler.tick(now: Date()) == [app])
            #expect(await scheduler.tick(now: Date()).isEmpty, "one backup under way for that time")
            let id = try await harness.controller.app.context.deployments.get(app).id
            let job = try #require(try await harness.controller.app.context.jobs.store.jobs(JobFilter(subject: "backup:\(id)")).first)
            let ended = try await Self.ended(job.id, harness)
            #expect(ended.outcome == .succeeded)
            #expect(try WireCoding.decoder.decode(BackupMachine.self, from: ended.machine).retention.keepLast == 1, "the policy's retention")
            #expect(await scheduler.tick(now: Date()).isEmpty, "done for that time")
            #expect(try await conditions.evaluate(overdue, firing: [], now: Date().addingTimeInterval(1.2 * 86_400)).isEmpty,
                    "one scheduled time since the success")
            let late = try await conditions.evaluate(overdue, firing: [], now: Date().addingTimeInterval(2.2 * 86_400))
            #expect(late.map(\.subject) == [app] && late.first?.message.contains("last successful backup was about 2 days ago") == true, "\(late)")
            _ = try await jobs.setPolicy(app, BackupPolicySpec(schedule: "* * * * *", enabled: false))
            #expect(await scheduler.tick(now: Date().addingTimeInterval(120)).isEmpty, "disabled")
            #expect(try await conditions.evaluate(overdue, firing: [], now: Date().addingTimeInterval(3 * 86_400)).isEmpty, "backups off: not overdue")

            // The target's disk, measured by its agent: any use is above 0 %, none can be above 100 %.
            let full = try await conditions.evaluate([("space", AlertRuleSpec(kind: .backupTargetFull, above: 0))], firing: [], now: Date())
            #expect(full.map(\.subject) == ["nas"] && full.first?.message.contains("free of") == true
                    && full.first?.message.contains(harness.targetPath.path) == true, "\(full)")
            #expect(try await conditions.evaluate([("space", AlertRuleSpec(kind: .backupTargetFull, above: 100))], firing: [], now: Date()).isEmpty)
            #expect(try await conditions.evaluate([("space", AlertRuleSpec(kind: .backupTargetFull, device: "box", above: 0))], firing: [], now: Date()).isEmpty,
                    "box is no target")
            let (rule, _) = try await context.alerts.putRule("space", AlertRuleSpec(kind: .backupTargetFull, above: 85))
            #expect(rule.spec.above == 85)
            for bad in [AlertRuleSpec(kind: .backupTargetFull, above: 150), AlertRuleSpec(kind: .backupTargetFull, metric: .disk),
                        AlertRuleSpec(kind: .backupOverdue, above: 50)] {
                await #expect(throws: HomelabError.self, "\(bad)") { _ = try await context.alerts.putRule("bad", bad) }
            }
        }
    }

    @Test("target offline when a scheduled backup is due: the job fails naming it without stopping the app, is in the feed, is retried after its backoff, and succeeds once the target is back")
    func scheduledWhileTargetOffline() async throws {
        try await BackupHarness.with { harness in
            let app = Self.unique("offl")
            _ = try await harness.deploy("backup-files", as: app)
            let context = harness.controller.app.context
            let (schedule, time) = Self.dueSoon()
            let policy = try await context.backupJobs.setPolicy(app, BackupPolicySpec(schedule: schedule))
            try #require(policy.nextRunAt == time, "next run at \(String(describing: policy.nextRunAt)), asked for \(time)")
            let scheduler = BackupScheduler(jobs: context.backupJobs, interval: .seconds(60), logger: harness.controller.app.logger)
            let started = DockerCLI.lines(["inspect", "\(app)-app-1", "--format", "{{.State.StartedAt}}"])
            try await harness.restartTarget {
                try await Task.sleep(for: .seconds(max(0, policy.nextRunAt!.timeIntervalSinceNow) + 1))
                #expect(await scheduler.tick(now: Date()) == [app])
                let id = try await context.deployments.get(app).id
                let job = try #require(try await context.jobs.store.jobs(JobFilter(subject: "backup:\(id)")).first)
                let failed = try await Self.ended(job.id, harness)
                #expect(failed.outcome == .failed && failed.failure?.code == .deviceOffline && failed.failure?.message.contains("nas") == true,
                        "\(String(describing: failed.failure))")
                #expect(await scheduler.tick(now: Date()).isEmpty, "retried only after its backoff")
            }
            #expect(DockerCLI.lines(["inspect", "\(app)-app-1", "--format", "{{.State.StartedAt}}"]) == started, "the app was never stopped")
            let feed = try await context.store.read { db in
                try EventRecord.filter(Column("deployment") == app && Column("type") == "backup.failed").fetchCount(db)
            }
            #expect(feed == 1)
            #expect(await scheduler.tick(now: Date().addingTimeInterval(61)) == [app], "the backoff passed")
            let id = try await context.deployments.get(app).id
            let retry = try #require(try await context.jobs.store.jobs(JobFilter(subject: "backup:\(id)")).first)
            #expect(try await Self.ended(retry.id, harness).outcome == .succeeded)
        }
    }

    @Test("checks: after an app's first successful backup, then weekly, one repository at a time; a pack corrupted on the target fails a full check through the API with the damage named, in the feed and the backup-failed alert, which a later successful backup does not resolve")
    func checkJobs() async throws {
        try await BackupHarness.with { harness in
            let app = Self.unique("chk")
            _ = try await harness.deploy("backup-files", as: app)
            try BackupHarness.inVolume("\(app)_data", "dd if=/dev/urandom of=/v/random.bin bs=1024 count=4096 2>/dev/null")
            let context = harness.controller.app.context, jobs = context.backupJobs
            let scheduler = BackupScheduler(jobs: jobs, interval: .seconds(60), logger: harness.controller.app.logger)
            #expect(await scheduler.checks(now: Date()).isEmpty, "nothing backed up: nothing to check")
            await #expect(throws: HomelabError.self, "no backups to check") { _ = try await jobs.check(app, BackupCheckRequest()) }
            #expect(try await Self.ended(try await jobs.backup(app, BackupNowRequest()).job.id, harness).outcome == .succeeded)

            #expect(await scheduler.checks(now: Date()) == [app], "checked once it has a backup")
            #expect(await scheduler.checks(now: Date()).isEmpty, "under way, or just done")
            let id = try await context.deployments.get(app).id
            let first = try #require(try await context.jobs.store.jobs(JobFilter(subject: "backup:\(id)", kind: BackupCheckMachine.kind)).first)
            let checked = try await Self.ended(first.id, harness)
            #expect(checked.outcome == .succeeded, "\(String(describing: checked.failure))")
            let steps = try await context.jobs.store.steps(of: checked.subject, after: 0).filter { $0.jobID == checked.id }.map(\.message)
            #expect(steps.last == "Checked the backups of \(app) on nas (its structure and 5 % of its data): no damage found", "\(steps)")
            #expect(await scheduler.checks(now: Date().addingTimeInterval(6 * 86_400)).isEmpty, "checked less than a week ago")
            #expect(await scheduler.checks(now: Date().addingTimeInterval(8 * 86_400)) == [app], "a week later")
            let weekly = try #require(try await context.jobs.store.jobs(JobFilter(subject: "backup:\(id)", kind: BackupCheckMachine.kind)).first)
            let weeklyEnded = try await Self.ended(weekly.id, harness)
            #expect(weekly.id != first.id && weeklyEnded.outcome == .succeeded)

            try harness.corruptPack(of: app)
            let admin = try #require(harness.controller.app.newAdminToken)
            let (router, _) = APIRoutes(controller: context).makeRouter()
            try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/v1/deployments/\(app)/backups/check", method: .post, headers: Self.auth(admin),
                                         body: ByteBuffer(string: #"{"readDataPercent":150}"#)) { #expect($0.status == .badRequest) }
                let accepted = try await client.execute(uri: "/v1/deployments/\(app)/backups/check", method: .post, headers: Self.auth(admin),
                                                        body: ByteBuffer(string: #"{"readDataPercent":100}"#)) { response in
                    try #require(response.status == .accepted, "\(response.status): \(String(buffer: response.body))")
                    return try WireCoding.decoder.decode(BackupAccepted.self, from: Data(response.body.readableBytesView))
                }
                #expect(accepted.job.kind == "backup-check" && accepted.job.subjectName == app)
                let steps = try await Self.steps(client, accepted.progress, token: admin)
                #expect(steps.first?.message == "Checking the backups of \(app) on nas: its structure and 100 % of its data", "\(steps.map(\.message))")
                #expect(steps.last?.final == true && steps.last?.state == "failed" && steps.last?.message.contains("is damaged") == true, "\(steps.map(\.message))")
                let job = try #require(try await context.jobs.store.job(accepted.job.id))
                #expect(job.failure?.code == "repository_check_failed" && job.failure?.context?["deployment"] == app, "\(String(describing: job.failure))")
            }
            let feed = try await context.store.read { db in
                try EventRecord.filter(Column("deployment") == app && Column("type").like("backup.check%")).order(Column("id")).fetchAll(db).map(\.type)
            }
            #expect(feed == ["backup.checked", "backup.checked", "backup.check-failed"])

            let conditions = AlertConditions(registry: context.registry, deployments: context.deployments, insights: context.insights, backups: context.backups)
            let rules = [("backups", AlertRuleSpec(kind: .backupFailed))]
            let fired = try await conditions.evaluate(rules, firing: [], now: Date())
            #expect(fired.map(\.subject) == [app] && fired.first?.message.contains("is damaged") == true, "\(fired)")
            #expect(await scheduler.checks(now: Date()).isEmpty, "a failed check is not repeated at once")
            #expect(try await Self.ended(try await jobs.backup(app, BackupNowRequest()).job.id, harness).outcome == .succeeded)
            let open = AlertRecord(id: 1, rule: "backups", kind: "backup-failed", fingerprint: "backups/\(app)", subject: app, severity: "warning",
                                   state: "firing", title: "t", message: "m", firedAt: Date(), resolvedAt: nil, notified: true)
            #expect(try await conditions.evaluate(rules, firing: [open], now: Date()).map(\.subject) == [app],
                    "a successful backup does not make a damaged repository whole")
        }
    }

    // MARK: Helpers

    /// A daily schedule whose time is the whole minute 30 to 90 s from now, and that time: later than the
    /// app's creation, and far enough ahead that setting the policy on a loaded machine does not pass it
    /// (a time already passed would make the next run tomorrow's).
    static func dueSoon() -> (schedule: String, at: Date) {
        let calendar = Calendar.current
        let at = calendar.dateInterval(of: .minute, for: Date().addingTimeInterval(90))!.start
        let parts = calendar.dateComponents([.hour, .minute], from: at)
        return ("\(parts.minute!) \(parts.hour!) * * *", at)
    }

    static func auth(_ token: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        headers[.contentType] = "application/json"
        return headers
    }

    static func post(_ client: some TestClientProtocol, _ uri: String, token: String) async throws -> BackupAccepted {
        try await client.execute(uri: uri, method: .post, headers: auth(token), body: ByteBuffer(string: "{}")) { response in
            try #require(response.status == .accepted, "\(response.status): \(String(buffer: response.body))")
            return try WireCoding.decoder.decode(BackupAccepted.self, from: Data(response.body.readableBytesView))
        }
    }

    static func get<T: Decodable>(_ client: some TestClientProtocol, _ uri: String, token: String, as type: T.Type) async throws -> T {
        try await client.execute(uri: uri, method: .get, headers: auth(token)) { response in
            try #require(response.status == .ok, "\(response.status): \(String(buffer: response.body))")
            return try WireCoding.decoder.decode(T.self, from: Data(response.body.readableBytesView))
        }
    }

    /// The job's steps from its progress stream, which ends with the job.
    static func steps(_ client: some TestClientProtocol, _ uri: String, token: String) async throws -> [JobStepResource] {
        try await client.execute(uri: uri, method: .get, headers: auth(token)) { response in
            try #require(response.status == .ok)
            return try String(buffer: response.body).split(separator: "\n").map { try WireCoding.decoder.decode(JobStepResource.self, from: Data($0.utf8)) }
        }
    }

    /// Job `id` once it ended (the controller now may be a restarted one).
    static func ended(_ id: String, _ harness: BackupHarness) async throws -> JobRecord {
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline {
            if let job = try await harness.controller.app.context.jobs.store.job(id), job.outcome != nil { return job }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestFailure("job \(id) did not end in 5 minutes")
    }
}
