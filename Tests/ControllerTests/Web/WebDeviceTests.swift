@testable import Controller
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Protocol
import Testing

@Suite("Dashboard device pages and the routes they added, with a real agent", .serialized)
struct WebDeviceTests {
    /// A running controller with one enrolled agent that has sent a few samples, and a router over it.
    static func withDevice(_ body: (TestController, Application<RouterResponder<APIRoutes.Context>>, String) async throws -> Void) async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await TestController.start(stateDirectory: dir.appendingPathComponent("controller"))
        let token = try await controller.token()
        let agent = try TestAgent.start(controllerPort: controller.agentPort, stateDirectory: dir.appendingPathComponent("agent"), token: token.token, name: "nas")
        try await controller.waitForDevice("nas") { $0.status == .online && $0.metrics?.cpu != nil }
        let (router, _) = APIRoutes(controller: controller.app.context).makeRouter()
        do {
            try await body(controller, Application(router: router), try #require(controller.app.newAdminToken))
        } catch {
            await agent.stop()
            await controller.stop()
            throw error
        }
        await agent.stop()
        await controller.stop()
    }

    @Test("the device page shows its health, facts, history charts from the metrics route, and the overview counts it")
    func devicePage() async throws {
        try await Self.withDevice { controller, app, admin in
            try await app.test(.router) { client in
                let web = try await WebClient.signedIn(client, token: admin)
                let page = try await web.get("/devices/nas")
                #expect(page.status == .ok)
                #expect(page.body.contains("health-green") || page.body.contains("health-yellow") || page.body.contains("health-red"))
                #expect(page.body.contains("<dt>Kernel</dt>"))
                #expect(page.body.contains(#"id="chart-cpu""#))
                #expect(page.body.contains(#"<polyline class="avg" points=""#))
                #expect(page.body.contains("CPU over the last hour: average"), "the agent's samples are drawn")
                let overview = try await web.get("/")
                #expect(overview.body.contains(#"data-device="nas""#))
                #expect(overview.body.contains("1 online"))
                #expect(overview.body.contains("nas came online"), "the activity feed")
            }
        }
    }

    @Test("labels are edited on the device page; a bad line is named and the text kept; the map groups by them")
    func labels() async throws {
        try await Self.withDevice { controller, app, admin in
            try await app.test(.router) { client in
                let web = try await WebClient.signedIn(client, token: admin)
                let bad = try await web.post("/devices/nas/labels", ["labels": "location=garage\nthis line is wrong"])
                #expect(bad.status == .badRequest)
                #expect(bad.body.contains("line 2"))
                #expect(bad.body.contains("this line is wrong"), "the text is kept")
                #expect(try await controller.registry.get("nas").labels.isEmpty)
                let saved = try await web.post("/devices/nas/labels", ["labels": "location=garage\nfunction=storage"])
                #expect(saved.status == .seeOther)
                #expect(try await controller.registry.get("nas").labels == ["location": "garage", "function": "storage"])
                let map = try await web.get("/map?group=location")
                #expect(map.body.contains(#"<h2 id="group-0">garage</h2>"#), "a labelled group comes before the unlabelled")
                let activity = try await client.execute(uri: "/v1/activity?limit=5", method: .get, headers: [.authorization: "Bearer \(admin)"]) {
                    try WireCoding.decoder.decode(ActivityPage.self, from: Data($0.body.readableBytesView))
                }
                // The audit entry of the form's call comes after the change it made (the audit writes once the answer is known).
                let change = activity.items.first { $0.type != "audit" }
                #expect(change?.message == "Labels of nas set to function=storage, location=garage")
                #expect(change?.device == "nas")
                #expect(activity.items.first?.type == "audit" && activity.items.first?.message.contains("admin (admin): POST /devices/nas/labels") == true,
                        "the dashboard's form is audited like the API call it stands for")
            }
        }
    }

    @Test("removing a device from its page needs its name typed; then it is gone")
    func remove() async throws {
        try await Self.withDevice { controller, app, admin in
            try await app.test(.router) { client in
                let web = try await WebClient.signedIn(client, token: admin)
                #expect(try await web.post("/devices/nas/remove", ["confirm": "nope"]).status == .badRequest)
                #expect(try await controller.registry.get("nas").status == .online)
                #expect(try await web.post("/devices/nas/remove", ["confirm": "nas"]).status == .seeOther)
                await #expect(throws: HomelabError.self) { try await controller.registry.get("nas") }
            }
        }
    }

    @Test("GET /v1/devices/{name}/metrics answers the agent's samples in buckets, and names a bad range or series")
    func metricsHistory() async throws {
        try await Self.withDevice { controller, app, admin in
            try await app.test(.router) { client in
                let auth: HTTPFields = [.authorization: "Bearer \(admin)"]
                let history = try await client.execute(uri: "/v1/devices/nas/metrics?range=1h&series=cpu,memory,network", method: .get, headers: auth) { response in
                    #expect(response.status == .ok)
                    return try WireCoding.decoder.decode(MetricsHistoryResponse.self, from: Data(response.body.readableBytesView))
                }
                #expect(history.device == "nas")
                #expect(history.resolution == 60)
                // Network is a rate: it has a point only from the second sample on, so the first seconds may lack it.
                #expect(Array(history.series.map(\.name).prefix(2)) == [.cpu, .memory] && history.series.count <= 3)
                #expect(history.series.map(\.unit) == Array([MetricsUnit.percent, .bytes, .bytesPerSecond].prefix(history.series.count)))
                let cpu = try #require(history.series.first?.points.first)
                #expect(cpu.avg >= 0 && cpu.avg <= 100 && cpu.max >= cpu.avg)
                #expect(try #require(history.series[1].points.first).avg > 0)
                for bad in ["range=2h", "series=cpu,fans"] {
                    try await client.execute(uri: "/v1/devices/nas/metrics?\(bad)", method: .get, headers: auth) { response in
                        #expect(response.status == .badRequest, "\(bad)")
                    }
                }
                try await client.execute(uri: "/v1/devices/ghost/metrics", method: .get, headers: auth) { #expect($0.status == .notFound) }
            }
        }
    }

    @Test("the devices list is live: its fragment follows the registry")
    func liveFragment() async throws {
        try await Self.withDevice { controller, app, admin in
            try await app.test(.router) { client in
                let web = try await WebClient.signedIn(client, token: admin)
                let fragment = try await web.get("/devices?fragment=live")
                #expect(!fragment.body.contains("<html"), "a fragment, not a page")
                #expect(fragment.body.contains(#"data-device="nas""#))
                #expect(try await web.get("/devices?fragment=nothing").status == .notFound)
            }
        }
    }
}
