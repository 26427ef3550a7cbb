import Agent
import Controller
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Protocol
import Synchronization
import Testing
import TestSupport

/// The stack routes end to end: HTTP API → controller → mutual-TLS link → agent → real dockerd.
@Suite("Stacks through the API (real dockerd)", .enabled(if: DockerForControllerTests.enabled))
struct StackRoutesTests {
    static let socket = DockerForControllerTests.socket
    static let image = "homelab-test/busybox:1"
    /// Makes the image (`deploy/dev/test-fixtures.sh`).
    static let fixtureScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/dev/test-fixtures.sh").path
 
    static func spec(_ project: String) -> StackSpec {
        var app = ServiceSpec(image: image)
        app.command = ["sh", "-c", "echo first; sleep 0.3; echo second >&2; exec sleep 3600"]
        var broken = ServiceSpec(image: image)
        broken.command = ["sh", "-c", "sleep 1; exit 7"]
        return StackSpec(name: project, services: ["app": app, "broken": broken])
    }

    @Test("apply, list, logs, stats, stop and remove over HTTP; progress and container events reach the event hub")
    func roundTrip() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixtures = try await ChildProcess.run("/bin/bash", [Self.fixtureScript])
        try #require(fixtures.status == 0, "\(Self.fixtureScript): \(fixtures.errors)")
        let controller = try await TestController.start(stateDirectory: dir.appendingPathComponent("controller"))
        var reconciler = StackReconciler(runtime: DockerEngine(socketPath: Self.socket), projectsDirectory: dir.appendingPathComponent("stacks").path,
                                         agentVersion: "test")
        reconciler.stopTimeout = 1
        let agent = try TestAgent.start(controllerPort: controller.agentPort, stateDirectory: dir.appendingPathComponent("agent"),
                                        token: try await controller.token().token, name: "box", stacks: StackRequests(reconciler: reconciler))
        try await agent.wait { $0.isConnected }
        _ = try await controller.waitForDevice("box") { $0.status == .online }
        let project = "hlt-api-\(String(UInt32.random(in: .min ... .max), radix: 16))"
        defer {
            // Whatever the test left (it removes the stack itself when all goes well), before the process exits.
            DockerCLI.removeProject(project)
        }
        let seen = Mutex<[RegistryEvent]>([])
        let events = controller.app.context.events.subscribe()
        let watcher = Task {
            for await event in events where event.type == .stackProgress || event.type == .containerEvent {
                seen.withLock { $0.append(event) }
            }
        }
        defer { watcher.cancel() }

        let admin = try #require(controller.app.newAdminToken)
        let auth: HTTPFields = [.authorization: "Bearer \(admin)", .contentType: "application/json"]
        let (router, _) = APIRoutes(controller: controller.app.context).makeRouter()
        try await Application(router: router).test(.router) { client in
            let base = "/v1/devices/box/stacks"
            var bad = Self.spec(project)
            bad.services["app"]!.ports = [PortSpec(target: 99_999)]
            try await client.execute(uri: "\(base)/\(project)", method: .put, headers: auth,
                                     body: ByteBuffer(data: try WireCoding.encoder.encode(StackApply(spec: bad)))) { response in
                #expect(response.status == .unprocessableContent)
                #expect(String(buffer: response.body).contains("services.app.ports[0].target"))
            }
            try await client.execute(uri: "\(base)/\(project)", method: .put, headers: auth,
                                     body: ByteBuffer(data: try WireCoding.encoder.encode(StackApply(spec: Self.spec(project))))) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                let result = try WireCoding.decoder.decode(StackApplyResult.self, from: Data(response.body.readableBytesView))
                #expect(result.services.map(\.change) == [.created, .created])
            }
            try await client.execute(uri: base, method: .get, headers: auth) { response in
                let list = try WireCoding.decoder.decode(ListResponse<StackStatus>.self, from: Data(response.body.readableBytesView))
                #expect(list.items.first { $0.project == project }?.containers.map(\.service).sorted() == ["app", "broken"])
            }
            try await Task.sleep(for: .milliseconds(500))
            try await client.execute(uri: "\(base)/\(project)/logs?service=app&tail=10", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
                let lines = String(buffer: response.body).split(separator: "\n").map { try? WireCoding.decoder.decode(LogLine.self, from: Data($0.utf8)) }
                #expect(lines.map { $0.map { "\($0.stream.rawValue) \($0.text)" } } == ["stdout first", "stderr second"])
            }
            try await client.execute(uri: "\(base)/\(project)/logs?service=nope", method: .get, headers: auth) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "\(base)/\(project)/stats?service=app", method: .get, headers: auth) { response in
                let stats = try WireCoding.decoder.decode(StackStats.self, from: Data(response.body.readableBytesView))
                #expect(stats.services["app"]?.memoryBytes ?? 0 > 0)
            }
            try await client.execute(uri: "\(base)/\(project)/stop?service=app", method: .post, headers: auth) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "\(base)/\(project)/explode", method: .post, headers: auth) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "\(base)/\(project)?volumes=true", method: .delete, headers: auth) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: base, method: .get, headers: auth) { response in
                let list = try WireCoding.decoder.decode(ListResponse<StackStatus>.self, from: Data(response.body.readableBytesView))
                #expect(!list.items.contains { $0.project == project })
            }
        }
        let received = seen.withLock { $0 }
        let done = received.contains { event in event.stack?.project == project && event.stack?.phase == .done && event.device?.name == "box" }
        let died = received.contains { event in
            guard let container = event.container else { return false }
            return container.project == project && container.service == "broken" && container.action == "die"
        }
        #expect(done)
        #expect(died)
        await agent.stop()
        await controller.stop()
    }
}

/// Whether the real dockerd is there (always under `make test`).
enum DockerForControllerTests {
    static let socket = DockerProbe.socketPath(explicit: nil, dockerHost: ProcessInfo.processInfo.environment["DOCKER_HOST"])
    static let enabled = ProcessInfo.processInfo.environment["HOMELAB_REQUIRE_DOCKER"] == "1" || FileManager.default.fileExists(atPath: socket)
}
