import FoundationEssentials

/// `GET /v1/jobs`: a long operation of the controller (a deploy, a start/stop/restart, a removal) and where it stands.
public struct JobResource: Codable, Equatable, Sendable {
    public var id: String
    /// `deploy`, `deployment-action`, `deployment-removal`, …
    public var kind: String
    /// What it works on (a deployment's id) and, when known, its name.
    public var subject: String
    public var subjectName: String?
    /// The job's state (`pulling`, `rolling-back`, `done`).
    public var state: String
    /// Absent while it runs: `succeeded`, `rolled-back` or `failed` once it ended.
    public var outcome: String?
    /// The failure it handles or ended with, with its code.
    public var failure: HomelabError?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, kind: String, subject: String, subjectName: String?, state: String, outcome: String?, failure: HomelabError?,
                createdAt: Date, updatedAt: Date) {
        self.id = id
        self.kind = kind
        self.subject = subject
        self.subjectName = subjectName
        self.state = state
        self.outcome = outcome
        self.failure = failure
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether it is still under way.
    public var isActive: Bool { outcome == nil }
}
