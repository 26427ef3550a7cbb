@testable import Controller
import Foundation
import GRDB
import Protocol
import Testing

/// Migration v4 on a database as v3 left it: deployments keep their spec, state, failure and steps.
@Suite("migration v4: deployments become jobs")
struct JobsMigrationTests {
    static func v3Resource(name: String, state: String, error: String?) -> String {
        let error = error.map { #""error":"\#($0)","# } ?? ""
        return """
            {"id":"id-\(name)","name":"\(name)","recipe":"hello-web","recipeVersion":"1.0","category":"other","state":"\(state)",
             "components":[{"name":"app","device":"box","address":"10.0.0.5","project":"\(name)","port":null,"reason":"7 GB RAM free",
                            "memoryBytes":1024,"storageBytes":2048,"published":["8080/tcp"]}],
             "inputs":{"WEB_PORT":"8080"},"url":"http://10.0.0.5:8080/","exposed":false,\(error)
             "createdAt":"2026-11-01T10:00:00Z","updatedAt":"2026-11-01T10:05:00Z"}
            """
    }

    @Test("a v3 database's deployments keep their spec, their state and failure as a job, and their steps with their numbers")
    func migrates() async throws {
        let dir = try temporaryDirectory("migration")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("c.sqlite").path
        do {
            let pool = try DatabasePool(path: path)
            try Store.migrator.migrate(pool, upTo: "v3: scan candidates, SSH known hosts, bootstrap targets")
            try await pool.write { db in
                for (name, state, error) in [("ok", "running", nil), ("broken", "rolled-back", "app: web exited"), ("midway", "pulling", nil)] as [(String, String, String?)] {
                    try db.execute(sql: "INSERT INTO deployment (id, name, recipe, state, resource, sealed, createdAt, updatedAt) VALUES (?, ?, 'hello-web', ?, ?, ?, ?, ?)",
                                   arguments: ["id-\(name)", name, state, Self.v3Resource(name: name, state: state, error: error), Data([1, 2, 3]),
                                               Date(timeIntervalSince1970: 1_790_000_000), Date(timeIntervalSince1970: 1_790_000_300)])
                }
                let step = #"{"time":"2026-11-01T10:00:00Z","state":"pending","message":"Deploying ok (hello-web 1.0)"}"#
                let last = #"{"time":"2026-11-01T10:01:00Z","state":"running","message":"Running","final":true}"#
                try db.execute(sql: "INSERT INTO deploymentStep (id, deploymentID, step) VALUES (7, 'id-ok', ?), (9, 'id-ok', ?)", arguments: [step, last])
            }
        }
        let store = try Store(path: path)
        let jobs = SQLiteJobStore(store: store)
        let records = try await store.read { db in try DeploymentRecord.order(Column("name")).fetchAll(db) }
        #expect(records.map(\.name) == ["broken", "midway", "ok"])
        let spec = try #require(records.first { $0.name == "ok" }?.decodedSpec)
        #expect(spec.components.map(\.device) == ["box"] && spec.components[0].published == ["8080/tcp"] && spec.inputs == ["WEB_PORT": "8080"])
        #expect(spec.url == "http://10.0.0.5:8080/" && spec.recipeVersion == "1.0")
        let latest = try await jobs.latest(of: nil)
        #expect(latest["id-ok"]?.subjectState == "running" && latest["id-ok"]?.outcome == .succeeded)
        #expect(latest["id-broken"]?.subjectState == "rolled-back" && latest["id-broken"]?.failure?.message == "app: web exited")
        #expect(latest["id-broken"]?.failure?.code == .deployFailed)
        // Work under way during the upgrade is not guessed at: the deployment says so and waits for a person.
        #expect(latest["id-midway"]?.subjectState == "failed" && latest["id-midway"]?.outcome == .failed)
        #expect(latest["id-midway"]?.failure?.message.contains("was upgraded while midway was pulling") == true)
        #expect(try await jobs.jobs(JobFilter(active: true)).isEmpty, "nothing is left for the runner to guess at")
        let steps = try await jobs.steps(of: "id-ok", after: 0)
        #expect(steps.map(\.seq) == [7, 9] && steps.map(\.message) == ["Deploying ok (hello-web 1.0)", "Running"] && steps.last?.final == true)
        let columns = try await store.read { db in try db.columns(in: "deployment").map(\.name) }
        #expect(!columns.contains("resource") && !columns.contains("state") && columns.contains("spec"))
    }
}
