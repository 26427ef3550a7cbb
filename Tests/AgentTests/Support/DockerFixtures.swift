import Foundation
import NIOCore
import Protocol
import TestSupport
@testable import Agent

/// What the tests against the real dockerd share: the locally made busybox image, the two loopback
/// registries holding it (`deploy/dev/test-fixtures.sh`), fresh project names and clean-up.
enum DockerFixtures {
    /// The fixture script's values.
    struct Values: Sendable {
        var image: String
        /// In the open registry only, with a layer this engine does not hold: pulling it moves bytes.
        var payload: String
        var openRegistry: String
        var authRegistry: String
        var username: String
        var password: String
    }

    /// Whether the real-daemon tests run (always under `make test`).
    static let enabled = DockerProbeTests.realDaemonTestEnabled

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// Runs the fixture script once per test process.
    static let values: Values = {
        let output = (try? Tools.run([repositoryRoot + "/deploy/dev/test-fixtures.sh"])) ?? ""
        var map: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { map[parts[0]] = parts[1] }
        }
        return Values(image: map["IMAGE"] ?? "fixtures-failed", payload: map["PAYLOAD"] ?? "", openRegistry: map["OPEN_REGISTRY"] ?? "", authRegistry: map["AUTH_REGISTRY"] ?? "",
                      username: map["USERNAME"] ?? "", password: map["PASSWORD"] ?? "")
    }()

    static var image: String { values.image }

    static func engine() -> DockerEngine {
        DockerEngine(socketPath: DockerProbeTests.realSocket)
    }

    /// A project name no other test uses.
    static func project(_ prefix: String) -> String {
        "hlt-\(prefix)-\(String(UInt32.random(in: .min ... .max), radix: 16))"
    }

    /// A reconciler keeping its projects in a fresh temporary directory.
    static func reconciler(_ engine: DockerEngine = engine()) -> StackReconciler {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("homelab-stacks-\(UUID().uuidString)").path
        var reconciler = StackReconciler(runtime: engine, projectsDirectory: directory, agentVersion: "test")
        reconciler.stopTimeout = 1
        return reconciler
    }

    /// Removes everything labelled with `project` (containers, networks, volumes), synchronously,
    /// so it can run from a `defer` and is done before the test process exits.
    static func cleanUp(_ project: String) {
        DockerCLI.removeProject(project)
    }

    /// What the engine holds for `project`: containers, networks and volumes.
    static func inventory(_ project: String, _ runtime: any ContainerRuntime) async throws -> (containers: [RuntimeContainer], networks: [String], volumes: [String]) {
        let label = [StackLabels.project: Optional(project)]
        return (try await runtime.containers(labelled: label), try await runtime.networks(labelled: label).map(\.name).sorted(),
                try await runtime.volumes(labelled: label).map(\.name).sorted())
    }

    /// A TCP port nobody listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Polls `condition` every 200 ms for up to `seconds`.
    static func eventually(_ seconds: Double = 60, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return try await condition()
    }

    /// A `docker run --rm` of the fixture image with `volume` at /v, running `script`; its output.
    static func inVolume(_ volume: String, _ script: String) throws -> String {
        try Tools.run(["docker", "run", "--rm", "--network", "none", "-v", "\(volume):/v", image, "sh", "-c", script])
    }

    /// Paths, modes, sizes, link targets and checksums of everything in a volume, one line per entry.
    static func walk(_ volume: String) throws -> String {
        try inVolume(volume, #"cd /v && find . | sort | while read -r f; do stat -c '%n %a %u:%g %s %F' "$f"; if [ -L "$f" ]; then readlink "$f"; elif [ -f "$f" ]; then md5sum "$f"; fi; done"#)
    }
}
