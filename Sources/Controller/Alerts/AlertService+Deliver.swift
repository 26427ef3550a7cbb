import AsyncHTTPClient
import Foundation
import GRDB
import Protocol

extension AlertService {
    /// The sender of a channel kind.
    func sender(for kind: AlertChannelKind, http: HTTPClient) -> any ChannelSender {
        kind == .smtp ? SMTPChannelSender() : HTTPChannelSender(http: http)
    }

    /// Sends the deliveries that are due (at most `limit`, several at once), each recorded as delivered, retried later
    /// with backoff, or given up; a channel in quiet hours keeps its messages until they end. Returns how many were sent.
    @discardableResult
    func deliverDue(now: Date = Date(), limit: Int = 20) async throws -> Int {
        let due = try await store.read { db in
            try AlertDeliveryRecord.filter(Column("state") == AlertDelivery.State.pending.rawValue && Column("nextAttemptAt") <= now)
                .order(Column("nextAttemptAt"), Column("id")).limit(limit).fetchAll(db)
        }
        guard !due.isEmpty else { return 0 }
        let channels = try await store.read { db in try AlertChannelRecord.filter(Set(due.map(\.channel)).contains(Column("name"))).fetchAll(db) }
        var sending: [(AlertDeliveryRecord, AlertChannelSpec, AlertMessage)] = []
        var held: [(Int64, Date)] = []
        var broken: [(AlertDeliveryRecord, DeliveryOutcome)] = []
        for delivery in due {
            guard let record = channels.first(where: { $0.name == delivery.channel }) else { continue }
            guard let spec = try? spec(record) else {
                broken.append((delivery, DeliveryOutcome(delivered: false, detail: "the channel's sealed settings do not open with pki/deployments.key")))
                continue
            }
            if let quiet = record.quietHours.flatMap({ try? DailyWindow(parsing: $0, timeZone: settings.timeZone) }), quiet.contains(now) {
                held.append((delivery.id ?? 0, quiet.nextEnd(after: now)))
                continue
            }
            sending.append((delivery, spec, try await message(for: delivery, now: now)))
        }
        let (holds, unusable) = (held, broken)
        try await store.write { [settings] db in
            for (id, until) in holds { try db.execute(sql: "UPDATE alertDelivery SET nextAttemptAt = ? WHERE id = ?", arguments: [until, id]) }
            for (delivery, outcome) in unusable { try Self.record(outcome, of: delivery, settings: settings, retry: false, at: now, in: db) }
        }
        let outcomes = try await withHTTPClient { http in
            await withTaskGroup(of: (AlertDeliveryRecord, DeliveryOutcome).self) { group in
                for (delivery, spec, message) in sending {
                    group.addTask { [self] in (delivery, await sender(for: spec.kind, http: http).send(message, spec: spec)) }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }
        let finished = Date()
        try await store.write { [settings] db in
            for (delivery, outcome) in outcomes { try Self.record(outcome, of: delivery, settings: settings, at: finished, in: db) }
        }
        for (delivery, outcome) in outcomes where !outcome.delivered {
            logger.warning("alert to \(delivery.channel) failed (attempt \(delivery.attempts + 1)): \(outcome.detail)")
        }
        return outcomes.count
    }

    /// The message a delivery sends, with its alert's summary.
    func message(for delivery: AlertDeliveryRecord, now: Date) async throws -> AlertMessage {
        let alert = try await store.read { db in try delivery.alertID.flatMap { try AlertRecord.fetchOne(db, key: $0) } }
        return AlertMessage(
            deliveryID: delivery.id ?? 0, kind: AlertDelivery.Message(rawValue: delivery.message) ?? .firing,
            severity: AlertSeverity(rawValue: delivery.severity) ?? .warning, title: delivery.title, body: delivery.body,
            alert: alert.map { .init(id: $0.id ?? 0, rule: $0.rule, kind: $0.kind, subject: $0.subject, state: $0.state, firedAt: $0.firedAt, resolvedAt: $0.resolvedAt) },
            time: now)
    }

    /// Stores one attempt's outcome on the delivery and its channel: delivered, due again after the backoff, or given
    /// up after the last attempt (`retry: false`: at once, as a test).
    static func record(_ outcome: DeliveryOutcome, of delivery: AlertDeliveryRecord, settings: AlertSettings, retry: Bool = true, at now: Date,
                       in db: Database) throws {
        var delivery = delivery
        delivery.attempts += 1
        delivery.lastAttemptAt = now
        if outcome.delivered {
            delivery.state = AlertDelivery.State.delivered.rawValue
            delivery.deliveredAt = now
            delivery.lastError = nil
            delivery.nextAttemptAt = nil
        } else {
            delivery.lastError = outcome.detail
            if retry && delivery.attempts < settings.maximumAttempts {
                delivery.nextAttemptAt = now.addingTimeInterval(settings.delay(afterAttempts: delivery.attempts, retryAfter: outcome.retryAfter))
            } else {
                delivery.state = AlertDelivery.State.failed.rawValue
                delivery.nextAttemptAt = nil
            }
        }
        try delivery.update(db)
        if outcome.delivered {
            try db.execute(sql: "UPDATE alertChannel SET lastAttemptAt = ?, lastDeliveredAt = ?, lastError = NULL, consecutiveFailures = 0 WHERE name = ?",
                           arguments: [now, now, delivery.channel])
        } else {
            try db.execute(sql: "UPDATE alertChannel SET lastAttemptAt = ?, lastError = ?, consecutiveFailures = consecutiveFailures + 1 WHERE name = ?",
                           arguments: [now, outcome.detail, delivery.channel])
        }
    }

    /// Sends a test message to a channel now, once (quiet hours do not hold it), and records the outcome like any other.
    public func test(_ name: String, now: Date = Date()) async throws -> AlertTestResult {
        guard let record = try await store.read({ db in try AlertChannelRecord.fetchOne(db, key: name) }) else {
            throw HomelabError.notFound("no alert channel \(name)")
        }
        let spec = try spec(record)
        let delivery = try await store.write { db in
            try self.queue(.test, alertID: nil, channel: name, title: "alerts reach \(name)",
                           body: "This is a test from the homelab controller: alerts sent to \(name) (\(record.target)) arrive here.",
                           severity: AlertSeverity.info.rawValue, now: now, in: db)
        }
        let started = ContinuousClock.now
        let message = try await message(for: delivery, now: now)
        let outcome = try await withHTTPClient { http in await sender(for: spec.kind, http: http).send(message, spec: spec) }
        let elapsed = ContinuousClock.now - started
        try await store.write { [settings] db in try Self.record(outcome, of: delivery, settings: settings, retry: false, at: Date(), in: db) }
        let milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        guard outcome.delivered else {
            throw HomelabError(.deliveryFailed, "\(name) (\(record.target)) did not take the test message: \(outcome.detail)")
        }
        return AlertTestResult(channel: name, delivered: true, detail: outcome.detail, milliseconds: milliseconds)
    }
}
