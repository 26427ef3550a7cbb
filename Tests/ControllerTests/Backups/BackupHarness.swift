import Controller
import Foundation
import Protocol
import Synchronization
import Testing
import TestSupport

/// A controller, a source device `box` and a backup target `nas`: two real agent processes on this
/// machine, `box` with this machine's dockerd, `nas` serving restic's REST protocol on a free port.
final class BackupHarness: Sendable {
    let dir: URL
    let token: String
    let targetPort: Int
    let targetPath: URL
    private let state: Mutex<(controller: TestController, source: AgentProcess, target: AgentProcess, projects: [String])>
    /// The controller now.
    var controller: TestController { state.withLock { $0.controller } }
    var backups: BackupCoordinator { controller.app.context.backups }
    /// The source agent's process now.
    var source: AgentProcess { state.withLock { $0.source } }
    /// The target agent's process now.
    var target: AgentProcess { state.withLock { $0.target } }

    private init(dir: URL, controller: TestController, token: String, source: AgentProcess, target: AgentProcess, targetPort: Int, targetPath: URL) {
        self.dir = dir
        self.token = token
        self.targetPort = targetPort
        self.targetPath = targetPath
        state = Mutex((controller, source, target, []))
    }

    /// Stops the controller and starts a new one on the same state and agent port; waits for both agents.
    func restartController() async throws {
        let old = controller
        await old.stop()
        let fresh = try await Self.controller(dir: dir, agentPort: old.agentPort)
        state.withLock { $0.controller = fresh }
        for device in ["box", "nas"] { try await fresh.waitForDevice(device, timeout: .seconds(30)) { $0.status == .online } }
    }

    private static func controller(dir: URL, agentPort: Int = 0) async throws -> TestController {
        var settings = DeploymentSettings()
        settings.healthTimeout = 30
        settings.deviceWait = .seconds(30)
        return try await TestController.start(stateDirectory: dir.appendingPathComponent("controller"), agentPort: agentPort,
                                              catalog: [dir.appendingPathComponent("catalog")], deployments: settings)
    }

