import Foundation
import Protocol

/// A condition that holds now: what one rule found on one device or app.
struct AlertCondition: Equatable, Sendable {
    var rule: String
    var kind: AlertRuleKind
    /// The device, deployment or insight it is about.
    var subject: String
    var severity: AlertSeverity
    /// Short: `nas is offline`.
    var title: String
    /// Long: `nas has been offline for 5 min (last seen 10:02 UTC)`.
    var message: String

    /// At most one firing alert per fingerprint (deduplication); the cooldown is counted per fingerprint.
    var fingerprint: String { "\(rule)/\(subject)" }
}

/// What the alerts do next, decided from the firing alerts and the conditions that hold now; the caller stores it.
struct AlertPlan: Equatable, Sendable {
    /// A new alert.
    struct Opening: Equatable, Sendable {
        var condition: AlertCondition
        /// False when the cooldown keeps it quiet.
        var notified: Bool
        /// The channels told.
        var channels: [String]
    }
    /// A firing alert whose condition cleared.
    struct Resolution: Equatable, Sendable {
        var alert: AlertRecord
        var title: String
        var message: String
        /// The channels that got its firing message: they get the resolved one.
        var channels: [String]
        /// Firing messages not delivered yet (retrying, or held by quiet hours): dropped, nothing is said.
        var dropped: [Int64]
    }
    var openings: [Opening] = []
    var resolutions: [Resolution] = []
}

/// The rules of alerting, without I/O: deduplication, cooldown, resolution.
enum AlertBook {
    /// Default seconds between two notifications of one fingerprint.
    static let defaultCooldown = 600

    /// Opens an alert for each condition without a firing alert of its fingerprint, notified unless one of that
    /// fingerprint was notified within its rule's cooldown; resolves each firing alert whose condition is gone (or whose
    /// rule is gone or off: silently), telling the channels that were told it fired.
    static func plan(firing: [AlertRecord], conditions: [AlertCondition], rules: [String: AlertRuleSpec], lastNotified: [String: Date],
                     deliveries: [Int64: [AlertDeliveryRecord]], channels: [String], now: Date) -> AlertPlan {
        var plan = AlertPlan()
        let open = Set(firing.map(\.fingerprint))
        var seen = Set<String>()
        for condition in conditions where !open.contains(condition.fingerprint) && seen.insert(condition.fingerprint).inserted {
            guard let rule = rules[condition.rule] else { continue }
            let cooldown = TimeInterval(rule.cooldownSeconds ?? defaultCooldown)
            let quiet = lastNotified[condition.fingerprint].map { now.timeIntervalSince($0) < cooldown } ?? false
            let targets = rule.channels ?? channels
            plan.openings.append(.init(condition: condition, notified: !quiet && !targets.isEmpty, channels: quiet ? [] : targets))
        }
        let holding = Set(conditions.map(\.fingerprint))
        for alert in firing where !holding.contains(alert.fingerprint) {
            let ruleGone = rules[alert.rule].map { $0.enabled == false } ?? true
            let firingMessages = (deliveries[alert.id ?? -1] ?? []).filter { $0.message == AlertDelivery.Message.firing.rawValue }
            let told = ruleGone || !alert.notified ? [] : firingMessages.filter { $0.state == AlertDelivery.State.delivered.rawValue }.map(\.channel)
            let dropped = firingMessages.filter { $0.state == AlertDelivery.State.pending.rawValue }.compactMap(\.id)
            let (title, message) = resolution(of: alert, now: now)
            plan.resolutions.append(.init(alert: alert, title: title, message: message, channels: told, dropped: dropped))
        }
        return plan
    }

    /// What a resolved message says: `nas is back online after 12 min`, `Resolved: pi4: RAM above 90 %`.
    static func resolution(of alert: AlertRecord, now: Date) -> (title: String, message: String) {
        let after = Words.span(max(1, now.timeIntervalSince(alert.firedAt).rounded()))
        switch AlertRuleKind(rawValue: alert.kind) {
        case .deviceOffline:
            return ("\(alert.subject) is back online", "\(alert.subject) is back online after \(after)")
        default:
            return ("Resolved: \(alert.title)", "\(alert.title): resolved after \(after)")
        }
    }
}
