@testable import Controller
import Foundation
import Protocol
import Testing

/// One suite, every job store: what ``JobStore`` promises holds for the SQLite store and the in-memory one alike.
@Suite("job store conformance")
struct JobStoreConformanceTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, memory
        var testDescription: String { rawValue }
    }

    /// A fresh store of `kind`, and what to remove afterwards.
    static func make(_ kind: Kind) throws -> (store: any JobStore, cleanup: () -> Void) {
        switch kind {
        case .memory:
            return (MemoryJobStore(), {})
        case .sqlite:
            let dir = try temporaryDirectory("jobstore")
            let store = try Store(path: dir.appendingPathComponent("c.sqlite").path)
            return (SQLiteJobStore(store: store), { try? FileManager.default.removeItem(at: dir) })
        }
    }

    static func job(_ id: String, subject: String, at seconds: TimeInterval = 0, state: String = "pending", outcome: JobOutcome? = nil) -> JobRecord {
        let time = Date(timeIntervalSince1970: 1_800_000_000 + seconds)
        return JobRecord(id: id, kind: "test", subject: subject, machine: Data(#"{"n":1}"#.utf8), state: state, subjectState: state,
                         outcome: outcome, failure: nil, createdAt: time, updatedAt: time)
    }

    @Test("a job is stored with its first steps, read back whole, and its steps numbered in order", arguments: Kind.allCases)
    func insertAndRead(kind: Kind) async throws {
        let (store, cleanup) = try Self.make(kind)
        defer { cleanup() }
        var job = Self.job("a", subject: "d1")
        job.failure = HomelabError(.unhealthy, "web exited", context: ["component": "web"])
        let steps = try await store.insert(job, steps: [JobNote("Deploying"), JobNote("web → nas", component: "web")])
        #expect(steps.map(\.message) == ["Deploying", "web → nas"])
        #expect(steps[0].seq < steps[1].seq)
        #expect(steps.allSatisfy { !$0.final && $0.jobID == "a" && $0.subject == "d1" && $0.state == "pending" })
        #expect(steps[1].component == "web")
        #expect(try await store.job("a") == job)
        #expect(try await store.job("nope") == nil)
    }

    @Test("a subject has one job under way at a time: a second is refused with conflict until the first ends", arguments: Kind.allCases)
    func oneActiveJobPerSubject(kind: Kind) async throws {
        let (store, cleanup) = try Self.make(kind)
        defer { cleanup() }
        _ = try await store.insert(Self.job("a", subject: "d1"), steps: [])
        await #expect(throws: HomelabError.self) { try await store.insert(Self.job("b", subject: "d1", at: 1), steps: []) }
        do {
            _ = try await store.insert(Self.job("b", subject: "d1", at: 1), steps: [])
        } catch let error as HomelabError {
            #expect(error.code == .conflict)
        }
        _ = try await store.insert(Self.job("c", subject: "d2", at: 1), steps: [])
        var ended = Self.job("a", subject: "d1", state: "running", outcome: .succeeded)
        ended.updatedAt = ended.createdAt.addingTimeInterval(5)
        _ = try await store.update(ended, steps: [JobNote("Running")])
        _ = try await store.insert(Self.job("b", subject: "d1", at: 10), steps: [])
    }

    @Test("an update stores the transition and its steps; the last step of a job that ended is final", arguments: Kind.allCases)
    func update(kind: Kind) async throws {
        let (store, cleanup) = try Self.make(kind)
        defer { cleanup() }
        let first = try await store.insert(Self.job("a", subject: "d1"), steps: [JobNote("Deploying")])
        var job = Self.job("a", subject: "d1", state: "running", outcome: .succeeded)
        job.machine = Data(#"{"n":2}"#.utf8)
        let steps = try await store.update(job, steps: [JobNote("web: healthy", component: "web"), JobNote("Running")])
        #expect(steps.map(\.final) == [false, true])
        #expect(steps.allSatisfy { $0.state == "running" && $0.seq > first[0].seq })
        #expect(try await store.job("a")?.machine == Data(#"{"n":2}"#.utf8))
        #expect(try await store.job("a")?.outcome == .succeeded)
        await #expect(throws: HomelabError.self) { try await store.update(Self.job("ghost", subject: "d9"), steps: []) }
    }

    @Test("lists are newest first and filter by subject, activity and kind; the latest job of each subject is found", arguments: Kind.allCases)
    func lists(kind: Kind) async throws {
        let (store, cleanup) = try Self.make(kind)
        defer { cleanup() }
        _ = try await store.insert(Self.job("old", subject: "d1", at: 0, state: "running", outcome: .succeeded), steps: [])
        _ = try await store.insert(Self.job("new", subject: "d1", at: 10), steps: [])
        _ = try await store.insert(Self.job("other", subject: "d2", at: 5, state: "failed", outcome: .failed), steps: [])
        // Same instant: the one stored later is the newer.
        _ = try await store.insert(Self.job("tie1", subject: "d3", at: 7, state: "x", outcome: .failed), steps: [])
        _ = try await store.insert(Self.job("tie2", subject: "d3", at: 7), steps: [])
        #expect(try await store.jobs(JobFilter()).map(\.id) == ["new", "tie2", "tie1", "other", "old"])
        #expect(try await store.jobs(JobFilter(subject: "d1")).map(\.id) == ["new", "old"])
        #expect(try await store.jobs(JobFilter(active: true)).map(\.id) == ["new", "tie2"])
        #expect(try await store.jobs(JobFilter(active: false)).map(\.id) == ["tie1", "other", "old"])
        #expect(try await store.jobs(JobFilter(kind: "test", limit: 2)).map(\.id) == ["new", "tie2"])
        #expect(try await store.jobs(JobFilter(kind: "other")).isEmpty)
        let latest = try await store.latest(of: nil)
        #expect(latest.mapValues(\.id) == ["d1": "new", "d2": "other", "d3": "tie2"])
        #expect(try await store.latest(of: ["d2", "nobody"]).mapValues(\.id) == ["d2": "other"])
        #expect(try await store.latest(of: []).isEmpty)
    }

    @Test("a subject's steps come after a given one, across its jobs, in order; forgetting a subject removes its jobs and steps", arguments: Kind.allCases)
    func stepsAndForget(kind: Kind) async throws {
        let (store, cleanup) = try Self.make(kind)
        defer { cleanup() }
        let a = try await store.insert(Self.job("a", subject: "d1"), steps: [JobNote("one"), JobNote("two")])
        _ = try await store.insert(Self.job("x", subject: "d2"), steps: [JobNote("elsewhere")])
        _ = try await store.update(Self.job("a", subject: "d1", state: "running", outcome: .succeeded), steps: [JobNote("three")])
        _ = try await store.insert(Self.job("b", subject: "d1", at: 1), steps: [JobNote("four")])
        #expect(try await store.steps(of: "d1", after: 0).map(\.message) == ["one", "two", "three", "four"])
        #expect(try await store.steps(of: "d1", after: a[0].seq).map(\.message) == ["two", "three", "four"])
        try await store.forget(subject: "d1")
        #expect(try await store.steps(of: "d1", after: 0).isEmpty)
        #expect(try await store.jobs(JobFilter(subject: "d1")).isEmpty)
        #expect(try await store.steps(of: "d2", after: 0).map(\.message) == ["elsewhere"])
    }
}
