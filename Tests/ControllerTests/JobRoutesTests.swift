@testable import Controller
import Foundation
import HTTPTypes
import Protocol
import Testing

/// `GET /v1/jobs` on a live controller: jobs with their outcome and failure, and a stored job this version
/// cannot read, which is ended failed and listed, never dropped.
@Suite("jobs API")
struct JobRoutesTests {
    @Test("a job left under way that does not decode is failed at start with unreadable_record, listed, counted in /metrics")
    func unreadableJobIsListed() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("controller")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        do {
            let store = try Store(path: state.appendingPathComponent("controller.sqlite").path)
            let time = Date()
            _ = try await SQLiteJobStore(store: store).insert(
                JobRecord(id: "job-from-elsewhere", kind: DeployMachine.kind, subject: "ghost", machine: Data(#"{"state":"warping"}"#.utf8),
                          state: "warping", subjectState: "pulling", outcome: nil, failure: nil, createdAt: time, updatedAt: time), steps: [])
        }
        let controller = try await TestController.start(stateDirectory: state)
        let jobs = controller.app.context.jobs
        let deadline = ContinuousClock.now + .seconds(10)
        while try await jobs.store.job("job-from-elsewhere")?.outcome == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let listed = try await JobRoutes.resources(try await jobs.store.jobs(JobFilter()), controller.app.context)
        let job = try #require(listed.first { $0.id == "job-from-elsewhere" })
        #expect(job.outcome == "failed" && job.failure?.code == .unreadableRecord && job.kind == "deploy")
        #expect(job.failure?.message.contains("does not decode") == true, "\(job.failure?.message ?? "")")
        let metrics = await controller.app.context.metrics.render(registry: controller.registry, jobs: jobs)
        #expect(metrics.contains("homelab_jobs_unreadable 1"), "\(metrics)")
        await controller.stop()
    }
}
