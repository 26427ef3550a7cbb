@testable import Controller
import Foundation
import GRDB
import Protocol
import Testing
import TestSupport

/// `/metrics` as Prometheus and Grafana read it: per-device and per-app gauges that `promtool check metrics`
/// (Debian's prometheus) accepts, and every metric the dashboard in deploy/grafana queries.
@Suite("Prometheus metrics", .serialized)
struct PrometheusTests {
    static let dashboard = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/grafana/homelab-dashboard.json")

    /// A controller with a real agent reporting, and one running app with its health and usage recorded.
    static func exposition(_ dir: URL) async throws -> String {
        let controller = try await TestController.start(stateDirectory: dir) { $0.insights.appSampleInterval = .seconds(3600) }
        let token = try await controller.token()
        let agent = try TestAgent.start(controllerPort: controller.agentPort, stateDirectory: dir.appendingPathComponent("agent"), token: token.token, name: "nas")
        let device = try await controller.waitForDevice("nas") { $0.status == .online && $0.metrics?.cpu != nil && $0.health != nil }
        // This machine may have no temperature sensor: a sample reports one, as a Pi's thermal zone would.
        var hot = try #require(device.metrics)
        hot.temperatures = [TemperatureReading(sensor: "cpu-thermal", celsius: 51.5)]
        let now = Date()
        let app = DeploymentResource(id: "app-id", name: "jellyfin", recipe: "jellyfin", recipeVersion: "1", category: "media", state: .running,
                                     components: [DeploymentComponent(name: "app", device: "nas", address: nil, project: "jellyfin", port: nil, reason: "")],
                                     inputs: [:], url: nil, exposed: false, error: nil, createdAt: now, updatedAt: now)
        let health = AppHealth(deployment: "jellyfin", level: .yellow, reason: "restarted 1 time in the last hour", containers: 1, running: 1,
                               unhealthy: 0, restartsLastHour: 1, checkedAt: now)
        let context = controller.app.context
        let history = context.registry.history
        try await context.storeDeployment(app)
        try await context.store.write { db in
            try db.execute(sql: "INSERT INTO appHealth (deploymentID, health) VALUES (?, ?)", arguments: [app.id, JSONText.encode(health)])
            for value in SeriesValues.app(cpuPercent: 50, memoryBytes: 314_572_800, networkBytesPerSecond: 1000) {
                try history.add(value, to: .deployment(app.id), at: now, in: db)
            }
        }
        // The agent's own samples (every 500 ms) replace the hot one: report it again until a rendering came between.
        var text = ""
        for _ in 1...20 where !text.contains("homelab_device_temperature_celsius") {
            try await controller.registry.report(metrics: hot, deviceID: device.id, now: Date())
            text = await context.metrics.render(registry: context.registry, deployments: context.deployments)
        }
        await agent.stop()
        await controller.stop()
        return text
    }

    @Test("the exposition passes promtool check metrics and has each device's and each app's gauges")
    func promtoolAccepts() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try await Self.exposition(dir)
        for line in [#"homelab_device_online{device="nas"} 1"#, #"homelab_app_up{deployment="jellyfin",device="nas"} 1"#,
                     #"homelab_app_memory_used_bytes{deployment="jellyfin",device="nas"} 314572800"#,
                     #"homelab_app_cpu_usage_cores{deployment="jellyfin",device="nas"} 0.5"#,
                     #"homelab_app_health{deployment="jellyfin",device="nas",level="yellow"} 1"#,
                     #"homelab_app_restarts_last_hour{deployment="jellyfin",device="nas"} 1"#] {
            #expect(text.contains(line), "missing \(line)")
        }
        #expect(text.contains("homelab_device_memory_used_bytes{device=\"nas\"}") && text.contains("homelab_device_network_received_bytes_total{device=\"nas\"}"))
        #expect(text.contains("# HELP homelab_device_cpu_usage_ratio") && text.contains("# TYPE homelab_device_network_sent_bytes_total counter"))
        let file = dir.appendingPathComponent("metrics.txt")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let report = dir.appendingPathComponent("promtool.txt")
        let status = try ChildProcess("/bin/sh", ["-c", "promtool check metrics < \"$0\"", file.path], output: .file(report.path), mergeErrors: true).wait()
        let said = (try? String(contentsOf: report, encoding: .utf8)) ?? ""
        #expect(status == 0 && said.isEmpty, "promtool check metrics said: \(said)")
    }

    @Test("every metric the Grafana dashboard queries is one the controller exports")
    func dashboardQueriesExist() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let exported = Set(try await Self.exposition(dir).split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { String($0.prefix { $0 != "{" && $0 != " " }) })
        let json = try String(contentsOf: Self.dashboard, encoding: .utf8)
        let queried = Set(json.matches(of: /homelab_[a-z0-9_]+/).map { String($0.output) }).subtracting(["homelab_"])
        #expect(!queried.isEmpty)
        #expect(queried.subtracting(exported).isEmpty, "the dashboard queries metrics nobody exports: \(queried.subtracting(exported).sorted())")
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect((parsed?["panels"] as? [Any])?.count ?? 0 >= 10)
    }
}
