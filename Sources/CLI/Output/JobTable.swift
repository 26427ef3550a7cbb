import Foundation
import Protocol

/// The `homelab jobs list` table.
public struct JobTable: Sendable {
    public var jobs: [JobResource]
    /// The time ages are measured from.
    public var now: Date

    /// Creates the table.
    public init(jobs: [JobResource], now: Date) {
        self.jobs = jobs
        self.now = now
    }

    /// The table text.
    public func render() -> String {
        guard !jobs.isEmpty else { return "No jobs yet: deploying an app starts one (homelab deploy RECIPE).\n" }
        return Table(
            headers: ["ID", "KIND", "SUBJECT", "STATE", "OUTCOME", "STARTED", "ERROR"],
            rows: jobs.map { job in
                [
                    String(job.id.prefix(8)),
                    job.kind,
                    job.subjectName ?? String(job.subject.prefix(8)),
                    job.state,
                    job.outcome ?? "under way",
                    Units.ago(job.createdAt, now: now),
                    job.failure.map { "\($0.message) [\($0.code)]" } ?? "-",
                ]
            }
        ).render()
    }
}
