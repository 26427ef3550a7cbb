import Foundation
import GRDB
import Protocol

/// The job store in the controller's SQLite database (tables `job` and `jobStep`, migration v4).
public struct SQLiteJobStore: JobStore {
    let store: Store

    /// A job store over the controller's database.
    public init(store: Store) { self.store = store }

    public func insert(_ job: JobRecord, steps: [JobNote]) async throws -> [JobStepRecord] {
        try await store.write { db in
            if try JobRow.filter(Column("subject") == job.subject && Column("outcome") == nil).fetchCount(db) > 0 {
                throw HomelabError.conflict("\(job.subject) has work under way: wait until it ends", context: ["job": job.subject])
            }
            try JobRow(job).insert(db)
            return try Self.insert(steps, of: job, db)
        }
    }

    public func update(_ job: JobRecord, steps: [JobNote]) async throws -> [JobStepRecord] {
        try await store.write { db in
            guard try JobRow.exists(db, key: job.id) else { throw HomelabError.notFound("no job \(job.id)", context: ["job": job.id]) }
            try JobRow(job).update(db)
            return try Self.insert(steps, of: job, db)
        }
    }

    public func job(_ id: String) async throws -> JobRecord? {
        try await store.read { db in try JobRow.fetchOne(db, key: id)?.record }
    }

    public func jobs(_ filter: JobFilter) async throws -> [JobRecord] {
        try await store.read { db in
            var request = JobRow.all()
            if let subject = filter.subject { request = request.filter(Column("subject") == subject) }
            if let active = filter.active { request = request.filter(active ? Column("outcome") == nil : Column("outcome") != nil) }
            if let kind = filter.kind { request = request.filter(Column("kind") == kind.rawValue) }
            if let outcome = filter.outcome { request = request.filter(Column("outcome") == outcome.rawValue) }
            request = request.order(Column("createdAt").desc, Column("rowid").desc)
            if let limit = filter.limit { request = request.limit(limit) }
            return try request.fetchAll(db).map(\.record)
        }
    }

    public func latest(of subjects: [String]?) async throws -> [String: JobRecord] {
        try await store.read { db in
            // The newest row of each subject: the one no later row of the same subject follows.
            var sql = """
                SELECT * FROM job AS j WHERE NOT EXISTS (
                  SELECT 1 FROM job AS k WHERE k.subject = j.subject AND (k.createdAt > j.createdAt OR (k.createdAt = j.createdAt AND k.rowid > j.rowid)))
                """
            var arguments: StatementArguments = []
            if let subjects {
                guard !subjects.isEmpty else { return [:] }
                sql += " AND j.subject IN (\(databaseQuestionMarks(count: subjects.count)))"
                arguments = StatementArguments(subjects)
            }
            let rows = try JobRow.fetchAll(db, sql: sql, arguments: arguments)
            return Dictionary(rows.map { ($0.subject, $0.record) }) { first, _ in first }
        }
    }

    public func steps(of subject: String, after: Int64) async throws -> [JobStepRecord] {
        try await store.read { db in
            try JobStepRow.filter(Column("subject") == subject && Column("id") > after).order(Column("id")).fetchAll(db).map(\.record)
        }
    }

    public func forget(subject: String) async throws {
        _ = try await store.write { db in try JobRow.filter(Column("subject") == subject).deleteAll(db) }
    }

    private static func insert(_ notes: [JobNote], of job: JobRecord, _ db: Database) throws -> [JobStepRecord] {
        var stored: [JobStepRecord] = []
        for row in job.stepRows(notes, firstSeq: 0) {
            var step = JobStepRow(row)
            try step.insert(db)
            var record = row
            record.seq = step.id ?? 0
            stored.append(record)
        }
        return stored
    }
}

/// A `job` row.
struct JobRow: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "job"
    var id: String
    var kind: String
    var subject: String
    var machine: Data
    var state: String
    var subjectState: String?
    var outcome: String?
    /// HomelabError as JSON.
    var failure: String?
    var createdAt: Date
    var updatedAt: Date

    init(_ record: JobRecord) {
        id = record.id
        kind = record.kind.rawValue
        subject = record.subject
        machine = record.machine
        state = record.state
        subjectState = record.subjectState
        outcome = record.outcome?.rawValue
        failure = record.failure.map(JSONText.encode)
        createdAt = record.createdAt
        updatedAt = record.updatedAt
    }

    var record: JobRecord {
        // An outcome or failure written by a newer version reads as failed with its text kept, never dropped.
        let decodedFailure = failure.map { JSONText.decode(HomelabError.self, $0) ?? HomelabError(.unreadableRecord, $0) }
        return JobRecord(id: id, kind: JobKind(rawValue: kind), subject: subject, machine: machine, state: state, subjectState: subjectState,
                         outcome: outcome.map { JobOutcome(rawValue: $0) ?? .failed }, failure: decodedFailure,
                         createdAt: createdAt, updatedAt: updatedAt)
    }
}

/// A `jobStep` row; its row id is the step's sequence number.
struct JobStepRow: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    static let databaseTableName = "jobStep"
    var id: Int64?
    var jobID: String
    var subject: String
    var time: Date
    var state: String
    var subjectState: String?
    var component: String?
    var message: String
    var final: Bool

    init(_ record: JobStepRecord) {
        id = nil
        jobID = record.jobID
        subject = record.subject
        time = record.time
        state = record.state
        subjectState = record.subjectState
        component = record.component
        message = record.message
        final = record.final
    }

    var record: JobStepRecord {
        JobStepRecord(seq: id ?? 0, jobID: jobID, subject: subject, time: time, state: state, subjectState: subjectState, component: component,
                      message: message, final: final)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
