import Controller
import Foundation
import Logging
import Protocol
import ServiceLifecycle
import TestSupport

/// Backups of one volume through the real path (controller → source agent → restic → the target
/// agent's REST server over mutual TLS → its folder, all on this machine), beside plain `restic` on
/// the same folder into a local repository, in the same run. Root only (volume folders are root's).
enum BackupBench {
    struct Figures {
        var firstOurs = 0.0, firstPlain = 0.0
        var secondOurs = 0.0, secondPlain = 0.0
        var firstUploaded: UInt64 = 0, secondUploaded: UInt64 = 0, secondPlainAdded: UInt64 = 0
        var firstDowntime = 0.0, secondDowntime = 0.0
        var restoreOurs = 0.0, restorePlain = 0.0
        var bytes: UInt64 = 0
    }

    static func run(binaries: URL, megabytes: Int) async throws -> Figures {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("homelab-backup-bench-\(UUID().uuidString.prefix(8))")
        let catalog = dir.appendingPathComponent("catalog")
        try FileManager.default.createDirectory(at: catalog, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try TestRecipes.backupFiles.write(to: catalog.appendingPathComponent("backup-files.yaml"), atomically: true, encoding: .utf8)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        _ = try AgentBench.output(URL(fileURLWithPath: "/bin/bash"), [root.appendingPathComponent("deploy/dev/test-fixtures.sh").path])

        var config = ControllerConfig(stateDirectory: dir.appendingPathComponent("controller"))
        config.catalogDirectories = [catalog]
        config.discovery.network.enabled = false
        config.apiHost = "127.0.0.1"
        config.agentHost = "127.0.0.1"
        config.apiPort = 0
        config.agentPort = 0
        var logger = Logger(label: "bench.backup")
        logger.logLevel = .error
        let app = try await ControllerApp.open(config: config, logger: logger)
        let group = ServiceGroup(configuration: .init(services: try app.services().map { .init(service: $0) }, logger: logger))
        let services = Task { try await group.run() }
        defer { services.cancel() }
        let agentPort = try await app.agentPort.wait()
        let token = try await app.context.tokens.createJoinToken(.init(reusable: true)).token
        var agents: [ChildProcess] = []
        defer { agents.forEach { $0.terminate(); $0.wait() } }
        for name in ["box", "nas"] {
            agents.append(try ChildProcess(binaries.appendingPathComponent("homelab-agent").path, [
                "--controller", "127.0.0.1:\(agentPort)", "--join-token", token, "--name", name, "--state-dir", dir.appendingPathComponent(name).path,
                "--discovery", "false", "--log-level", "error"]))
        }
        for name in ["box", "nas"] { try await waitOnline(app, name) }
        let targetPath = dir.appendingPathComponent("nas-backups")
        _ = try await app.context.backups.targets.add(device: "nas", BackupTargetRequest(path: targetPath.path, port: 20_000 + Int.random(in: 0..<9_999)))

        let name = "bench-\(UInt32.random(in: 0...UInt32.max) % 100_000)"
        defer { DockerCLI.removeProject(name) }
        let accepted = try await app.context.deployments.deploy(DeployRequest(recipe: "backup-files", name: name, placement: .devices(["*": "box"])))
        await app.context.deployments.idle()
        guard try await app.context.deployments.get(accepted.deployment.name).state == .running else { throw BenchError(description: "the bench app did not start") }
        let volume = DockerCLI.lines(["volume", "inspect", "\(name)_data", "--format", "{{.Mountpoint}}"]).first ?? ""
        // 1 MiB files of random bytes (incompressible, not deduplicable), so 1 % of the files is 1 % of the data.
        _ = try AgentBench.output(URL(fileURLWithPath: "/bin/sh"), ["-c", "for i in $(seq 1 \(megabytes)); do head -c 1048576 /dev/urandom > '\(volume)'/file$i; done"])

        var figures = Figures()
        figures.bytes = UInt64(megabytes) << 20
        let plain = dir.appendingPathComponent("plain-repo").path
        let environment = ["RESTIC_PASSWORD": "bench", "PATH": "/usr/bin:/bin"]
        let folder = URL(fileURLWithPath: volume).deletingLastPathComponent().path
        _ = try AgentBench.output(URL(fileURLWithPath: "/usr/bin/restic"), ["-r", plain, "init", "-q"], environment: environment)

        figures.firstPlain = try timed { _ = try AgentBench.output(URL(fileURLWithPath: "/usr/bin/restic"), ["-r", plain, "--no-cache", "backup", "-q", folder + "/_data"], environment: environment) }
        var before = size(targetPath)
        var started = Date()
        let first = try await app.context.backups.backup(name)
        figures.firstOurs = Date().timeIntervalSince(started)
        figures.firstUploaded = size(targetPath) - before
        figures.firstDowntime = first.status.backup?.downtimeSeconds ?? 0

        let changed = max(1, megabytes / 100)
        _ = try AgentBench.output(URL(fileURLWithPath: "/bin/sh"), ["-c", "for i in $(seq 1 \(changed)); do head -c 1048576 /dev/urandom > '\(volume)'/file$i; done"])
        let plainBefore = size(URL(fileURLWithPath: plain))
        figures.secondPlain = try timed { _ = try AgentBench.output(URL(fileURLWithPath: "/usr/bin/restic"), ["-r", plain, "--no-cache", "backup", "-q", folder + "/_data"], environment: environment) }
        figures.secondPlainAdded = size(URL(fileURLWithPath: plain)) - plainBefore
        before = size(targetPath)
        started = Date()
        let second = try await app.context.backups.backup(name)
        figures.secondOurs = Date().timeIntervalSince(started)
        figures.secondUploaded = size(targetPath) - before
        figures.secondDowntime = second.status.backup?.downtimeSeconds ?? 0

        started = Date()
        _ = try await app.context.backups.restore(name, backupRun: second.run)
        figures.restoreOurs = Date().timeIntervalSince(started)
        let target = dir.appendingPathComponent("plain-restore").path
        figures.restorePlain = try timed { _ = try AgentBench.output(URL(fileURLWithPath: "/usr/bin/restic"), ["-r", plain, "--no-cache", "restore", "latest", "--target", target], environment: environment) }

        await group.triggerGracefulShutdown()
        _ = try? await services.value
        return figures
    }

    private static func waitOnline(_ app: ControllerApp, _ name: String) async throws {
        for _ in 0..<300 {
            if (try? await app.context.registry.get(name))?.status == .online { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError(description: "\(name) did not come online")
    }

    private static func timed(_ body: () throws -> Void) throws -> Double {
        let start = Date()
        try body()
        return Date().timeIntervalSince(start)
    }

    /// Bytes of the regular files under `folder`.
    private static func size(_ folder: URL) -> UInt64 {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey]) else { return 0 }
        return walker.reduce(UInt64(0)) { total, item in
            total + UInt64((try? (item as? URL)?.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
        }
    }
}
