@testable import Agent
import Foundation
import Testing
import TestSupport

@Suite("Agent configuration")
struct ConfigTests {
    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("agent-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a config file sets every documented key, comments and quotes allowed")
    func readsFile() throws {
        let path = try write("""
        # /etc/homelab/agent.yaml
        ---
        controller: 198.18.0.1:7444   # the controller
        join_token: "HLJ1.abc.def.ghi"
        name: 'pi # four'
        state_dir: /var/lib/homelab-agent
        sample_interval: 2s
        heartbeat_interval: 500ms
        pending_poll_interval: 1m
        max_backoff: 45
        docker_socket: /run/docker.sock
        log_level: debug
        """)
        defer { unlink(path) }
        var config = AgentConfig()
        try config.load(file: path)
        #expect(config.controller == "198.18.0.1:7444")
        #expect(config.controllerEndpoint?.host == "198.18.0.1")
        #expect(config.controllerEndpoint?.port == 7444)
        #expect(config.joinToken == "HLJ1.abc.def.ghi")
        #expect(config.name == "pi # four")
        #expect(config.sampleInterval == .seconds(2))
        #expect(config.heartbeatInterval == .milliseconds(500))
        #expect(config.pendingPollInterval == .seconds(60))
        #expect(config.maximumBackoff == .seconds(45))
        #expect(config.dockerSocket == "/run/docker.sock")
        #expect(config.logLevel == "debug")
    }

    @Test("errors name the file, the line and the setting", arguments: [
        ("controller: a:b:c:99999\n", ":1: controller must be host:port"),
        ("name: x\nsample_interval: soon\n", ":2: sample_interval must be a positive duration"),
        ("colour: blue\n", ":1: unknown setting 'colour'"),
        ("name: a\nname: b\n", ":2: 'name' is set twice"),
        ("labels:\n  room: attic\n", ":1: 'labels' has no value"),
        ("name: \"unterminated\n", ":1: unterminated quoted value"),
        ("just words\n", ":1: expected 'key: value'"),
        ("log_level: loud\n", ":1: log_level must be one of"),
    ])
    func clearErrors(text: String, expected: String) throws {
        let path = try write(text)
        defer { unlink(path) }
        var config = AgentConfig()
        do {
            try config.load(file: path)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.message.hasPrefix(path), "\(error.message)")
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test("a controller address without a port gets the agent port 7444")
    func defaultPort() throws {
        var config = AgentConfig()
        try config.set("controller", "nas.local", source: "test")
        #expect(config.controller == "nas.local:7444")
    }

    @Test("flags override the config file; --help and --version are recognised")
    func arguments() throws {
        let path = try write("controller: 10.0.0.1:7444\nname: from-file\n")
        defer { unlink(path) }
        let parsed = try AgentArguments.parse(["--config", path, "--name", "from-flag", "--sample-interval=3s"])
        guard case .run(let config) = parsed else { Issue.record("expected run"); return }
        #expect(config.controller == "10.0.0.1:7444")
        #expect(config.name == "from-flag")
        #expect(config.sampleInterval == .seconds(3))
        #expect(try AgentArguments.parse(["--help"]) == .help)
        #expect(try AgentArguments.parse(["--version"]) == .version)
        #expect(throws: AgentError.self) { try AgentArguments.parse(["--colour", "blue"]) }
        #expect(throws: AgentError.self) { try AgentArguments.parse(["--name"]) }
    }

    @Test("a missing default config file is fine; a missing --config file is an error")
    func missingFiles() throws {
        guard case .run = try AgentArguments.parse([], defaultConfigFile: "/nonexistent/agent.yaml") else {
            Issue.record("expected run"); return
        }
        #expect(throws: AgentError.self) { try AgentArguments.parse(["--config", "/nonexistent/agent.yaml"]) }
    }
}

@Suite("Reconnect backoff")
struct BackoffTests {
    @Test("delays double from the initial value up to the maximum, jittered between half and all of the ceiling")
    func doublesWithJitter() {
        let ceilings: [Duration] = [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1), .seconds(1)]
        for seed in 0..<50 {
            var generator = SplitMix64(seed: UInt64(seed))
            var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1))
            for ceiling in ceilings {
                let delay = backoff.next(using: &generator)
                #expect(delay >= ceiling / 2 && delay <= ceiling, "seed \(seed): \(delay) outside \(ceiling / 2)...\(ceiling)")
            }
            backoff.reset()
            let first = backoff.next(using: &generator)
            #expect(first >= .milliseconds(50) && first <= .milliseconds(100), "reset starts over")
        }
    }

    @Test("jitter spreads agents that lost the controller together")
    func jitterSpreads() {
        var generator = SplitMix64(seed: 42)
        let delays = (0..<20).map { _ in
            var backoff = Backoff(initial: .seconds(1), maximum: .seconds(30))
            return backoff.next(using: &generator)
        }
        #expect(Set(delays).count > 15)
    }
}

@Suite("Agent identity")
struct IdentityTests {
    @Test("the identity is made once, kept across restarts, and its key file is private")
    func persistentIdentity() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("identity-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try AgentIdentity.loadOrCreate(directory: dir)
        let second = try AgentIdentity.loadOrCreate(directory: dir)
        #expect(first.deviceID == second.deviceID)
        #expect(first.keyFingerprint == second.keyFingerprint)
        #expect(first.deviceID.count == 32)
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/key.pem")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let dirAttributes = try FileManager.default.attributesOfItem(atPath: dir)
        #expect((dirAttributes[.posixPermissions] as? Int) == 0o700)
    }

    @Test("a corrupt key file is an error that says what to do, not a new identity")
    func corruptKey() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("identity-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try AgentIdentity.loadOrCreate(directory: dir)
        try "garbage".write(toFile: dir + "/key.pem", atomically: true, encoding: .utf8)
        #expect(throws: AgentError.self) { try AgentIdentity.loadOrCreate(directory: dir) }
    }
}

@Suite("Agent binary")
struct LinkageTests {
    @Test("homelab-agent links FoundationEssentials only, never Foundation")
    func noFoundation() throws {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("homelab-agent")
        try #require(FileManager.default.fileExists(atPath: binary.path), "build homelab-agent first")
        let output = try ChildProcess.run("/usr/bin/ldd", [binary.path]).output
        #expect(output.contains("libFoundationEssentials"))
        for forbidden in ["libFoundation.so", "libFoundationNetworking", "libFoundationXML", "libicu"] {
            #expect(!output.contains(forbidden), "homelab-agent links \(forbidden)")
        }
    }

    @Test("--version names the version, the commit and the target")
    func version() throws {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("homelab-agent")
        let output = try ChildProcess.run(binary.path, ["--version"]).output
        #expect(output == "homelab-agent \(BuildInfo.version) (commit unknown, \(BuildInfo.target))\n")
        #if arch(x86_64)
        #expect(BuildInfo.target == "x86_64-linux")
        #endif
    }
}
