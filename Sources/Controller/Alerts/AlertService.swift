import AsyncHTTPClient
import Foundation
import GRDB
import Logging
import Protocol

/// Alerts: channels (their secrets sealed), rules, the alerts the rules raise and their deliveries. Evaluation and
/// delivery run in ``AlertLoop``; everything is stored before it is sent, so a restarted controller goes on.
public final class AlertService: Sendable {
    let store: Store
    let box: SecretBox
    let registry: DeviceRegistry
    let deployments: DeploymentService
    let insights: InsightsService
    let backups: BackupCoordinator
    /// How alerts are evaluated and delivered.
    public let settings: AlertSettings
    let logger: Logger

    init(store: Store, box: SecretBox, registry: DeviceRegistry, deployments: DeploymentService, insights: InsightsService,
         backups: BackupCoordinator, settings: AlertSettings, logger: Logger) {
        self.store = store
        self.box = box
        self.registry = registry
        self.deployments = deployments
        self.insights = insights
        self.backups = backups
        self.settings = settings
        self.logger = logger
    }

    /// Runs `body` with an HTTP client for one round of deliveries, shut down afterwards (messages are rare: no pool
    /// to keep). Redirects are not followed: a receiver that redirects has not taken the message.
    func withHTTPClient<T: Sendable>(_ body: (HTTPClient) async throws -> T) async throws -> T {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(15)))
        configuration.httpVersion = .http1Only
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            let result = try await body(http)
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    // MARK: Channels

    /// Creates or replaces a channel; answers whether it was created.
    public func putChannel(_ name: String, _ spec: AlertChannelSpec, now: Date = Date()) async throws -> (AlertChannelResource, created: Bool) {
        try AlertValidation.name(name, of: "channel")
        let problems = AlertValidation.problems(spec, timeZone: settings.timeZone)
        guard problems.isEmpty else { throw AlertValidation.invalid(.invalidChannel, problems) }
        let sealed = try box.seal(WireCoding.encoder.encode(spec))
        let record = try await store.write { db -> (AlertChannelRecord, Bool) in
            var record = try AlertChannelRecord.fetchOne(db, key: name)
                ?? AlertChannelRecord(name: name, kind: spec.kind.rawValue, sealed: sealed, target: "", quietHours: nil, updatedAt: now,
                                      lastAttemptAt: nil, lastDeliveredAt: nil, lastError: nil, consecutiveFailures: 0)
            let created = try AlertChannelRecord.exists(db, key: name) == false
            record.kind = spec.kind.rawValue
            record.sealed = sealed
            record.target = AlertValidation.target(spec)
            record.quietHours = spec.quietHours
            record.updatedAt = now
            try record.save(db)
            return (record, created)
        }
        return (record.0.resource(pending: 0), record.1)
    }

    /// Every channel with how its deliveries go.
    public func channels() async throws -> [AlertChannelResource] {
        try await store.read { db in
            let pending = Dictionary(try Row.fetchAll(db, sql: "SELECT channel, COUNT(*) AS n FROM alertDelivery WHERE state = 'pending' GROUP BY channel")
                .map { ($0["channel"] as String, $0["n"] as Int) }) { first, _ in first }
            return try AlertChannelRecord.order(Column("name")).fetchAll(db).map { $0.resource(pending: pending[$0.name] ?? 0) }
        }
    }

    /// One channel.
    public func channel(_ name: String) async throws -> AlertChannelResource {
        guard let channel = try await channels().first(where: { $0.name == name }) else { throw HomelabError.notFound("no alert channel \(name)") }
        return channel
    }

    /// Deletes a channel with its deliveries; rules that name it are refused until they no longer do.
    public func deleteChannel(_ name: String) async throws {
        try await store.write { db in
            let naming = try AlertRuleRecord.fetchAll(db).filter { $0.decodedSpec?.channels?.contains(name) == true }.map(\.name)
            guard naming.isEmpty else { throw HomelabError.conflict("rules \(naming.joined(separator: ", ")) send to \(name): change them first") }
            guard try AlertChannelRecord.deleteOne(db, key: name) else { throw HomelabError.notFound("no alert channel \(name)") }
        }
    }

    /// A channel's spec, unsealed.
    func spec(_ record: AlertChannelRecord) throws -> AlertChannelSpec {
        try WireCoding.decoder.decode(AlertChannelSpec.self, from: box.open(record.sealed))
    }

    // MARK: Rules

    /// Creates or replaces a rule; answers whether it was created.
    public func putRule(_ name: String, _ spec: AlertRuleSpec, now: Date = Date()) async throws -> (AlertRuleResource, created: Bool) {
        try AlertValidation.name(name, of: "rule")
        let devices = Set(try await registry.list().map(\.name)), apps = Set(try await deployments.list().map(\.name))
        let channels = Set(try await store.read { db in try String.fetchAll(db, sql: "SELECT name FROM alertChannel") })
        let problems = AlertValidation.problems(spec, channels: channels, devices: devices, deployments: apps)
        guard problems.isEmpty else { throw AlertValidation.invalid(.invalidRule, problems) }
        let created = try await store.write { db -> Bool in
            let created = try AlertRuleRecord.exists(db, key: name) == false
            try AlertRuleRecord(name: name, spec: JSONText.encode(spec), updatedAt: now).save(db)
            return created
        }
        return (AlertRuleResource(name: name, spec: spec, updatedAt: now), created)
    }

    /// Every rule.
    public func rules() async throws -> [AlertRuleResource] {
        try await store.read { db in try AlertRuleRecord.order(Column("name")).fetchAll(db) }.compactMap { record in
            record.decodedSpec.map { AlertRuleResource(name: record.name, spec: $0, updatedAt: record.updatedAt) }
        }
    }

    /// Deletes a rule; its firing alerts resolve at the next evaluation, silently.
    public func deleteRule(_ name: String) async throws {
        guard try await store.write({ db in try AlertRuleRecord.deleteOne(db, key: name) }) else { throw HomelabError.notFound("no alert rule \(name)") }
    }

    // MARK: Alerts

    /// The latest alerts, newest first, with their deliveries (`state`: only firing or resolved ones).
    public func alerts(state: AlertState? = nil, limit: Int = 100) async throws -> [AlertResource] {
        try await store.read { db in
            var request = AlertRecord.order(Column("id").desc).limit(limit)
            if let state { request = request.filter(Column("state") == state.rawValue) }
            let alerts = try request.fetchAll(db)
            let deliveries = try AlertDeliveryRecord.filter(alerts.compactMap(\.id).contains(Column("alertID"))).order(Column("id")).fetchAll(db)
            return alerts.map { alert in
                AlertResource(id: alert.id ?? 0, rule: alert.rule, kind: AlertRuleKind(rawValue: alert.kind) ?? .threshold, subject: alert.subject,
                              severity: AlertSeverity(rawValue: alert.severity) ?? .warning, state: AlertState(rawValue: alert.state) ?? .firing,
                              message: alert.message, firedAt: alert.firedAt, resolvedAt: alert.resolvedAt, notified: alert.notified,
                              deliveries: deliveries.filter { $0.alertID == alert.id }.map(\.resource))
            }
        }
    }
}
