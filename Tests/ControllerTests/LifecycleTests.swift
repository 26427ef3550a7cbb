import Agent
import Controller
import Foundation
import Protocol
import Testing
import TestSupport

@Suite("Device lifecycle with real agent processes", .serialized)
struct LifecycleTests {
    @Test("a device goes offline when its agent process is killed and online when it comes back")
    func offlineWhenKilled() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await TestController.start(stateDirectory: dir.appendingPathComponent("controller"), heartbeatTTL: 2)
        let token = try await controller.token()
        let arguments = ["--controller", "127.0.0.1:\(controller.agentPort)", "--state-dir", dir.appendingPathComponent("agent").path,
                         "--name", "laptop", "--sample-interval", "500ms", "--docker-socket", dir.appendingPathComponent("no-docker.sock").path]
        let first = try AgentProcess(arguments: arguments + ["--join-token", token.token], log: dir.appendingPathComponent("agent1.log"))
        try await controller.waitForDevice("laptop") { $0.status == .online && $0.metrics != nil }
        first.kill()
        try await controller.waitForDevice("laptop") { $0.status == .offline }
        // Restarted without the (now used) token: the stored certificate is enough.
        let second = try AgentProcess(arguments: arguments, log: dir.appendingPathComponent("agent2.log"))
        try await controller.waitForDevice("laptop") { $0.status == .online }
        second.terminate()
        try await controller.waitForDevice("laptop") { $0.status == .offline }
        await controller.stop()
    }

    @Test("a silent agent whose connection stays open goes offline after the heartbeat TTL")
    func offlineAfterHeartbeatTTL() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await TestController.start(stateDirectory: dir.appendingPathComponent("controller"), heartbeatTTL: 1.5)
        let token = try await controller.token()
        let arguments = ["--controller", "127.0.0.1:\(controller.agentPort)", "--state-dir", dir.appendingPathComponent("agent").path,
                         "--name", "frozen", "--sample-interval", "500ms", "--join-token", token.token]
        let agent = try AgentProcess(arguments: arguments, log: dir.appendingPathComponent("agent.log"))
        try await controller.waitForDevice("frozen") { $0.status == .online }
        // SIGSTOP freezes the process: the TCP connection stays up but nothing is sent.
        agent.child.signal(SIGSTOP)
        try await controller.waitForDevice("frozen") { $0.status == .offline }
        agent.child.signal(SIGCONT)
        try await controller.waitForDevice("frozen") { $0.status == .online }
        agent.terminate()
        await controller.stop()
    }

    @Test("a controller restarted on the same state keeps every device and the agents reconnect by themselves")
    func controllerRestartKeepsDevices() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("controller")
        let controller = try await TestController.start(stateDirectory: state)
        let token = try await controller.token(reusable: true)
        let agents = try (1...3).map { n in
            try TestAgent.start(controllerPort: controller.agentPort, stateDirectory: dir.appendingPathComponent("agent\(n)"), token: token.token, name: "pi-\(n)")
        }
        for agent in agents { try await agent.wait { $0.isConnected } }
        let before = try await controller.registry.list()
        #expect(before.map(\.name) == ["pi-1", "pi-2", "pi-3"])
        let port = controller.agentPort
        await controller.stop()
        for name in ["pi-1", "pi-2", "pi-3"] {
            // While the controller is down the agents retry with backoff.
            _ = name
        }
        let restarted = try await TestController.start(stateDirectory: state, agentPort: port)
        #expect(restarted.app.newAdminToken == nil, "the admin token is created on first start only")
        for name in ["pi-1", "pi-2", "pi-3"] {
            let device = try await restarted.waitForDevice(name) { $0.status == .online }
            #expect(before.first { $0.name == name }?.id == device.id)
        }
        for agent in agents { await agent.stop() }
        await restarted.stop()
    }
}

@Suite("Many devices at once", .serialized)
struct ManyDevicesTests {
    @Test("agents stopped all at once are all offline promptly, through disconnects rather than the heartbeat TTL")
    func simultaneousStops() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A TTL far longer than the test: only disconnects can mark the devices offline.
        let controller = try await TestController.start(stateDirectory: dir.appendingPathComponent("controller"), heartbeatTTL: 600)
        let token = try await controller.token(reusable: true)
        let names = (1...6).map { "node-\($0)" }
        let agents = try names.map { name in
            try AgentProcess(arguments: ["--controller", "127.0.0.1:\(controller.agentPort)", "--join-token", token.token, "--name", name,
                                        "--state-dir", dir.appendingPathComponent(name).path, "--sample-interval", "300ms",
                                        "--docker-socket", dir.appendingPathComponent("none.sock").path],
                             log: dir.appendingPathComponent("\(name).log"))
        }
        for name in names { try await controller.waitForDevice(name) { $0.status == .online && $0.metrics != nil } }
        for agent in agents { agent.child.terminate() }
        for agent in agents { await agent.child.exited() }
        for name in names { try await controller.waitForDevice(name, timeout: .seconds(60)) { $0.status == .offline } }
        await controller.stop()
    }
}
