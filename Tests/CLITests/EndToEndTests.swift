import Controller
import Foundation
import Logging
import Protocol
import ServiceLifecycle
import Testing
import TestSupport

/// The real `homelab` and `homelab-agent` executables against a real controller on loopback.
@Suite("homelab CLI end to end", .serialized)
struct EndToEndTests {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `homelab` with only the given environment (plus a private config directory).
    /// Runs `homelab` without holding a thread of the concurrency pool (the controller under test needs them).
    static func homelab(_ arguments: [String], config: URL, environment: [String: String] = [:]) async throws -> Output {
        let result = try await ChildProcess.run(ChildProcess.binaries.appendingPathComponent("homelab").path, arguments,
                                          environment: ["XDG_CONFIG_HOME": config.path, "HOME": config.path, "NO_COLOR": "1"].merging(environment) { $1 })
        return Output(status: result.status, stdout: result.output, stderr: result.errors)
    }

    static func agent(_ arguments: [String]) throws -> ChildProcess {
        // "--discovery false": tests outside the lab never multicast (this machine's interfaces are not ours).
        try ChildProcess(ChildProcess.binaries.appendingPathComponent("homelab-agent").path,
                         arguments + ["--sample-interval", "500ms", "--pending-poll-interval", "300ms", "--max-backoff", "1s", "--discovery", "false", "--peer-port", "0"])
    }

    static func eventually(timeout: Duration = .seconds(20), _ check: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await check() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("condition not met within \(timeout)")
    }

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("homelab-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("login pins the CA, then devices list/show, tokens and approval work against the real controller")
    func fullFlow() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await RealController.start(dir)
        let config = dir.appendingPathComponent("config")
        let admin = try #require(controller.app.newAdminToken)

        let login = try await Self.homelab(["login", controller.url, "--token", admin, "--ca", controller.caPath], config: config)
        #expect(login.status == 0, "\(login.stderr)")
        #expect(login.stdout.contains("sha256:\(controller.app.context.authority.fingerprint)"))

        // A join token made through the CLI enrolls a real agent process.
        let created = try await Self.homelab(["tokens", "create", "-o", "json", "--label", "room=attic"], config: config)
        #expect(created.status == 0, "\(created.stderr)")
        let token = try WireCoding.decoder.decode(CreatedToken.self, from: Data(created.stdout.utf8)).token
        let enrolled = try Self.agent(["--controller", "127.0.0.1:\(controller.agentPort)", "--join-token", token,
                                       "--name", "pi-attic", "--state-dir", dir.appendingPathComponent("agent1").path])
        defer { enrolled.terminate(); enrolled.wait() }
        try await Self.eventually {
            let list = try await Self.homelab(["devices", "list"], config: config)
            return list.stdout.contains("pi-attic") && list.stdout.contains("online") && !list.stdout.contains("pi-attic  online  -")
        }
        let table = try await Self.homelab(["devices", "list"], config: config)
        #expect(table.stdout.hasPrefix("NAME"), "\(table.stdout)")

        let json = try await Self.homelab(["devices", "list", "-o", "json"], config: config)
        let devices = try WireCoding.decoder.decode(ListResponse<DeviceResource>.self, from: Data(json.stdout.utf8)).items
        #expect(devices.first?.labels == ["room": "attic"])
        #expect(devices.first?.facts?.architecture == ProcessInfo.processInfo.machineArchitecture)

        let show = try await Self.homelab(["devices", "show", "pi-attic"], config: config)
        #expect(show.status == 0)
        #expect(show.stdout.contains(ProcessInfo.processInfo.hostName))

        // Without a token: pending, then approved through the CLI.
        let pending = try Self.agent(["--controller", "127.0.0.1:\(controller.agentPort)", "--name", "nas",
                                      "--state-dir", dir.appendingPathComponent("agent2").path])
        defer { pending.terminate(); pending.wait() }
        try await Self.eventually { try await Self.homelab(["devices", "list", "--status", "pending"], config: config).stdout.contains("nas") }
        let approve = try await Self.homelab(["devices", "approve", "nas"], config: config)
        #expect(approve.status == 0, "\(approve.stderr)")
        try await Self.eventually { try await Self.homelab(["devices", "list", "--status", "online"], config: config).stdout.contains("nas") }

        let removed = try await Self.homelab(["devices", "rm", "pi-attic", "--yes"], config: config)
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(!(try await Self.homelab(["devices", "list"], config: config).stdout.contains("pi-attic  online")))
        await controller.stop()
    }

    @Test("errors have clear messages and distinct exit codes: unknown device, bad token, unreachable, not logged in")
    func errorsAndExitCodes() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await RealController.start(dir)
        let config = dir.appendingPathComponent("config")
        let admin = try #require(controller.app.newAdminToken)

        let notLoggedIn = try await Self.homelab(["devices", "list"], config: config)
        #expect(notLoggedIn.status == 6)
        #expect(notLoggedIn.stderr.contains("homelab login"))

        #expect(try await Self.homelab(["login", controller.url, "--token", admin, "--ca", controller.caPath], config: config).status == 0)
        let ghost = try await Self.homelab(["devices", "show", "ghost"], config: config)
        #expect(ghost.status == 3)
        #expect(ghost.stderr.contains("no device named 'ghost'"))

        let badToken = try await Self.homelab(["devices", "list"], config: config, environment: ["HOMELAB_TOKEN": "HLA1.0000.1111"])
        #expect(badToken.status == 4)
        #expect(badToken.stderr.contains("refused the token"))

        let wrongCA = try await Self.homelab(["devices", "list"], config: config, environment: ["HOMELAB_CA": String(repeating: "ab", count: 32)])
        #expect(wrongCA.status == 5)

        await controller.stop()
        let unreachable = try await Self.homelab(["devices", "list"], config: config)
        #expect(unreachable.status == 5)
        #expect(unreachable.stderr.contains("cannot reach the controller"))
        #expect(!unreachable.stderr.contains("NIO"), "no Swift type names: \(unreachable.stderr)")
    }
}

extension ProcessInfo {
    /// `uname -m`.
    var machineArchitecture: String {
        var name = utsname()
        uname(&name)
        return withUnsafeBytes(of: &name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
