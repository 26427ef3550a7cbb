import Foundation
import GRDB
import Protocol

/// An `alertChannel` row: the spec sealed (it holds secrets), and what the API may show beside it.
struct AlertChannelRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "alertChannel"
    var name: String
    var kind: String
    /// ``AlertChannelSpec`` JSON, sealed with the controller's ``SecretBox``.
    var sealed: Data
    /// Where it sends, without secrets.
    var target: String
    var quietHours: String?
    var updatedAt: Date
    /// How its deliveries go: the last attempt, the last success, the last error, failures since a success.
    var lastAttemptAt: Date?
    var lastDeliveredAt: Date?
    var lastError: String?
    var consecutiveFailures: Int

    /// The API view.
    func resource(pending: Int) -> AlertChannelResource {
        let state: AlertChannelStatus.State = lastAttemptAt == nil ? .untested : consecutiveFailures > 0 ? .failing : .ok
        return AlertChannelResource(
            name: name, kind: AlertChannelKind(rawValue: kind) ?? .webhook, target: target, quietHours: quietHours,
            status: AlertChannelStatus(state: state, lastAttemptAt: lastAttemptAt, lastDeliveredAt: lastDeliveredAt, lastError: lastError,
                                       consecutiveFailures: consecutiveFailures, pending: pending),
            updatedAt: updatedAt)
    }
}

/// An `alertRule` row.
struct AlertRuleRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "alertRule"
    var name: String
    /// ``AlertRuleSpec`` JSON.
    var spec: String
    var updatedAt: Date

    var decodedSpec: AlertRuleSpec? { JSONText.decode(AlertRuleSpec.self, spec) }
}

/// An `alert` row: one rule's condition on one subject, from firing to resolved.
struct AlertRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable, Equatable {
    static let databaseTableName = "alert"
    var id: Int64?
    var rule: String
    var kind: String
    /// `RULE/SUBJECT`: at most one firing alert per fingerprint (deduplication), and the key of the cooldown.
    var fingerprint: String
    var subject: String
    var severity: String
    var state: String
    /// Short, for a notification's title: `nas is offline`.
    var title: String
    var message: String
    var firedAt: Date
    var resolvedAt: Date?
    /// False when the cooldown kept it quiet.
    var notified: Bool

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// An `alertDelivery` row: one message to one channel, with its attempts.
struct AlertDeliveryRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable, Equatable {
    static let databaseTableName = "alertDelivery"
    var id: Int64?
    /// Nil for a test message.
    var alertID: Int64?
    var channel: String
    var message: String
    var title: String
    var body: String
    var severity: String
    var state: String
    var attempts: Int
    var nextAttemptAt: Date?
    var lastAttemptAt: Date?
    var deliveredAt: Date?
    var lastError: String?
    var createdAt: Date

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The API view.
    var resource: AlertDelivery {
        AlertDelivery(channel: channel, message: AlertDelivery.Message(rawValue: message) ?? .firing, state: AlertDelivery.State(rawValue: state) ?? .pending,
                      attempts: attempts, nextAttemptAt: state == AlertDelivery.State.pending.rawValue ? nextAttemptAt : nil, deliveredAt: deliveredAt,
                      lastError: lastError)
    }
}

extension Store {
    /// The rules shipped with the controller, so alerts work as soon as a channel exists.
    static let defaultAlertRules: [(String, AlertRuleSpec)] = [
        ("device-offline", AlertRuleSpec(kind: .deviceOffline, forSeconds: 300, severity: .critical)),
        ("memory-high", AlertRuleSpec(kind: .threshold, metric: .memory, above: 90, forSeconds: 600)),
        ("disk-full", AlertRuleSpec(kind: .threshold, metric: .disk, above: 90, forSeconds: 600, severity: .critical)),
        ("deploy-failed", AlertRuleSpec(kind: .deployFailed)),
        ("insights", AlertRuleSpec(kind: .insight, insights: [.timeToFull, .temperature, .rebootLoop, .restartLoop, .overload], withinDays: 14)),
    ]

    /// Tables of alerts (issue 20): channels, rules, alerts, deliveries, and the sources' read positions.
    static func registerAlertsMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("issue-20: alert channels, rules, alerts, deliveries; pinned apps") { db in
            try db.create(table: "alertChannel") { t in
                t.primaryKey("name", .text)
                t.column("kind", .text).notNull()
                t.column("sealed", .blob).notNull()
                t.column("target", .text).notNull()
                t.column("quietHours", .text)
                t.column("updatedAt", .datetime).notNull()
                t.column("lastAttemptAt", .datetime)
                t.column("lastDeliveredAt", .datetime)
                t.column("lastError", .text)
                t.column("consecutiveFailures", .integer).notNull().defaults(to: 0)
            }
            try db.create(table: "alertRule") { t in
                t.primaryKey("name", .text)
                t.column("spec", .text).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "alert") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("rule", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("fingerprint", .text).notNull().indexed()
                t.column("subject", .text).notNull()
                t.column("severity", .text).notNull()
                t.column("state", .text).notNull().indexed()
                t.column("title", .text).notNull()
                t.column("message", .text).notNull()
                t.column("firedAt", .datetime).notNull()
                t.column("resolvedAt", .datetime)
                t.column("notified", .boolean).notNull()
            }
            try db.create(table: "alertDelivery") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("alertID", .integer).indexed().references("alert", onDelete: .cascade)
                t.column("channel", .text).notNull().indexed().references("alertChannel", onDelete: .cascade)
                t.column("message", .text).notNull()
                t.column("title", .text).notNull()
                t.column("body", .text).notNull()
                t.column("severity", .text).notNull()
                t.column("state", .text).notNull()
                t.column("attempts", .integer).notNull()
                t.column("nextAttemptAt", .datetime)
                t.column("lastAttemptAt", .datetime)
                t.column("deliveredAt", .datetime)
                t.column("lastError", .text)
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(index: "alertDelivery_due", on: "alertDelivery", columns: ["state", "nextAttemptAt"])
            // Jobs that failed for good (FailureLog), read by the alert rules of their kind.
            try db.create(table: "jobFailure") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("job", .text).notNull()
                t.column("subject", .text).notNull()
                t.column("message", .text).notNull()
                t.column("time", .datetime).notNull()
            }
            // Where each reader of jobFailure has read up to.
            try db.create(table: "alertCursor") { t in
                t.primaryKey("source", .text)
                t.column("position", .integer).notNull()
            }
            // Apps the user pinned to their device: never suggested or moved automatically.
            try db.create(table: "deploymentPin") { t in
                t.primaryKey("deploymentID", .text).references("deployment", onDelete: .cascade)
                t.column("pinnedAt", .datetime).notNull()
            }
            let now = Date()
            for (name, spec) in defaultAlertRules {
                try AlertRuleRecord(name: name, spec: JSONText.encode(spec), updatedAt: now).insert(db)
            }
        }
    }
}
