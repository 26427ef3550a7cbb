@testable import Controller
import Foundation
import Protocol
import Testing
import TestSupport

@Suite("The migration-failed alert rule")
struct MigrationAlertTests {
    @Test("a migration failure recorded by its job fires the rule once; it stays open only while the deployment exists and its newest job is that failed migration")
    func firesAndResolves() async throws {
        try await TestController.with { controller in
            let context = controller.app.context
            await FailureLog(store: context.store).record(.migration, subject: "jellyfin", message: "Moving jellyfin (app) to nas failed (the copy differs)")
            await FailureLog(store: context.store).record(.deploy, subject: "memos", message: "a deploy, not a migration")
            let conditions = AlertConditions(registry: context.registry, deployments: context.deployments, insights: context.insights, backups: context.backups)
            let rules = [("moves", AlertRuleSpec(kind: .migrationFailed))]
            let fired = try await conditions.evaluate(rules, firing: [], now: Date())
            #expect(fired.map(\.subject) == ["jellyfin"] && fired.first?.title == "Moving jellyfin failed", "\(fired)")
            #expect(fired.first?.kind == .migrationFailed && fired.first?.message.contains("the copy differs") == true)
            #expect(try await conditions.evaluate(rules, firing: [], now: Date()).isEmpty, "each failure is read once")
            let open = AlertRecord(id: 1, rule: "moves", kind: "migration-failed", fingerprint: "moves/jellyfin", subject: "jellyfin", severity: "warning",
                                   state: "firing", title: "t", message: "m", firedAt: Date(), resolvedAt: nil, notified: true)
            #expect(try await conditions.evaluate(rules, firing: [open], now: Date()).isEmpty, "no deployment of that name: resolved")
            let (rule, created) = try await context.alerts.putRule("moves", AlertRuleSpec(kind: .migrationFailed))
            #expect(created && rule.spec.kind == .migrationFailed, "the kind is accepted as a rule")
        }
    }
}
