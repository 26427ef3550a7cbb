import Foundation
import Protocol

/// The job store in memory: for tests of machines and the runner, and for tools that need no database.
/// It passes the same conformance suite as ``SQLiteJobStore``.
public actor MemoryJobStore: JobStore {
    private var jobs: [String: JobRecord] = [:]
    /// Insertion order of the jobs, for "newest first" among jobs created at the same instant.
    private var order: [String] = []
    private var steps: [JobStepRecord] = []
    private var nextSeq: Int64 = 1

    /// An empty store.
    public init() {}

    public func insert(_ job: JobRecord, steps notes: [JobNote]) throws -> [JobStepRecord] {
        if jobs.values.contains(where: { $0.subject == job.subject && $0.isActive }) {
            throw HomelabError.conflict("\(job.subject) has work under way: wait until it ends", context: ["job": job.subject])
        }
        jobs[job.id] = job
        order.append(job.id)
        return append(notes, of: job)
    }

    public func update(_ job: JobRecord, steps notes: [JobNote]) throws -> [JobStepRecord] {
        guard jobs[job.id] != nil else { throw HomelabError.notFound("no job \(job.id)", context: ["job": job.id]) }
        jobs[job.id] = job
        return append(notes, of: job)
    }

    public func job(_ id: String) -> JobRecord? { jobs[id] }

    public func jobs(_ filter: JobFilter) -> [JobRecord] {
        var found = newestFirst().filter { job in
            (filter.subject.map { job.subject == $0 } ?? true) && (filter.active.map { job.isActive == $0 } ?? true)
                && (filter.kind.map { job.kind == $0 } ?? true) && (filter.outcome.map { job.outcome == $0 } ?? true)
        }
        if let limit = filter.limit { found = Array(found.prefix(limit)) }
        return found
    }

    public func latest(of subjects: [String]?) -> [String: JobRecord] {
        var latest: [String: JobRecord] = [:]
        for job in newestFirst() where latest[job.subject] == nil && (subjects?.contains(job.subject) ?? true) {
            latest[job.subject] = job
        }
        return latest
    }

    public func steps(of subject: String, after: Int64) -> [JobStepRecord] {
        steps.filter { $0.subject == subject && $0.seq > after }
    }

    public func forget(subject: String) {
        let ids = Set(jobs.values.filter { $0.subject == subject }.map(\.id))
        for id in ids { jobs.removeValue(forKey: id) }
        order.removeAll { ids.contains($0) }
        steps.removeAll { ids.contains($0.jobID) }
    }

    private func newestFirst() -> [JobRecord] {
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        return jobs.values.sorted { ($0.createdAt, position[$0.id] ?? 0) > ($1.createdAt, position[$1.id] ?? 0) }
    }

    private func append(_ notes: [JobNote], of job: JobRecord) -> [JobStepRecord] {
        let rows = job.stepRows(notes, firstSeq: nextSeq)
        nextSeq += Int64(rows.count)
        steps += rows
        return rows
    }
}
