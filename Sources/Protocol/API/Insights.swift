import FoundationEssentials

/// What an insight is about.
public enum InsightKind: String, Codable, Sendable, CaseIterable {
    /// A disk or the RAM fills up: its use now and, from a robust fit over 30 days, when it is full.
    case timeToFull = "time-to-full"
    /// A metric peaks in the same hours every day.
    case dailyPattern = "daily-pattern"
    /// A device stayed above the temperature threshold.
    case temperature
    /// A device rebooted more often than usual.
    case rebootLoop = "reboot-loop"
    /// An app's containers keep restarting.
    case restartLoop = "restart-loop"
    /// A device stayed above the overload threshold of RAM or disk; carries a suggested move when one helps.
    case overload
}

/// How much an insight matters.
public enum InsightSeverity: String, Codable, Sendable, CaseIterable {
    case info, warning, critical
}

/// A move the scheduler suggests to relieve an overloaded device.
public struct MoveSuggestion: Codable, Equatable, Sendable {
    /// The deployment to move.
    public var deployment: String
    /// The component to move (the deployment's only one, or the one on the overloaded device).
    public var component: String
    /// The overloaded device.
    public var from: String
    /// Where to.
    public var to: String
    /// Why there, in words: `8 GB free, always on`.
    public var reason: String
    /// Points of pressure the move removes from the overloaded device, as the scheduler computed them.
    public var gain: Double
    /// The command that starts it.
    public var command: String
    /// `POST` it to start the move (`/v1/insights/{id}/start`).
    public var start: String
    /// Creates a suggestion.
    public init(deployment: String, component: String, from: String, to: String, reason: String, gain: Double, command: String, start: String) {
        self.deployment = deployment
        self.component = component
        self.from = from
        self.to = to
        self.reason = reason
        self.gain = gain
        self.command = command
        self.start = start
    }
}

/// One finding, with the numbers behind it and a plain sentence.
public struct Insight: Codable, Equatable, Sendable {
    /// Stable while the finding lasts: `KIND:device:NAME[:detail]` or `KIND:deployment:NAME[:detail]`.
    public var id: String
    /// What it is about.
    public var kind: InsightKind
    /// How much it matters.
    public var severity: InsightSeverity
    /// The device it is about, when one.
    public var device: String?
    /// The deployment it is about, when one.
    public var deployment: String?
    /// For people: `nas: disk /srv 80 % full, growing 4 GB a week: full in about 10 weeks`.
    public var sentence: String
    /// The figures behind the sentence, by name (each kind's names are listed in docs/insights.md).
    public var numbers: [String: Double]
    /// A move that would help (overload).
    public var suggestion: MoveSuggestion?
    /// Creates an insight.
    public init(id: String, kind: InsightKind, severity: InsightSeverity, device: String? = nil, deployment: String? = nil, sentence: String,
                numbers: [String: Double], suggestion: MoveSuggestion? = nil) {
        self.id = id
        self.kind = kind
        self.severity = severity
        self.device = device
        self.deployment = deployment
        self.sentence = sentence
        self.numbers = numbers
        self.suggestion = suggestion
    }
}

/// `GET /v1/insights`.
public struct InsightsResponse: Codable, Equatable, Sendable {
    /// Most severe first, then by id.
    public var items: [Insight]
    /// When they were computed.
    public var generatedAt: Date
    /// Creates an answer.
    public init(items: [Insight], generatedAt: Date) {
        self.items = items
        self.generatedAt = generatedAt
    }
}

/// `PUT`/`DELETE /v1/deployments/{name}/pin`: whether an app stays on its device.
public struct PinStatus: Codable, Equatable, Sendable {
    /// The deployment.
    public var deployment: String
    /// Pinned apps are never suggested for a move nor moved automatically.
    public var pinned: Bool
    /// Creates a status.
    public init(deployment: String, pinned: Bool) {
        self.deployment = deployment
        self.pinned = pinned
    }
}
