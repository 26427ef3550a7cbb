@testable import Controller
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Protocol
import Testing

/// The history, health, insight and pin routes through the router, as the CLI and the dashboard call them.
@Suite("Insight routes")
struct InsightRoutesTests {
    /// A controller context with device `nas` (reported samples) and deployment `memos` (running on it).
    static func makeApp() async throws -> (ControllerApp, Application<RouterResponder<APIRoutes.Context>>, HTTPFields, URL) {
        let (controller, app, _, dir) = try await APITests.makeApp()
        let context = controller.context
        let now = Date()
        try await context.store.write { db in
            try DeviceRecord(id: "nas-id", name: "nas", state: .enrolled, publicKey: Data([1]), keyFingerprint: "SHA256:x", certificateSerial: nil,
                             labels: "{}", address: nil, createdAt: now, lastSeenAt: nil, facts: nil, metrics: nil, tokenID: nil).insert(db)
        }
        try await context.storeDeployment(DeploymentResource(
            id: "memos-id", name: "memos", recipe: "memos", recipeVersion: "1", category: "notes", state: .running, components: [], inputs: [:],
            url: nil, exposed: false, error: nil, createdAt: now, updatedAt: now))
        for (offset, cpu) in [(-90.0, 10.0), (-30, 30)] {
            let time = now.addingTimeInterval(offset)
            try await context.registry.report(metrics: sample(at: time, cpu: cpu, usedMemory: 1 << 30, disk: (40 << 30, 100 << 30)), deviceID: "nas-id", now: time)
        }
        let token = try #require(controller.newAdminToken)
        return (controller, app, [.authorization: "Bearer \(token)"], dir)
    }

    static func error(_ response: TestResponse) throws -> HomelabError {
        try WireCoding.decoder.decode(APIErrorResponse.self, from: Data(response.body.readableBytesView)).error
    }

    @Test("a device's history answers the contract: range, resolution in seconds, series with unit, capacity and points")
    func deviceHistory() async throws {
        let (_, app, auth, dir) = try await Self.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/devices/nas/metrics?range=1h&series=cpu,disk", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
                let body = try WireCoding.decoder.decode(MetricsHistoryResponse.self, from: Data(response.body.readableBytesView))
                #expect(body.device == "nas" && body.range == .hour && body.resolution == 60)
                #expect(body.series.map(\.name) == [.cpu, .disk])
                #expect(body.series.first?.unit == .percent && body.series.first?.points.map(\.avg).reduce(0, +) == 40)
                #expect(body.series.last?.mount == "/" && body.series.last?.capacity == Double(100 << 30) && body.series.last?.unit == .bytes)
                let raw = String(buffer: response.body)
                #expect(raw.contains(#""t":""#) && raw.contains(#""avg":"#) && raw.contains(#""max":"#))
            }
            try await client.execute(uri: "/v1/devices/nas/metrics", method: .get, headers: auth) { response in
                let body = try WireCoding.decoder.decode(MetricsHistoryResponse.self, from: Data(response.body.readableBytesView))
                #expect(body.range == .day && body.resolution == 1200, "the default range is a day, read at 20 minutes")
            }
        }
    }

    @Test("a bad range or series is a 400 that names the field and the choices; an unknown device or deployment a 404")
    func badQueries() async throws {
        let (_, app, auth, dir) = try await Self.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/devices/nas/metrics?range=2h", method: .get, headers: auth) { response in
                #expect(response.status == .badRequest)
                let said = try Self.error(response).message
                #expect(said == "range: '2h' is not one of 1h, 24h, 7d, 30d, 1y")
            }
            try await client.execute(uri: "/v1/devices/nas/metrics?series=cpu,gpu", method: .get, headers: auth) { response in
                #expect(response.status == .badRequest)
                let said = try Self.error(response).message
                #expect(said == "series: 'gpu' is not one of cpu, memory, disk, temperature, network")
            }
            try await client.execute(uri: "/v1/deployments/memos/metrics?series=disk", method: .get, headers: auth) { response in
                #expect(response.status == .badRequest)
                let said = try Self.error(response).message
                #expect(said == "series: a deployment has cpu, memory, network; disk is kept per device")
            }
            try await client.execute(uri: "/v1/devices/ghost/metrics", method: .get, headers: auth) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v1/deployments/ghost/metrics", method: .get, headers: auth) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v1/deployments/memos/metrics?range=7d", method: .get, headers: auth) { response in
                let body = try WireCoding.decoder.decode(MetricsHistoryResponse.self, from: Data(response.body.readableBytesView))
                #expect(body.deployment == "memos" && body.resolution == 3600 && body.series.isEmpty, "no usage recorded yet: no series")
            }
        }
    }

    @Test("health lists each device's colour with its reason; insights answer; a start without a current insight is a 404")
    func healthAndInsights() async throws {
        let (_, app, auth, dir) = try await Self.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/health", method: .get, headers: auth) { response in
                let report = try WireCoding.decoder.decode(HealthReport.self, from: Data(response.body.readableBytesView))
                #expect(report.thresholds == HealthThresholds())
                // Offline: no agent is connected in this test, whatever its last sample said.
                #expect(report.devices.map(\.health?.level) == [.red] && report.devices.first?.health?.reason == "unreachable")
            }
            try await client.execute(uri: "/v1/insights", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
                let insights = try WireCoding.decoder.decode(InsightsResponse.self, from: Data(response.body.readableBytesView))
                #expect(insights.items.isEmpty)
            }
            try await client.execute(uri: "/v1/insights/overload:device:nas:memory/start", method: .post, headers: auth) { response in
                #expect(response.status == .notFound)
                let said = try Self.error(response).message
                #expect(said == "no insight overload:device:nas:memory now (it may have cleared)")
            }
        }
    }

    @Test("an app is pinned and unpinned through the API")
    func pins() async throws {
        let (_, app, auth, dir) = try await Self.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await app.test(.router) { client in
            for (method, pinned) in [(HTTPRequest.Method.put, true), (.get, true), (.delete, false), (.get, false)] {
                try await client.execute(uri: "/v1/deployments/memos/pin", method: method, headers: auth) { response in
                    let status = try WireCoding.decoder.decode(PinStatus.self, from: Data(response.body.readableBytesView))
                    #expect(status == PinStatus(deployment: "memos", pinned: pinned))
                }
            }
            try await client.execute(uri: "/v1/deployments/ghost/pin", method: .put, headers: auth) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
