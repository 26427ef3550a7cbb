@testable import Controller
import Foundation
import Protocol
import Testing
import TestSupport

/// The `backup-prune-failing` rule over stored backup jobs (real machines driven to their end, no agents).
@Suite("The backup-prune-failing alert rule")
struct BackupPruneAlertTests {
    enum Retention { case applied, failed, local }

    /// A backup job of deployment `id` that succeeded at `time`, its retention ended as `retention`.
    static func job(of id: String, _ name: String, at time: Date, _ retention: Retention) throws -> JobRecord {
        var machine = BackupMachine(deploymentID: id, name: name, target: "nas", parts: [.init(component: "app", device: "box", run: "r")],
                                    retention: BackupRetention())
        _ = machine.start()
        _ = machine.handle(.backedUp(.init(component: "app", run: "r", snapshots: 3, files: 4, bytes: 4096, bytesAdded: 512, downtimeSeconds: nil)))
        switch retention {
        case .applied: _ = machine.handle(.retained(forgotten: ["old"], problem: nil))
        case .failed: _ = machine.handle(.failed(HomelabError(.repositoryLocked, "the repository is locked by another process")))
        case .local: _ = machine.handle(.retained(forgotten: [], problem: "nas's backup folder is local to it, where the controller cannot prune"))
        }
        try #require(machine.outcome == .succeeded, "a retention that fails leaves the backup standing")
        return JobRecord(id: UUID().uuidString.lowercased(), kind: BackupMachine.kind, subject: machine.subject, machine: try WireCoding.encoder.encode(machine),
                         state: machine.stateName, subjectState: nil, outcome: .succeeded, failure: nil, createdAt: time, updatedAt: time)
    }

    @Test("fires once an app's last 3 backups each failed to prune, naming the reason; 2 are not enough; a backup whose retention applies resolves it; a local target's skipped prune never counts")
    func firesAndResolves() async throws {
        try await TestController.with { controller in
            let context = controller.app.context
            let start = Date().addingTimeInterval(-86_400)
            for (id, name) in [("d-locked", "photos"), ("d-local", "notes")] {
                try await context.storeDeployment(DeploymentResource(id: id, name: name, recipe: name, recipeVersion: "1", category: "other", state: .running,
                                                                     components: [], inputs: [:], url: nil, exposed: false, error: nil, createdAt: start, updatedAt: start))
            }
            var clock = start
            func add(_ id: String, _ name: String, _ retention: Retention) async throws {
                clock = clock.addingTimeInterval(60)
                _ = try await context.jobs.store.insert(try Self.job(of: id, name, at: clock, retention), steps: [])
            }
            let conditions = AlertConditions(registry: context.registry, deployments: context.deployments, insights: context.insights, backups: context.backups)
            let rules = [("prune", AlertRuleSpec(kind: .backupPruneFailing))]
            try await add("d-locked", "photos", .applied)
            for _ in 0..<3 { try await add("d-local", "notes", .local) }
            for _ in 0..<2 { try await add("d-locked", "photos", .failed) }
            #expect(try await conditions.evaluate(rules, firing: [], now: Date()).isEmpty, "two failed prunes, and a local target's skipped ones")
            try await add("d-locked", "photos", .failed)
            let fired = try await conditions.evaluate(rules, firing: [], now: Date())
            #expect(fired.map(\.subject) == ["photos"] && fired.first?.title == "Old backups of photos are not pruned", "\(fired)")
            #expect(fired.first?.message.contains("locked by another process") == true && fired.first?.message.contains("on nas") == true, "\(fired)")
            #expect(try await conditions.evaluate([("prune", AlertRuleSpec(kind: .backupPruneFailing, deployment: "notes"))], firing: [], now: Date()).isEmpty,
                    "a rule for another app")
            try await add("d-locked", "photos", .applied)
            #expect(try await conditions.evaluate(rules, firing: [], now: Date()).isEmpty, "the last backup pruned")
            let (rule, created) = try await context.alerts.putRule("prune", AlertRuleSpec(kind: .backupPruneFailing))
            #expect(created && rule.spec.kind == .backupPruneFailing)
            await #expect(throws: HomelabError.self) { _ = try await context.alerts.putRule("bad", AlertRuleSpec(kind: .backupPruneFailing, above: 3)) }
        }
    }
}
