import Agent
@testable import Controller
import Foundation
import Protocol
import Testing

/// The agent checks every name the controller sends, whatever the controller checked (issue 14, rows 1 and 2):
/// these requests go straight through the registry, past the API's checks.
@Suite("The agent refuses names that climb out, on its own", .serialized)
struct AgentNameCheckTests {
    /// A controller and an agent "pi" serving stacks (no Docker needed: every refusal comes before Docker is asked).
    static func start(in dir: URL) async throws -> (TestController, TestAgent) {
        let controller = try await TestController.start(stateDirectory: dir.appendingPathComponent("controller"))
        let token = try await controller.token()
        let state = dir.appendingPathComponent("agent")
        let reconciler = StackReconciler(runtime: DockerEngine(socketPath: dir.appendingPathComponent("no-docker.sock").path),
                                         projectsDirectory: state.appendingPathComponent("stacks").path, agentVersion: "test")
        let agent = try TestAgent.start(controllerPort: controller.agentPort, stateDirectory: state, token: token.token, name: "pi",
                                        stacks: StackRequests(reconciler: reconciler))
        try await agent.wait { $0.isConnected }
        return (controller, agent)
    }

    @Test("row 1: removing, stopping or reading stack '..' is refused by the agent with invalid_name and its state stays")
    func agentRefusesDotDot() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (controller, agent) = try await Self.start(in: dir)
        let state = dir.appendingPathComponent("agent")
        try FileManager.default.createDirectory(at: state.appendingPathComponent("stacks/app"), withIntermediateDirectories: true)
        for project in ["..", ".", "../..", "app/../.."] {
            let remove = await #expect(throws: HomelabError.self) {
                _ = try await controller.registry.ask("pi", StackAction(stack: StackRef(project: project), verb: .remove, removeVolumes: true))
            }
            #expect(remove?.code == "invalid_name", "\(project)")
            let logs = await #expect(throws: HomelabError.self) {
                _ = try await controller.registry.ask("pi", StackStatsRequest(StackRef(project: "app", services: [project])))
            }
            #expect(logs?.code == "invalid_name", "service \(project)")
        }
        #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("device-id").path))
        #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("stacks/app").path))
        await agent.stop()
        await controller.stop()
    }

    @Test("row 2: an apply whose file keys climb out is refused by the agent before anything is written")
    func agentRefusesFileTraversal() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (controller, agent) = try await Self.start(in: dir)
        let state = dir.appendingPathComponent("agent")
        let spec = StackSpec(name: "app", services: ["web": ServiceSpec(image: "busybox")], files: ["../../../pwned.txt": "owned"])
        let error = await #expect(throws: HomelabError.self) {
            _ = try await controller.registry.ask("pi", StackApply(spec: spec))
        }
        #expect(error?.code == "invalid_spec")
        #expect(error?.message.contains("x-homelab-files.../../../pwned.txt") == true)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("pwned.txt").path))
        #expect(!FileManager.default.fileExists(atPath: state.appendingPathComponent("pwned.txt").path))
        await agent.stop()
        await controller.stop()
    }
}
