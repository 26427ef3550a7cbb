import FoundationEssentials

/// What a rule watches. A new kind is one case here and one source in the controller's `AlertConditions`.
public enum AlertRuleKind: String, Codable, Sendable, CaseIterable {
    /// A device offline for `forSeconds`.
    case deviceOffline = "device-offline"
    /// A device's `metric` above `above` for `forSeconds`.
    case threshold
    /// A deploy failed (rolled back, or failed and could not be undone); resolved once the deployment runs again or is removed.
    case deployFailed = "deploy-failed"
    /// A backup, restore or check job failed; resolved once a backup of the deployment succeeds (and its latest
    /// check did not fail), or it is removed.
    case backupFailed = "backup-failed"
    /// A deployment with volumes and backups on (its policy enabled, a backup target set up) that missed two
    /// scheduled backups in a row: no successful backup since two scheduled times passed (since it was deployed,
    /// when it never had one); resolved by a successful backup, or when it is removed or its backups turned off.
    case backupOverdue = "backup-overdue"
    /// A backup target's folder on a filesystem more than `above` percent full (default 90), measured on the target
    /// device (every target, or the one on `device`); resolved once it is below.
    case backupTargetFull = "backup-target-full"
    /// A deployment whose last 3 backups each could not apply its retention rules (the prune failed): its old runs
    /// stay and its target fills; resolved by a backup whose retention is applied, or when it is removed.
    case backupPruneFailing = "backup-prune-failing"
    /// A migration failed (rolled back: the app runs where it was; or could not be finished); resolved once a later
    /// job of the deployment succeeds, or it is removed.
    case migrationFailed = "migration-failed"
    /// An insight of `insights` kinds (all by default); time-to-full only when full within `withinDays`.
    case insight
}

/// The figure a threshold rule compares.
public enum AlertMetric: String, Codable, Sendable, CaseIterable {
    /// CPU busy, percent.
    case cpu
    /// RAM in use, percent.
    case memory
    /// The fullest filesystem, percent.
    case disk
    /// The hottest sensor, °C.
    case temperature
}

/// How urgent an alert is; ntfy and Gotify priorities follow it.
public enum AlertSeverity: String, Codable, Sendable, CaseIterable {
    case info, warning, critical
}

/// `PUT /v1/alerts/rules/{name}`: a rule as written.
public struct AlertRuleSpec: Codable, Equatable, Sendable {
    /// What it watches.
    public var kind: AlertRuleKind
    /// Only this device (`device-offline`, `threshold`, `insight`); every device when absent.
    public var device: String?
    /// Only this deployment (`deploy-failed`, `backup-failed`, `backup-overdue`, `migration-failed`, `insight`); every deployment when absent.
    public var deployment: String?
    /// `threshold`: the figure.
    public var metric: AlertMetric?
    /// `threshold`: the limit, in percent (°C for temperature); `backup-target-full`: the percent used (default 90).
    public var above: Double?
    /// `device-offline` and `threshold`: how long the condition must hold before the alert fires (default 300).
    public var forSeconds: Int?
    /// `insight`: the kinds that fire (default: all).
    public var insights: [InsightKind]?
    /// `insight`: a time-to-full insight fires only when full within this many days.
    public var withinDays: Double?
    /// How urgent (default `warning`).
    public var severity: AlertSeverity?
    /// The channels it notifies, by name (default: every channel).
    public var channels: [String]?
    /// After a notification, the same alert (same rule, same device or app) is not notified again for this long (default 600).
    public var cooldownSeconds: Int?
    /// Off without being deleted (default on).
    public var enabled: Bool?
    /// Creates a spec.
    public init(kind: AlertRuleKind, device: String? = nil, deployment: String? = nil, metric: AlertMetric? = nil, above: Double? = nil,
                forSeconds: Int? = nil, insights: [InsightKind]? = nil, withinDays: Double? = nil, severity: AlertSeverity? = nil,
                channels: [String]? = nil, cooldownSeconds: Int? = nil, enabled: Bool? = nil) {
        self.kind = kind
        self.device = device
        self.deployment = deployment
        self.metric = metric
        self.above = above
        self.forSeconds = forSeconds
        self.insights = insights
        self.withinDays = withinDays
        self.severity = severity
        self.channels = channels
        self.cooldownSeconds = cooldownSeconds
        self.enabled = enabled
    }
}

/// A rule as the API shows it.
public struct AlertRuleResource: Codable, Equatable, Sendable {
    /// Its name.
    public var name: String
    /// What it watches and how.
    public var spec: AlertRuleSpec
    /// When it was written.
    public var updatedAt: Date
    /// Creates a resource.
    public init(name: String, spec: AlertRuleSpec, updatedAt: Date) {
        self.name = name
        self.spec = spec
        self.updatedAt = updatedAt
    }
}

/// Where an alert is.
public enum AlertState: String, Codable, Sendable {
    /// The condition holds.
    case firing
    /// It cleared.
    case resolved
}

/// One message of an alert to one channel.
public struct AlertDelivery: Codable, Equatable, Sendable {
    /// What it says.
    public enum Message: String, Codable, Sendable { case firing, resolved, test }
    /// Where it stands.
    public enum State: String, Codable, Sendable {
        /// Waiting for its next attempt (a retry, or the end of quiet hours).
        case pending
        /// The receiver answered 2xx (HTTP) or 250 (SMTP).
        case delivered
        /// Every attempt failed; given up.
        case failed
        /// Not needed any more: its alert resolved before a firing message went out in quiet hours.
        case dropped
    }
    /// The channel.
    public var channel: String
    /// Firing, resolved or test.
    public var message: Message
    /// Where it stands.
    public var state: State
    /// Attempts made.
    public var attempts: Int
    /// The next attempt, while pending.
    public var nextAttemptAt: Date?
    /// When the receiver took it.
    public var deliveredAt: Date?
    /// What the last failed attempt got.
    public var lastError: String?
    /// Creates a delivery.
    public init(channel: String, message: Message, state: State, attempts: Int, nextAttemptAt: Date?, deliveredAt: Date?, lastError: String?) {
        self.channel = channel
        self.message = message
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.deliveredAt = deliveredAt
        self.lastError = lastError
    }
}

/// An alert: one rule's condition on one device or app, from firing to resolved.
public struct AlertResource: Codable, Equatable, Sendable {
    /// Its id.
    public var id: Int64
    /// The rule that fired.
    public var rule: String
    /// The rule's kind.
    public var kind: AlertRuleKind
    /// The device or deployment it is about.
    public var subject: String
    /// How urgent.
    public var severity: AlertSeverity
    /// Firing or resolved.
    public var state: AlertState
    /// For people: `nas has been offline for 5 min`.
    public var message: String
    /// When it fired.
    public var firedAt: Date
    /// When it resolved.
    public var resolvedAt: Date?
    /// False when a cooldown kept it from being notified.
    public var notified: Bool
    /// Its messages, one per channel and kind.
    public var deliveries: [AlertDelivery]
    /// Creates a resource.
    public init(id: Int64, rule: String, kind: AlertRuleKind, subject: String, severity: AlertSeverity, state: AlertState, message: String,
                firedAt: Date, resolvedAt: Date?, notified: Bool, deliveries: [AlertDelivery]) {
        self.id = id
        self.rule = rule
        self.kind = kind
        self.subject = subject
        self.severity = severity
        self.state = state
        self.message = message
        self.firedAt = firedAt
        self.resolvedAt = resolvedAt
        self.notified = notified
        self.deliveries = deliveries
    }
}
