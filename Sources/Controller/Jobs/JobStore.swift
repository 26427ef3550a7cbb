import Foundation
import Protocol

/// Where jobs are kept: one row per job (its machine and what the job list shows without decoding it)
/// and its steps. Two implementations pass one conformance suite: ``SQLiteJobStore`` and ``MemoryJobStore``.
public protocol JobStore: Sendable {
    /// Stores a new job with its first steps; refuses with `conflict` when its subject has a job under way.
    func insert(_ job: JobRecord, steps: [JobNote]) async throws -> [JobStepRecord]
    /// Stores a transition: the job's new machine, state and outcome, and its steps, in one transaction.
    func update(_ job: JobRecord, steps: [JobNote]) async throws -> [JobStepRecord]
    /// One job.
    func job(_ id: String) async throws -> JobRecord?
    /// Jobs, newest first: of one subject, only those under way (or only ended ones), of one kind.
    func jobs(_ filter: JobFilter) async throws -> [JobRecord]
    /// The newest job of each subject that has one (of `subjects`, or all).
    func latest(of subjects: [String]?) async throws -> [String: JobRecord]
    /// The steps of a subject's jobs after `after`, oldest first.
    func steps(of subject: String, after: Int64) async throws -> [JobStepRecord]
    /// Forgets a subject's jobs and steps (the subject is gone).
    func forget(subject: String) async throws
}

/// Which jobs ``JobStore/jobs(_:)`` returns.
public struct JobFilter: Sendable {
    public var subject: String?
    /// `true`: under way only; `false`: ended only.
    public var active: Bool?
    public var kind: JobKind?
    /// Ended so only.
    public var outcome: JobOutcome?
    public var limit: Int?
    public init(subject: String? = nil, active: Bool? = nil, kind: JobKind? = nil, outcome: JobOutcome? = nil, limit: Int? = nil) {
        self.subject = subject
        self.active = active
        self.kind = kind
        self.outcome = outcome
        self.limit = limit
    }
}

/// A job as stored. The machine is JSON of the job's ``JobMachine``; the other fields are copied from it
/// at every transition so lists never decode machines.
public struct JobRecord: Codable, Equatable, Sendable {
    public var id: String
    public var kind: JobKind
    public var subject: String
    /// The machine's JSON.
    public var machine: Data
    /// The machine's state name (`pulling`).
    public var state: String
    /// The state it puts its subject in (a deployment's `running`).
    public var subjectState: String?
    /// Set once the job ended.
    public var outcome: JobOutcome?
    /// The failure it handles or ended with.
    public var failure: HomelabError?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, kind: JobKind, subject: String, machine: Data, state: String, subjectState: String?, outcome: JobOutcome?,
                failure: HomelabError?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.kind = kind
        self.subject = subject
        self.machine = machine
        self.state = state
        self.subjectState = subjectState
        self.outcome = outcome
        self.failure = failure
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether work is under way (a restarted controller resumes it).
    public var isActive: Bool { outcome == nil }
}

/// One stored step of a job: its sequence number orders every step of the store and lets a reader resume after one.
public struct JobStepRecord: Codable, Equatable, Sendable {
    public var seq: Int64
    public var jobID: String
    public var subject: String
    public var time: Date
    /// The job's state after the transition, and its subject's.
    public var state: String
    public var subjectState: String?
    public var component: String?
    public var message: String
    /// The last step of a job that ended.
    public var final: Bool

    public init(seq: Int64, jobID: String, subject: String, time: Date, state: String, subjectState: String?, component: String?,
                message: String, final: Bool) {
        self.seq = seq
        self.jobID = jobID
        self.subject = subject
        self.time = time
        self.state = state
        self.subjectState = subjectState
        self.component = component
        self.message = message
        self.final = final
    }
}

extension JobRecord {
    /// The step rows a transition of this job stores (sequence numbers are the store's to assign): the last
    /// one is final when the job has ended.
    func stepRows(_ notes: [JobNote], firstSeq: Int64) -> [JobStepRecord] {
        notes.enumerated().map { index, note in
            JobStepRecord(seq: firstSeq + Int64(index), jobID: id, subject: subject, time: updatedAt, state: state, subjectState: subjectState,
                          component: note.component, message: note.message, final: outcome != nil && index == notes.count - 1)
        }
    }
}
