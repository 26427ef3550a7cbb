@testable import Controller
import Crypto
import Foundation
import GRDB
import Protocol
import Testing

/// Alerts delivered for real on loopback: an HTTP receiver for the webhook, ntfy, Gotify, Discord and Slack shapes.
@Suite("Alert delivery", .serialized)
struct AlertDeliveryTests {
    /// A controller that evaluates rules every 200 ms and retries failed deliveries after 100 ms, doubling.
    static func controller(_ dir: URL, ttl: TimeInterval = 20) async throws -> TestController {
        try await TestController.start(stateDirectory: dir, heartbeatTTL: ttl) { config in
            config.alerts.evaluationInterval = .milliseconds(200)
            config.alerts.deliveryInterval = .milliseconds(100)
            config.alerts.retryBase = 0.1
            config.alerts.maximumAttempts = 3
            config.insights.appSampleInterval = .seconds(3600)
        }
    }

    @Test("a webhook is posted as Standard Webhooks sign it: the HMAC checks with the secret, the JSON names the message")
    func signedWebhook() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let receiver = try await HTTPReceiver.start()
        let controller = try await Self.controller(dir)
        let alerts = controller.app.context.alerts
        let key = Data((0..<24).map { UInt8($0) })
        let secret = "whsec_" + key.base64EncodedString()
        _ = try await alerts.putChannel("hook", AlertChannelSpec(kind: .webhook, url: receiver.url("/hook"), secret: secret))
        let result = try await alerts.test("hook")
        #expect(result.delivered && result.detail == "HTTP 200")
        let request = try #require(try await receiver.wait(for: "/hook").first)
        let id = try #require(request.headers["webhook-id"]), timestamp = try #require(request.headers["webhook-timestamp"])
        var signed = Data("\(id).\(timestamp).".utf8)
        signed.append(request.body)
        let expected = Data(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: key))).base64EncodedString()
        #expect(request.headers["webhook-signature"] == "v1,\(expected)")
        #expect(abs(Double(timestamp)! - Date().timeIntervalSince1970) < 30)
        #expect(request.headers["content-type"] == "application/json")
        let json = try #require(request.json)
        #expect(json["type"] as? String == "alert.test")
        #expect((json["data"] as? [String: Any])?["title"] as? String == "alerts reach hook")
        // A body changed in transit no longer matches.
        var forged = Data("\(id).\(timestamp).".utf8)
        forged.append(Data(request.text.replacingOccurrences(of: "test", with: "firing").utf8))
        #expect(Data(HMAC<SHA256>.authenticationCode(for: forged, using: SymmetricKey(data: key))).base64EncodedString() != expected)
        #expect(try await alerts.channel("hook").status.state == .ok)
        await controller.stop()
        await receiver.stop()
    }

    @Test("ntfy gets its title, priority and tags headers and a bearer token; Gotify its key and JSON; Discord and Slack their JSON")
    func httpShapes() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let receiver = try await HTTPReceiver.start()
        let controller = try await Self.controller(dir)
        let alerts = controller.app.context.alerts
        _ = try await alerts.putChannel("phone", AlertChannelSpec(kind: .ntfy, url: receiver.url("/ntfy/homelab"), token: "tk_secret"))
        _ = try await alerts.putChannel("gotify", AlertChannelSpec(kind: .gotify, url: receiver.url("/gotify/"), token: "A1b2"))
        _ = try await alerts.putChannel("discord", AlertChannelSpec(kind: .discord, url: receiver.url("/discord/api/webhooks/1/xyz")))
        _ = try await alerts.putChannel("slack", AlertChannelSpec(kind: .slack, url: receiver.url("/slack/T0/B0/abc")))
        for name in ["phone", "gotify", "discord", "slack"] { #expect(try await alerts.test(name).delivered) }
        let ntfy = try #require(try await receiver.wait(for: "/ntfy/homelab").first)
        #expect(ntfy.headers["title"] == "[homelab] test: alerts reach phone")
        #expect(ntfy.headers["priority"] == "2" && ntfy.headers["tags"] == "test_tube,homelab")
        #expect(ntfy.headers["authorization"] == "Bearer tk_secret")
        #expect(ntfy.text.hasPrefix("This is a test from the homelab controller"))
        let gotify = try #require(try await receiver.wait(for: "/gotify/message").first)
        #expect(gotify.headers["x-gotify-key"] == "A1b2")
        #expect(gotify.json?["title"] as? String == "[homelab] test: alerts reach gotify" && gotify.json?["priority"] as? Int == 1)
        let discord = try #require(try await receiver.wait(for: "/discord/api/webhooks/1/xyz").first)
        #expect((discord.json?["content"] as? String)?.hasPrefix("**[homelab] test: alerts reach discord**\n") == true)
        #expect((discord.json?["allowed_mentions"] as? [String: Any])?["parse"] as? [String] == [])
        let slack = try #require(try await receiver.wait(for: "/slack/T0/B0/abc").first)
        #expect((slack.json?["text"] as? String)?.hasPrefix("*[homelab] test: alerts reach slack*\n") == true)
        // The Discord and Slack URLs are secrets: shown cut after the host.
        let shown = try await alerts.channels()
        #expect(shown.first { $0.name == "discord" }?.target == receiver.url("/…"))
        #expect(shown.first { $0.name == "phone" }?.target == receiver.url("/ntfy/homelab"))
        await controller.stop()
        await receiver.stop()
    }

    @Test("a receiver that answers 500 is retried with backoff, shown as failing, and no delivery is ever recorded")
    func failingReceiver() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let receiver = try await HTTPReceiver.start()
        let controller = try await Self.controller(dir)
        let alerts = controller.app.context.alerts
        _ = try await alerts.putChannel("broken", AlertChannelSpec(kind: .webhook, url: receiver.url("/fail")))
        _ = try await alerts.putChannel("fine", AlertChannelSpec(kind: .ntfy, url: receiver.url("/ok")))
        await #expect(throws: HomelabError.self) { try await alerts.test("broken") }
        // A deploy that failed and was rolled back: the default deploy-failed rule fires to every channel, and the alert
        // stays while the deployment does not run.
        let now = Date()
        let ghost = DeploymentResource(id: "ghost-id", name: "ghost", recipe: "ghost", recipeVersion: "1", category: "other", state: .rolledBack,
                                       components: [], inputs: [:], url: nil, exposed: false, error: nil, createdAt: now, updatedAt: now)
        try await controller.app.context.storeDeployment(ghost)
        await FailureLog(store: controller.app.context.store).record(.deploy, subject: "ghost", message: "Deploying ghost failed (pull failed)")
        _ = try await receiver.wait(for: "/fail", count: 4, timeout: .seconds(60))  // the test, then three attempts
        _ = try await receiver.wait(for: "/ok", timeout: .seconds(60))
        let deadline = ContinuousClock.now + .seconds(30)
        var broken: AlertDelivery?
        while ContinuousClock.now < deadline {
            broken = try await alerts.alerts().flatMap(\.deliveries).first { $0.channel == "broken" && $0.message == .firing }
            if broken?.state == .failed { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(broken?.state == .failed && broken?.attempts == 3 && broken?.deliveredAt == nil)
        #expect(broken?.lastError == "HTTP 500: boom")
        let status = try await alerts.channel("broken").status
        #expect(status.state == .failing && status.lastDeliveredAt == nil && status.consecutiveFailures == 4)
        #expect(try await alerts.channel("fine").status.state == .ok)
        let delivered = try await controller.app.context.store.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alertDelivery WHERE channel = 'broken' AND state = 'delivered'")
        }
        #expect(delivered == 0)
        await controller.stop()
        await receiver.stop()
    }

    @Test("a device offline for the rule's time alerts within it; back online, the same channel hears it resolved")
    func offlineThenResolved() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let receiver = try await HTTPReceiver.start()
        let controller = try await Self.controller(dir, ttl: 2)
        let alerts = controller.app.context.alerts
        _ = try await alerts.putChannel("hook", AlertChannelSpec(kind: .webhook, url: receiver.url("/hook")))
        _ = try await alerts.putRule("device-offline", AlertRuleSpec(kind: .deviceOffline, forSeconds: 1, severity: .critical))
        let token = try await controller.token(reusable: true)
        let agentDir = dir.appendingPathComponent("agent")
        var agent = try TestAgent.start(controllerPort: controller.agentPort, stateDirectory: agentDir, token: token.token, name: "flaky")
        try await controller.waitForDevice("flaky") { $0.status == .online }
        await agent.stop()
        let offline = try await controller.waitForDevice("flaky") { $0.status == .offline }
        let fired = try #require(try await receiver.wait(for: "/hook", timeout: .seconds(60)).first?.json)
        let elapsed = Date().timeIntervalSince(offline.lastSeenAt ?? Date())
        // The rule's second, the TTL and an evaluation or two; a loaded machine (the whole suite at once) is given more.
        #expect(elapsed < 1 + 2 + 10, "\(elapsed) s")
        #expect(fired["type"] as? String == "alert.firing")
        let data = try #require(fired["data"] as? [String: Any])
        #expect(data["title"] as? String == "flaky is offline" && data["severity"] as? String == "critical")
        #expect((data["alert"] as? [String: Any])?["subject"] as? String == "flaky")
        agent = try TestAgent.start(controllerPort: controller.agentPort, stateDirectory: agentDir, token: token.token, name: "flaky")
        let resolved = try #require(try await receiver.wait(for: "/hook", count: 2, timeout: .seconds(60)).last?.json)
        #expect(resolved["type"] as? String == "alert.resolved")
        #expect(((resolved["data"] as? [String: Any])?["title"] as? String) == "flaky is back online")
        // The receiver has both; the controller records the second once its answer is in.
        var listed = try await alerts.alerts()
        let recorded = ContinuousClock.now + .seconds(30)
        while listed.first?.deliveries.map(\.state) != [.delivered, .delivered], ContinuousClock.now < recorded {
            try await Task.sleep(for: .milliseconds(100))
            listed = try await alerts.alerts()
        }
        #expect(listed.count == 1, "one alert, deduplicated over the evaluations while it was offline")
        #expect(listed.first?.state == .resolved && listed.first?.deliveries.map(\.state) == [.delivered, .delivered])
        await agent.stop()
        await controller.stop()
        await receiver.stop()
    }

    @Test("channels and rules that cannot work are refused with every problem named by its field")
    func validation() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await Self.controller(dir)
        let alerts = controller.app.context.alerts
        await #expect(throws: HomelabError.self) { try await alerts.putChannel("Bad Name", AlertChannelSpec(kind: .ntfy, url: "https://ntfy.sh/x")) }
        do {
            _ = try await alerts.putChannel("g", AlertChannelSpec(kind: .gotify, url: "ftp://gotify", quietHours: "late"))
            Issue.record("accepted a bad channel")
        } catch let error as HomelabError {
            #expect(error.code == "invalid_channel" && error.httpStatus == 422)
            #expect(error.message.contains("quietHours:") && error.message.contains("url: an http:// or https:// URL"))
        }
        do {
            _ = try await alerts.putRule("r", AlertRuleSpec(kind: .threshold, metric: .cpu, above: 140, channels: ["nowhere"]))
            Issue.record("accepted a bad rule")
        } catch let error as HomelabError {
            #expect(error.code == "invalid_rule")
            #expect(error.message == "channels: no channel named 'nowhere'\nabove: cpu limits are 0 to 100, got 140.0")
        }
        await controller.stop()
    }
}
