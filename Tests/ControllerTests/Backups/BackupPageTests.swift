@testable import Controller
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Protocol
import Testing
import TestSupport

/// The app page's Backups panel driven as a browser drives it (session, CSRF), against real agents, restic and dockerd.
@Suite("The app page's backups (real agents, restic and dockerd)", .serialized, .timeLimit(.minutes(8)),
       .enabled(if: DockerForControllerTests.enabled && Prerequisite.runs(with: "/usr/bin/restic")))
struct BackupPageTests {
    @Test("the panel: the policy, Back up now runs a job listed with its sizes, Check the backups, a restore offered by run and refused unconfirmed, then done; a viewer sees the jobs and no form")
    func panel() async throws {
        try await BackupHarness.with { harness in
            let app = BackupJobTests.unique("page")
            _ = try await harness.deploy("backup-files", as: app)
            let context = harness.controller.app.context
            let admin = try #require(harness.controller.app.newAdminToken)
            let viewer = try await context.tokens.createAPIToken(CreateAPITokenRequest(name: "guest", role: .viewer))
            let id = try await context.deployments.get(app).id
            @Sendable func latest(_ kind: JobKind, subject: String) async throws -> JobRecord {
                let job = try #require(try await context.jobs.store.jobs(JobFilter(subject: subject, kind: kind, limit: 1)).first, "a \(kind) job")
                return try await BackupJobTests.ended(job.id, harness)
            }
            let (router, _) = APIRoutes(controller: context).makeRouter()
            try await Application(router: router).test(.router) { client in
                let web = try await WebClient.signedIn(client, token: admin)
                var page = try await web.get("/apps/\(app)").body
                #expect(page.contains("Daily at 03:") && page.contains("to the only target") && page.contains("Not backed up yet."), "\(page)")
                #expect(page.contains("Next scheduled backup <time"), "\(page)")
                #expect(page.contains(#"action="/apps/\#(app)/backup""#) && !page.contains("/backup-check"), "a check is offered once there is a backup")

                let posted = try await web.post("/apps/\(app)/backup")
                #expect(posted.status == .seeOther && posted.headers[.location] == "/apps/\(app)?notice=backup")
                let backup = try await latest(BackupMachine.kind, subject: BackupMachine.subject(of: id))
                #expect(backup.outcome == .succeeded, "\(String(describing: backup.failure))")
                let run = try #require(try WireCoding.decoder.decode(BackupMachine.self, from: backup.machine).parts.first?.run)
                page = try await web.get("/apps/\(app)?notice=backup").body
                #expect(page.contains("Backing up: the steps follow under Backups."))
                #expect(page.contains(#"<strong>Backup</strong> <span class="badge state-succeeded">succeeded</span>"#) && page.contains("to nas: "), "\(page)")
                #expect(page.contains(#"<option value="\#(run)">"#) && page.contains("(run \(run))"), "the run offered for a restore")

                #expect(try await web.post("/apps/\(app)/backup-check").status == .seeOther)
                #expect(try await latest(BackupCheckMachine.kind, subject: BackupMachine.subject(of: id)).outcome == .succeeded)
                page = try await web.get("/apps/\(app)").body
                #expect(page.contains("<strong>Check</strong>") && page.contains("nas: its structure and 5 % of its data read, no damage found"), "\(page)")

                let unconfirmed = try await web.post("/apps/\(app)/restore", ["run": run])
                #expect(unconfirmed.status == .badRequest && unconfirmed.body.contains("Confirm that \(app)"), "\(unconfirmed.status)")
                #expect(try await context.jobs.store.jobs(JobFilter(subject: id, kind: RestoreMachine.kind)).isEmpty, "nothing restored")
                #expect(try await web.post("/apps/\(app)/restore", ["run": run, "replace": "yes"]).status == .seeOther)
                #expect(try await latest(RestoreMachine.kind, subject: id).outcome == .succeeded)
                page = try await web.get("/apps/\(app)").body
                #expect(page.contains(#"<strong>Restore</strong> <span class="badge state-succeeded">succeeded</span>"#), "\(page)")

                let guest = try await WebClient.signedIn(client, token: viewer.token)
                let seen = try await guest.get("/apps/\(app)").body
                #expect(seen.contains("<strong>Backup</strong>") && !seen.contains(#"/backup""#) && !seen.contains("restore-run"), "\(seen)")
                #expect(try await guest.post("/apps/\(app)/backup").status == .forbidden)
            }
        }
    }
}

@Suite("The app page's backup words")
struct BackupPageWordsTests {
    @Test("a daily schedule reads as its time with the jitter added (past midnight too); any other as the cron text")
    func schedules() {
        #expect(AppBackupsView.when("0 3 * * *", jitter: 17) == "Daily at 03:17")
        #expect(AppBackupsView.when("50 23 * * *", jitter: 20) == "Daily at 00:10")
        #expect(AppBackupsView.when("0 */6 * * *", jitter: 0) == "On the schedule 0 */6 * * *")
        #expect(AppBackupsView.when("0 3 * * 1", jitter: 5) == "On the schedule 0 3 * * 1 plus 5 min")
    }
}
