import Agent
import Controller
import Foundation
import Protocol
import Testing

@Suite("Controller housekeeping", .serialized)
struct HousekeepingTests {
    @Test("metrics history is kept per sample and pruned past the retention")
    func metricsRetention() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await TestController.start(stateDirectory: dir.appendingPathComponent("controller"))
        let agent = try TestAgent.start(controllerPort: controller.agentPort, stateDirectory: dir.appendingPathComponent("a"),
                                        token: try await controller.token().token, name: "historian")
        try await agent.wait { $0.isConnected }
        let device = try await controller.waitForDevice("historian") { $0.metrics != nil }
        let deadline = ContinuousClock.now + .seconds(10)
        while try await controller.registry.metricsHistoryCount(deviceID: device.id) < 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        let kept = try await controller.registry.metricsHistoryCount(deviceID: device.id)
        #expect(kept >= 3)
        #expect(try await controller.registry.pruneMetrics(olderThan: Date().addingTimeInterval(-3600)) == 0)
        await agent.stop()
        let pruned = try await controller.registry.pruneMetrics(olderThan: Date().addingTimeInterval(1))
        #expect(pruned >= kept)
        #expect(try await controller.registry.metricsHistoryCount(deviceID: device.id) == 0)
        await controller.stop()
    }

    @Test("a removed device's Prometheus series disappear with it")
    func prometheusSeriesFollowDevices() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await TestController.start(stateDirectory: dir.appendingPathComponent("controller"))
        let agent = try TestAgent.start(controllerPort: controller.agentPort, stateDirectory: dir.appendingPathComponent("a"),
                                        token: try await controller.token().token, name: "counted")
        try await controller.waitForDevice("counted") { $0.status == .online && $0.metrics?.memory != nil }
        let metrics = controller.app.context.metrics
        let before = await metrics.render(registry: controller.registry)
        #expect(before.contains(#"homelab_device_online{device="counted"} 1"#))
        #expect(before.contains(#"homelab_devices{status="online"} 1"#))
        await agent.stop()
        try await controller.registry.remove("counted")
        let after = await metrics.render(registry: controller.registry)
        #expect(!after.contains(#"device="counted""#))
        #expect(after.contains(#"homelab_devices{status="online"} 0"#))
        await controller.stop()
    }

    @Test("connections without a certificate beyond the limit are refused with 'busy', enrolled devices are not")
    func anonymousConnectionLimit() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("controller")
        let open = try await TestController.start(stateDirectory: state)
        let agent = try TestAgent.start(controllerPort: open.agentPort, stateDirectory: dir.appendingPathComponent("a"),
                                        token: try await open.token().token, name: "early")
        try await agent.wait { $0.isConnected }
        await agent.stop()
        let port = open.agentPort
        await open.stop()

        let full = try await TestController.start(stateDirectory: state, agentPort: port, maximumAnonymous: 0)
        let late = try TestAgent.start(controllerPort: full.agentPort, stateDirectory: dir.appendingPathComponent("b"),
                                       token: try await full.token().token, name: "late")
        let refused = try await late.wait { $0.failure != nil }
        #expect(refused.failure?.contains("too many enrolling connections") == true)
        let again = try TestAgent.start(controllerPort: full.agentPort, stateDirectory: dir.appendingPathComponent("a"), name: "early")
        try await again.wait { $0.isConnected }
        await late.stop(); await again.stop()
        await full.stop()
    }
}
