import Foundation
import GRDB
import Hummingbird
import Protocol

/// `/v1/jobs`: every long operation, newest first, with its state, outcome and failure; a job this version
/// cannot read is listed with its `unreadable_record` failure.
enum JobRoutes {
    static func add(to add: StackRoutes.Add, controller: ControllerContext) {
        add(.get, "/v1/jobs", false) { request, _ in
            let query = request.uri.queryParameters
            let active: Bool? = try query["active"].map { text in
                guard let value = Bool(String(text)) else { throw HomelabError.badRequest("active is true or false", field: "active") }
                return value
            }
            let limit = try query["limit"].map { text -> Int in
                guard let value = Int(String(text)), (1...1000).contains(value) else {
                    throw HomelabError.badRequest("limit is a number from 1 to 1000", field: "limit")
                }
                return value
            } ?? 100
            let jobs = try await controller.jobs.store.jobs(JobFilter(active: active, kind: query["kind"].map { JobKind(rawValue: String($0)) }, limit: limit))
            return try JSONResponse.make(ListResponse(items: try await resources(jobs, controller)))
        }
        add(.get, "/v1/jobs/{id}", false) { _, context in
            let id = try context.parameters.require("id")
            guard let job = try await controller.jobs.store.job(id) else { throw HomelabError.notFound("no job \(id)", context: ["job": id]) }
            return try JSONResponse.make(try await resources([job], controller)[0])
        }
    }

    /// The API's view of jobs, with their deployments' names.
    static func resources(_ jobs: [JobRecord], _ controller: ControllerContext) async throws -> [JobResource] {
        let names = try await controller.store.read { db in
            Dictionary(try Row.fetchAll(db, sql: "SELECT id, name FROM deployment").map { ($0["id"] as String, $0["name"] as String) }) { first, _ in first }
        }
        return jobs.map { job in
            JobResource(id: job.id, kind: job.kind.rawValue, subject: job.subject, subjectName: names[job.subject], state: job.state,
                        outcome: job.outcome?.rawValue, failure: job.failure, createdAt: job.createdAt, updatedAt: job.updatedAt)
        }
    }
}
