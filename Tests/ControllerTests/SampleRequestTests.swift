import Agent
import Controller
import Foundation
import Protocol
import Testing

@Suite("Samples on request")
struct SampleRequestTests {
    @Test("the controller asks a connected agent for a sample and keeps it as the latest; an offline device is a conflict")
    func sampleNow() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await TestController.start(stateDirectory: dir.appendingPathComponent("controller"))
        let agent = try TestAgent.start(controllerPort: controller.agentPort, stateDirectory: dir.appendingPathComponent("a"),
                                        token: try await controller.token().token, name: "probe",
                                        sampleInterval: .seconds(600))  // one sample at connect, then only on request
        try await agent.wait { $0.isConnected }
        let first = try await controller.waitForDevice("probe") { $0.status == .online && $0.metrics != nil }

        let asked = Date()
        let sample = try await controller.registry.sampleNow("probe")
        #expect(sample.time >= asked.addingTimeInterval(-1), "taken when asked, not an old one")
        // The sample at connect has no CPU share yet (nothing to compare with); this one has.
        #expect(first.metrics?.cpu == nil)
        #expect(sample.cpu != nil)
        #expect(sample.memory != nil)
        #expect(try await controller.registry.get("probe").metrics == sample, "it becomes the device's latest sample")

        await agent.stop()
        try await controller.waitForDevice("probe") { $0.status == .offline }
        do {
            _ = try await controller.registry.sampleNow("probe")
            Issue.record("an offline device answered")
        } catch let error as HomelabError {
            #expect(error.httpStatus == 409)
            #expect(error.message.contains("probe is offline"))
        }
        await controller.stop()
    }
}