    /// Runs `body` with a fresh harness, and always stops it and removes what it made.
    static func with(_ name: String = #function, targetPath: URL? = nil, _ body: (BackupHarness) async throws -> Void) async throws {
        let harness = try await start(name, targetPath: targetPath)
        do {
            try await body(harness)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    /// Recipes whose volumes the tests back up: stop mode (busybox), dump mode with a FAKE pg_dump that
    /// fails, dump mode with a real sqlite3, and a health check that depends on the data.
    static let recipes: [String: String] = [
        "backup-files": TestRecipes.backupFiles,
        "backup-fakepg": """
            id: backup-fakepg
            name: Backup with a fake PostgreSQL
            tagline: A FAKE pg_dump that writes half a dump and fails
            category: other
            version: "1.0"
            architectures: [amd64]
            components:
              - name: db
                compose:
                  services:
                    db:
                      image: homelab-test/fake-postgres:1
                      command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                      volumes: ["pgdata:/var/lib/postgresql/data"]
                  volumes:
                    pgdata: {}
                backup:
                  mode: dump
                  dumps:
                    - service: db
                      kind: postgres
            """,
        "backup-health": """
            id: backup-health
            name: Backup with a data-dependent health check
            tagline: Healthy only while /data/ok exists (made at the first start only)
            category: other
            version: "1.0"
            architectures: [amd64]
            components:
              - name: app
                compose:
                  services:
                    app:
                      image: homelab-test/busybox:1
                      command: ["sh", "-c", "[ -f /data/seeded ] || touch /data/seeded /data/ok; trap 'exit 0' TERM; while true; do sleep 1; done"]
                      volumes: ["data:/data"]
                      healthcheck: {test: ["CMD", "test", "-f", "/data/ok"], interval: 1s, timeout: 1s, retries: 2}
                  volumes:
                    data: {}
            """,
        "backup-sqlite": """
            id: backup-sqlite
            name: Backup with SQLite
            tagline: A real sqlite3 dumped while the app runs
            category: other
            version: "1.0"
            architectures: [amd64]
            components:
              - name: app
                compose:
                  services:
                    app:
                      image: homelab-test/sqlite:1
                      command: ["sh", "-c", "sqlite3 /data/app.db 'CREATE TABLE IF NOT EXISTS notes(body TEXT); INSERT INTO notes VALUES (\\"kept\\");'; trap 'exit 0' TERM; while true; do sleep 1; done"]
                      volumes: ["data:/data"]
                  volumes:
                    data: {}
                backup:
                  mode: dump
                  dumps:
                    - service: app
                      kind: sqlite
                      path: /data/app.db
                  hooks:
                    pre: [{service: app, command: ["touch", "/data/pre-hook-ran"]}]
            """,
    ]

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Starts everything; `targetPath` is the target's folder (default: one in the test's directory).
    static func start(_ name: String = #function, targetPath: URL? = nil) async throws -> BackupHarness {
        let dir = try temporaryDirectory(name)
        for script in ["deploy/dev/test-fixtures.sh", "deploy/dev/backup-test-images.sh"] {
            let done = try await ChildProcess.run("/bin/bash", [repositoryRoot.appendingPathComponent(script).path])
            try #require(done.status == 0, "\(script): \(done.errors)")
        }
        let catalog = dir.appendingPathComponent("catalog")
        try FileManager.default.createDirectory(at: catalog, withIntermediateDirectories: true)
        for (id, text) in recipes { try text.write(to: catalog.appendingPathComponent("\(id).yaml"), atomically: true, encoding: .utf8) }
        let controller = try await controller(dir: dir)
        let token = try await controller.token(reusable: true).token
        let source = try agent("box", dir: dir, controller: controller, token: token)
        let target = try agent("nas", dir: dir, controller: controller, token: token)
        let port = try freePort()
        let path = targetPath ?? dir.appendingPathComponent("nas-backups")
        do {
            for device in ["box", "nas"] { try await controller.waitForDevice(device) { $0.status == .online } }
            _ = try await controller.app.context.backups.targets.add(device: "nas", BackupTargetRequest(path: path.path, port: port))
        } catch {
            source.terminate()
            target.terminate()
            await controller.stop()
            throw error
        }
        return BackupHarness(dir: dir, controller: controller, token: token, source: source, target: target, targetPort: port, targetPath: path)
    }

    /// An agent process; it pings every 2 s, so a session ends after 6 s without a reply (three
    /// intervals): with the whole suite starting at once on 2 cores, a 3 s stall of this test process
    /// happens, and a session dropped under a test's request fails it for nothing it checks.
    static func agent(_ name: String, dir: URL, controller: TestController, token: String) throws -> AgentProcess {
        try AgentProcess(arguments: ["--controller", "127.0.0.1:\(controller.agentPort)", "--join-token", token, "--name", name,
                                     "--state-dir", dir.appendingPathComponent(name).path, "--docker-socket", DockerForControllerTests.socket,
                                     "--heartbeat-interval", "2s", "--max-backoff", "1s", "--sample-interval", "2s"],
                         log: dir.appendingPathComponent("\(name).log"))
    }

    /// Kills the source agent with SIGKILL and starts it again with the same identity.
    func restartSource(kill: Bool = true) async throws {
        if kill { source.kill() } else { source.terminate() }
        let fresh = try Self.agent("box", dir: dir, controller: controller, token: token)
        state.withLock { $0.source = fresh }
        try await controller.waitForDevice("box") { $0.status == .online }
    }

    /// Stops the target agent (SIGTERM) and starts it again with the same identity and settings once `down` returns.
    func restartTarget(whileDown down: () async throws -> Void) async throws {
        target.terminate()
        try await down()
        let fresh = try Self.agent("nas", dir: dir, controller: controller, token: token)
        state.withLock { $0.target = fresh }
        try await controller.waitForDevice("nas") { $0.status == .online }
    }

    /// Deploys `recipe` as `name` on box and waits until it runs.
    func deploy(_ recipe: String, as name: String) async throws -> DeploymentResource {
        let deployments = controller.app.context.deployments
        state.withLock { $0.projects.append(name) }
        let accepted = try await deployments.deploy(DeployRequest(recipe: recipe, name: name, placement: .devices(["*": "box"])))
        await deployments.idle()
        let deployment = try await deployments.get(accepted.deployment.name)
        try #require(deployment.state == .running, "\(deployment.error?.description ?? "")\n\(source.output)")
        return deployment
    }

    /// The host folder of a volume.
    static func mountpoint(_ volume: String) -> String {
        DockerCLI.lines(["volume", "inspect", volume, "--format", "{{.Mountpoint}}"]).first ?? "/nonexistent"
    }

    /// Every entry of a folder, walked by find(1) and sha256sum(1), not by the code under test: path,
    /// type, mode, owner, size, link count, link target, mtime; and every file's hash.
    static func walk(_ folder: String) throws -> String {
        let listing = try ChildProcess.run("/bin/sh", ["-c", "cd '\(folder)' && find . ! -type s -printf '%p %y %m %U:%G %s %n %l %T@\\n' | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum"])
        guard listing.status == 0 else { throw TestFailure("walking \(folder): \(listing.errors)") }
        return listing.output
    }

    /// Runs `script` in a throw-away busybox container with `volume` at /v.
    static func inVolume(_ volume: String, _ script: String) throws {
        let done = try ChildProcess.run("/usr/bin/docker", ["run", "--rm", "--network", "none", "-v", "\(volume):/v", "homelab-test/busybox:1", "sh", "-c", script])
        guard done.status == 0 else { throw TestFailure("docker run in \(volume): \(done.errors)") }
    }

    /// Fills a volume with every kind of entry an app leaves: files of several sizes, owners and modes
    /// (setuid too), an empty and a sparse file, hard links, relative, absolute and dangling symbolic
    /// links, a fifo, a character device, empty and nested folders, names with spaces and UTF-8.
    static func fillWithEveryKind(_ volume: String) throws {
        try inVolume(volume, """
            cd /v && mkdir -p 'nested/deeper/still' empty 'with space' && \
            dd if=/dev/urandom of=random.bin bs=1024 count=3072 2>/dev/null && \
            echo hello > plain.txt && : > empty.txt && \
            dd if=/dev/zero of=sparse.img bs=1 count=0 seek=20971520 2>/dev/null && echo tail >> sparse.img && \
            ln plain.txt hardlink.txt && ln -s plain.txt relative-link && ln -s /etc/passwd absolute-link && ln -s ../missing nested/dangling && \
            mkfifo a-fifo && mknod null-device c 1 3 && \
            printf 'café' > 'with space/café ☕ menu.txt' && echo deep > nested/deeper/still/file && \
            chown 1000:1000 plain.txt && chown 33:33 'with space' && chmod 0640 plain.txt && chmod 4755 random.bin && chmod 0700 nested && \
            touch -d '2021-02-03 04:05:06' plain.txt
            """)
    }

    /// Stops the agents and the controller and removes what the tests made (containers and volumes,
    /// fresh restored ones included, by their project label).
    func stop() async {
        source.terminate()
        target.terminate()
        await controller.stop()
        for project in state.withLock({ $0.projects }) { DockerCLI.removeProject(project) }
        try? FileManager.default.removeItem(at: dir)
    }

    /// A free TCP port below the kernel's ephemeral range, where the other tests take theirs.
    static func freePort() throws -> Int {
        for _ in 0..<50 {
            let port = Int.random(in: 20_000...29_999)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if bound == 0 { return port }
        }
        throw TestFailure("no free port in 20000-29999")
    }
}

extension BackupHarness {
    /// Flips one byte in the middle of the largest pack of `app`'s repository on the target's disk.
    func corruptPack(of app: String) throws {
        let pack = try #require(try BackupTests.files(under: targetPath.appendingPathComponent("apps/\(app)/data")).max { $0.size < $1.size })
        let handle = try FileHandle(forUpdating: pack.url)
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(pack.size / 2))
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: UInt64(pack.size / 2))
        try handle.write(contentsOf: Data([byte ^ 0xff]))
    }
}
