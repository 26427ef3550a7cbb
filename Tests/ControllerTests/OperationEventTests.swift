import Controller
import Foundation
import NIOCore
import NIOPosix
import Protocol
import Testing

/// Scans and bootstraps run on the controller's operation runner and report on the event hub.
@Suite("Scan and bootstrap operations on a live controller")
struct OperationEventTests {
    /// Collects events until `done` says so or `limit` passes.
    static func collect(_ events: AsyncStream<RegistryEvent>, within limit: Duration, until done: @escaping @Sendable ([RegistryEvent]) -> Bool) async -> [RegistryEvent] {
        let task = Task {
            var seen: [RegistryEvent] = []
            for await event in events {
                seen.append(event)
                if done(seen) { break }
            }
            return seen
        }
        let timer = Task { try await Task.sleep(for: limit); task.cancel() }
        let seen = await task.value
        timer.cancel()
        return seen
    }

    @Test("a loopback scan reports started, found and finished as scan.progress events, and its hosts are stored")
    func scanEvents() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await TestController.start(stateDirectory: dir.appendingPathComponent("controller"))
        let events = controller.app.context.events.subscribe()
        let scan = try await controller.app.context.scans.start(ScanRequest(targets: ["127.0.0.1"], ports: [controller.apiPort], reverseDNS: false))
        #expect(scan.state == .running)
        let seen = await Self.collect(events, within: .seconds(30)) { $0.contains { $0.scan?.phase == "finished" } }
        let phases = seen.compactMap(\.scan).filter { $0.scan == scan.id }.map(\.phase)
        #expect(phases.first == "started")
        #expect(phases.contains("found"))
        #expect(phases.last == "finished")
        #expect(seen.allSatisfy { $0.type == .scanProgress && $0.device == nil })
        let done = try await controller.app.context.scans.get(scan.id)
        #expect(done.state == .completed)
        #expect(done.candidates.map(\.address) == ["127.0.0.1"])
        #expect(done.candidates.first?.services.map(\.port) == [controller.apiPort])
        #expect(try await controller.app.context.scans.candidates().map(\.address) == ["127.0.0.1"])
        await controller.stop()
    }

    @Test("a bootstrap to a port where nothing listens fails at connect, as bootstrap.progress events, with nothing stored")
    func bootstrapConnectFails() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await TestController.start(stateDirectory: dir.appendingPathComponent("controller"))
        // A port bound and closed again: nothing listens there.
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(probe.localAddress?.port)
        try await probe.close()
        let events = controller.app.context.events.subscribe()
        let operation = try await controller.app.context.bootstrap.install(BootstrapRequest(host: "127.0.0.1", port: port, password: "unused"))
        let seen = await Self.collect(events, within: .seconds(30)) { $0.contains { $0.bootstrap?.state == .failed } }
        let steps = seen.compactMap(\.bootstrap).filter { $0.id == operation.id }.map { "\($0.step.step):\($0.step.status)" }
        #expect(steps == ["connect:started", "connect:failed"])
        let failed = try await controller.app.context.bootstrap.get(operation.id)
        #expect(failed.failure?.code == "connect_failed")
        #expect(failed.failure?.message.contains("Connection refused") == true, "\(failed.failure?.message ?? "")")
        #expect(try await controller.app.context.bootstrap.hosts.list().isEmpty)
        await #expect(throws: HomelabError.self) {
            try await controller.app.context.bootstrap.install(BootstrapRequest(host: "127.0.0.1"))  // no key, no password
        }
        await controller.stop()
    }
}
