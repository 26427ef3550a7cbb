import Foundation
import GRDB
import Protocol

extension AlertService {
    /// Evaluates every rule now and stores what changed (alerts opened or resolved, their deliveries queued), in one
    /// transaction; returns the plan that was carried out.
    @discardableResult
    func evaluate(now: Date = Date()) async throws -> AlertPlan {
        let rules = try await store.read { db in try AlertRuleRecord.fetchAll(db) }.compactMap { record in record.decodedSpec.map { (record.name, $0) } }
        let firing = try await store.read { db in try AlertRecord.filter(Column("state") == AlertState.firing.rawValue).fetchAll(db) }
        let conditions = try await AlertConditions(registry: registry, deployments: deployments, insights: insights, backups: backups)
            .evaluate(rules, firing: firing, now: now)
        return try await store.write { db in
            // Read again inside the transaction: nothing else writes alerts, but a plan is only as good as its inputs.
            let firing = try AlertRecord.filter(Column("state") == AlertState.firing.rawValue).fetchAll(db)
            let lastNotified = Dictionary(try Row.fetchAll(db, sql: "SELECT fingerprint, MAX(firedAt) AS at FROM alert WHERE notified GROUP BY fingerprint")
                .map { ($0["fingerprint"] as String, $0["at"] as Date) }) { first, _ in first }
            let deliveries = Dictionary(grouping: try AlertDeliveryRecord.filter(firing.compactMap(\.id).contains(Column("alertID"))).fetchAll(db)) {
                $0.alertID ?? -1
            }
            let channels = try String.fetchAll(db, sql: "SELECT name FROM alertChannel ORDER BY name")
            let plan = AlertBook.plan(firing: firing, conditions: conditions, rules: Dictionary(rules) { first, _ in first },
                                      lastNotified: lastNotified, deliveries: deliveries, channels: channels, now: now)
            try self.apply(plan, now: now, in: db)
            return plan
        }
    }

    /// Stores a plan: new alerts and their firing messages, resolutions and their resolved messages, dropped messages,
    /// and an activity entry for each alert that fires or resolves.
    func apply(_ plan: AlertPlan, now: Date, in db: Database) throws {
        for opening in plan.openings {
            let condition = opening.condition
            var alert = AlertRecord(id: nil, rule: condition.rule, kind: condition.kind.rawValue, fingerprint: condition.fingerprint,
                                    subject: condition.subject, severity: condition.severity.rawValue, state: AlertState.firing.rawValue,
                                    title: condition.title, message: condition.message, firedAt: now, resolvedAt: nil, notified: opening.notified)
            try alert.insert(db)
            for channel in opening.channels {
                try queue(.firing, alertID: alert.id, channel: channel, title: condition.title, body: condition.message, severity: condition.severity.rawValue,
                          now: now, in: db)
            }
            try EventRecord(id: nil, time: now, type: "alert.firing", deviceID: nil,
                            message: "Alert \(condition.rule): \(condition.message)" + (opening.notified ? "" : " (not notified: cooldown)")).insert(db)
        }
        for resolution in plan.resolutions {
            var alert = resolution.alert
            alert.state = AlertState.resolved.rawValue
            alert.resolvedAt = now
            try alert.update(db)
            for id in resolution.dropped {
                try db.execute(sql: "UPDATE alertDelivery SET state = ? WHERE id = ?", arguments: [AlertDelivery.State.dropped.rawValue, id])
            }
            for channel in resolution.channels {
                try queue(.resolved, alertID: alert.id, channel: channel, title: resolution.title, body: resolution.message, severity: alert.severity,
                          now: now, in: db)
            }
            try EventRecord(id: nil, time: now, type: "alert.resolved", deviceID: nil, message: "Alert \(alert.rule): \(resolution.message)").insert(db)
        }
    }

    /// Queues one message to one channel, due now (quiet hours move it when it is picked up); a test message is never
    /// due: it is sent by the request that made it, once.
    @discardableResult
    func queue(_ message: AlertDelivery.Message, alertID: Int64?, channel: String, title: String, body: String, severity: String, now: Date,
               in db: Database) throws -> AlertDeliveryRecord {
        var delivery = AlertDeliveryRecord(id: nil, alertID: alertID, channel: channel, message: message.rawValue, title: title, body: body,
                                           severity: severity, state: AlertDelivery.State.pending.rawValue, attempts: 0,
                                           nextAttemptAt: message == .test ? nil : now,
                                           lastAttemptAt: nil, deliveredAt: nil, lastError: nil, createdAt: now)
        try delivery.insert(db)
        return delivery
    }

    /// Deletes resolved alerts (and their deliveries) and test deliveries a month old.
    func prune(now: Date) async throws {
        let cutoff = now.addingTimeInterval(-30 * 86_400)
        try await store.write { db in
            try db.execute(sql: "DELETE FROM alert WHERE state = ? AND resolvedAt < ?", arguments: [AlertState.resolved.rawValue, cutoff])
            try db.execute(sql: "DELETE FROM alertDelivery WHERE alertID IS NULL AND createdAt < ?", arguments: [cutoff])
        }
    }
}
