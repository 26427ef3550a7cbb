import Agent
import Controller
import Foundation
import Protocol
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The agent requests a migration calls besides the transfer itself, through a real controller link to
/// an agent on this machine's dockerd: measuring volumes, the room for them, pulling images ahead of
/// time, removing what a failed transfer made. Root only: the agent reads Docker's volume directories.
@Suite("Migration requests (real dockerd)", .serialized, .enabled(if: DockerForControllerTests.enabled && getuid() == 0))
struct MigrationRequestTests {
    static let fixtureScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/dev/test-fixtures.sh").path

    /// A controller and one agent with its transfers, on this machine's dockerd.
    static func withAgent(_ body: (TestController, String) async throws -> Void) async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let controller = try await TestController.start(stateDirectory: directory.appendingPathComponent("controller"))
        var peer = Transfers.Settings()
        peer.host = "127.0.0.1"
        peer.port = 0
        let agent = try TestAgent.start(controllerPort: controller.agentPort, stateDirectory: directory.appendingPathComponent("agent"),
                                        token: try await controller.token().token, name: "nas", peer: peer)
        do {
            try await agent.wait { $0.isConnected }
            try await body(controller, "nas")
        } catch {
            await agent.stop()
            await controller.stop()
            throw error
        }
        await agent.stop()
        await controller.stop()
    }

    static func docker(_ arguments: [String]) throws -> String {
        let result = try ChildProcess.run("/usr/bin/env", ["docker"] + arguments)
        guard result.status == 0 else { throw TestFailure("docker \(arguments.joined(separator: " ")): \(result.errors)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func name(_ prefix: String) -> String { "hlt-\(prefix)-\(String(UInt32.random(in: 0 ... .max), radix: 16))" }

    @Test("volume.usage measures each volume of a stack by walking it: blocks on disk, bytes with holes, entries")
    func usage() async throws {
        let project = Self.name("usage")
        let volume = project + "_data"
        _ = try Self.docker(["volume", "create", "--label", "com.docker.compose.project=\(project)", volume])
        defer { _ = try? Self.docker(["volume", "rm", "-f", volume]) }
        let directory = try Self.docker(["volume", "inspect", "-f", "{{.Mountpoint}}", volume])
        let filled = try await ChildProcess.run(
            "/bin/sh", ["-c", "head -c 1048576 /dev/urandom > a && truncate -s 64M sparse && mkdir d && printf x > d/b"], directory: directory)
        try #require(filled.status == 0, "\(filled.errors)")
        try await Self.withAgent { controller, device in
            let usage = try await controller.registry.ask(device, VolumeUsageRequest(project: project))
            #expect(usage.map(\.name) == [volume])
            let measured = try #require(usage.first)
            #expect(measured.entries == 5)
            #expect(measured.contentBytes == 1_048_576 + 64 << 20 + 1)
            #expect(measured.allocatedBytes > 1_048_576 && measured.allocatedBytes < 8 << 20, "the sparse file counts what it occupies")
            #expect(measured.labels["com.docker.compose.project"] == project)
            await #expect(throws: HomelabError.self) { try await controller.registry.ask(device, VolumeUsageRequest(volumes: ["../etc"])) }
        }
    }

    @Test("storage.free answers the size and free space where Docker keeps volumes")
    func storage() async throws {
        try await Self.withAgent { controller, device in
            let status = try await controller.registry.ask(device, StorageRequest())
            #expect(status.path == (try Self.docker(["info", "-f", "{{.DockerRootDir}}"])) + "/volumes")
            #expect(status.totalBytes > status.freeBytes && status.freeBytes > 0)
        }
    }

    @Test("stack.pull pulls the images a stack lacks and names those it has; an image that exists nowhere fails naming it")
    func pull() async throws {
        let fixtures = try await ChildProcess.run("/bin/bash", [Self.fixtureScript])
        try #require(fixtures.status == 0, "\(fixtures.errors)")
        let registry = fixtures.output.split(separator: "\n").first { $0.hasPrefix("OPEN_REGISTRY=") }.map { String($0.dropFirst(14)) } ?? ""
        // An image only this test has: pushed to the loopback registry, then dropped here, so the pull moves it back.
        let mine = "\(registry)/\(Self.name("pull")):1"
        _ = try Self.docker(["tag", StackRoutesTests.image, mine])
        _ = try Self.docker(["push", "-q", mine])
        _ = try Self.docker(["rmi", mine])
        defer { _ = try? Self.docker(["rmi", mine]) }
        try await Self.withAgent { controller, device in
            let spec = StackSpec(name: Self.name("pullstack"), services: ["a": ServiceSpec(image: mine), "b": ServiceSpec(image: StackRoutesTests.image)])
            let result = try await controller.registry.ask(device, StackPull(spec: spec), timeout: .seconds(120))
            #expect(result.pulled == [mine])
            #expect(result.present == [StackRoutesTests.image])
            #expect((try? Self.docker(["image", "inspect", "-f", "{{.Id}}", mine])) != nil)
            let missing = StackSpec(name: Self.name("pullstack"), services: ["a": ServiceSpec(image: "\(registry)/hlt-no-such-image:1")])
            await #expect { _ = try await controller.registry.ask(device, StackPull(spec: missing), timeout: .seconds(120)) } throws: { error in
                (error as? HomelabError)?.message.contains("hlt-no-such-image") == true
            }
        }
    }

    @Test("transfer.discard removes the volumes labelled for the migration that no container uses, and nothing else")
    func discard() async throws {
        let migration = Self.name("m")
        let free = Self.name("free") + "_data", used = Self.name("used") + "_data", other = Self.name("other") + "_data"
        for volume in [free, used] { _ = try Self.docker(["volume", "create", "--label", "io.homelab.migration=\(migration)", volume]) }
        _ = try Self.docker(["volume", "create", "--label", "io.homelab.migration=\(migration)-other", other])
        let container = try Self.docker(["create", "-v", "\(used):/data", StackRoutesTests.image, "true"])
        defer {
            _ = try? Self.docker(["rm", "-f", container])
            for volume in [free, used, other] { _ = try? Self.docker(["volume", "rm", "-f", volume]) }
        }
        try await Self.withAgent { controller, device in
            let discarded = try await controller.registry.ask(device, TransferDiscard(migration: migration))
            #expect(discarded.removed == [free])
            let left = try Self.docker(["volume", "ls", "-q"]).split(separator: "\n").map(String.init)
            #expect(!left.contains(free) && left.contains(used) && left.contains(other))
        }
    }
}
