import Foundation
import GRDB
import Protocol

/// Migration v4: long operations become jobs (``JobStore``). Each deployment gets one job that holds the
/// state it was in and its steps; a deployment's row keeps only what it is (``StoredDeployment``) and
/// what is sealed.
enum JobsMigration {
    static func migrate(_ db: Database) throws {
        try db.create(table: "job") { t in
            t.primaryKey("id", .text)
            t.column("kind", .text).notNull()
            t.column("subject", .text).notNull().indexed()
            t.column("machine", .blob).notNull()
            t.column("state", .text).notNull()
            t.column("subjectState", .text)
            t.column("outcome", .text)
            t.column("failure", .text)
            t.column("createdAt", .datetime).notNull()
            t.column("updatedAt", .datetime).notNull()
        }
        try db.create(table: "jobStep") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("jobID", .text).notNull().indexed().references("job", onDelete: .cascade)
            t.column("subject", .text).notNull().indexed()
            t.column("time", .datetime).notNull()
            t.column("state", .text).notNull()
            t.column("subjectState", .text)
            t.column("component", .text)
            t.column("message", .text).notNull()
            t.column("final", .boolean).notNull()
        }
        try db.alter(table: "deployment") { t in t.add(column: "spec", .text).notNull().defaults(to: "{}") }
        for row in try Row.fetchAll(db, sql: "SELECT id, name, state, resource, createdAt, updatedAt FROM deployment") {
            try convert(row, db)
        }
        try db.drop(table: "deploymentStep")
        try db.alter(table: "deployment") { t in
            t.drop(column: "state")
            t.drop(column: "resource")
        }
    }

    /// The API view as v3 stored it, whose `error` was a bare message.
    private static func legacyResource(_ text: String) -> DeploymentResource? {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else { return nil }
        if let message = object["error"] as? String {
            object["error"] = ["code": HomelabError.Code.deployFailed.rawValue, "message": message]
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object) else { return nil }
        return try? WireCoding.decoder.decode(DeploymentResource.self, from: data)
    }

    /// One deployment: its spec from the old API view, a job with its state and failure, its steps.
    private static func convert(_ row: Row, _ db: Database) throws {
        let id: String = row["id"], name: String = row["name"], oldState: String = row["state"]
        let updatedAt: Date = row["updatedAt"]
        let resource = legacyResource(row["resource"])
        if let resource {
            let spec = StoredDeployment(recipeVersion: resource.recipeVersion, category: resource.category,
                                        components: resource.components.map(StoredComponent.init), inputs: resource.inputs,
                                        url: resource.url, exposed: resource.exposed)
            try db.execute(sql: "UPDATE deployment SET spec = ? WHERE id = ?", arguments: [JSONText.encode(spec), id])
        }
        let state = DeploymentState(rawValue: oldState) ?? .failed
        let jobID = "v3-\(id)"
        var failure: HomelabError?
        var subjectState = state
        let outcome: JobOutcome
        switch state {
        case .running, .stopped: outcome = .succeeded
        case .rolledBack: outcome = .rolledBack
        case .failed: outcome = .failed
        default:
            // Work under way while the controller was upgraded: what the old version was doing is not known
            // well enough to undo it safely (an upgrade's rollback must never remove the running version's data).
            outcome = .failed
            subjectState = .failed
            failure = HomelabError(.deployFailed, "the controller was upgraded while \(name) was \(state.rawValue); check it with homelab apps show \(name), then deploy or remove it again",
                                   context: ["deployment": name])
        }
        if failure == nil, let old = resource?.error, outcome != .succeeded || state == .running {
            failure = old
        }
        let job = JobRecord(id: jobID, kind: "imported", subject: id, machine: Data("{}".utf8), state: oldState, subjectState: subjectState.rawValue,
                            outcome: outcome, failure: failure, createdAt: row["createdAt"], updatedAt: updatedAt)
        try JobRow(job).insert(db)
        for step in try Row.fetchAll(db, sql: "SELECT id, step FROM deploymentStep WHERE deploymentID = ? ORDER BY id", arguments: [id]) {
            guard let old = JSONText.decode(DeploymentStep.self, step["step"]) else { continue }
            try db.execute(sql: """
                INSERT INTO jobStep (id, jobID, subject, time, state, subjectState, component, message, final) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [step["id"] as Int64, jobID, id, old.time, old.state.rawValue, old.state.rawValue, old.component, old.message, old.final ?? false])
        }
    }
}
