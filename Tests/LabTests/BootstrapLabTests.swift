import CLI
import Foundation
import Protocol
import Testing
import TestSupport

/// Network scans and SSH bootstraps against bare lab hosts: a real sshd (Debian's openssh-server) in a
/// namespace with no agent, real libssh2 in the controller, the real agent binary. In the `LabTests`
/// suite, so they never run beside another lab test (one lab per machine).
extension LabTests {
    /// Where a bare host's installation lands (the upper layer of its overlays, see `lab sshd_start`).
    func installed(_ device: String) -> [String] {
        let root = "\(lab.dir)/devices/\(device)/root/upper"
        return ["usr/local/bin/homelab-agent", "usr/local/bin/homelab-agent.new", "etc/homelab/agent.yaml", "etc/init.d/homelab-agent",
                "var/lib/homelab-agent", "var/log/homelab-agent.log", "etc/rc2.d/S01homelab-agent", "etc/rc0.d/K01homelab-agent"]
            .filter { (try? FileManager.default.attributesOfItem(atPath: "\(root)/\($0)")) != nil }  // lstat: a dangling link counts
    }

    /// Starts a bootstrap and polls it until it ends.
    func bootstrap(_ settings: ClientSettings, _ request: BootstrapRequest) async throws -> BootstrapResource {
        try await APIClient.withClient(settings) { client in
            var operation = try await client.post(APIPaths.bootstraps, json: request, as: BootstrapResource.self)
            let deadline = ContinuousClock.now + .seconds(120)
            while operation.state == .running && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                operation = try await client.get(APIPaths.bootstrap(operation.id), as: BootstrapResource.self)
            }
            Lab.trace("bootstrap \(request.host) as \(request.user ?? "root"): \(operation.state) \(operation.failure?.code ?? "") \(operation.steps.map { "\($0.step):\($0.status)" })")
            if let failure = operation.failure, !["unknown_host_key", "host_key_changed", "authentication_failed", "sudo_required", "unsupported_architecture"].contains(failure.code) {
                // An unexpected failure: what the host's sshd saw helps more than the message alone.
                Lab.trace("\(failure.message)\n--- sshd logs\n\(sshdLogs())")
            }
            return operation
        }
    }

    /// The last lines of every bare host's sshd log.
    func sshdLogs() -> String {
        let devices = (try? FileManager.default.contentsOfDirectory(atPath: lab.dir + "/devices")) ?? []
        return devices.sorted().compactMap { name in
            guard let log = try? String(contentsOfFile: "\(lab.dir)/devices/\(name)/sshd.log", encoding: .utf8) else { return nil }
            return "\(name)/sshd.log:\n" + log.split(separator: "\n").suffix(10).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// The private key every lab sshd accepts.
    func labKey() throws -> String {
        let path = try lab.run(["ssh-key"]).trimmingCharacters(in: .whitespacesAndNewlines)
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    /// The SHA256 fingerprint of a bare host's sshd host key, as `ssh-keygen -lf` prints it.
    func hostKeyFingerprint(_ device: String) throws -> String {
        let log = "/tmp/keygen-\(UUID().uuidString)"
        defer { unlink(log) }
        let status = try ChildProcess("/usr/bin/ssh-keygen", ["-lf", "\(lab.dir)/devices/\(device)/ssh/ssh_host_ed25519_key.pub"], output: .file(log)).wait()
        let words = try String(contentsOfFile: log, encoding: .utf8).split(separator: " ")
        guard status == 0, words.count > 1 else { throw LabError(description: "ssh-keygen -lf failed for \(device)") }
        return String(words[1])
    }

    @Test("a scan of the lab finds exactly the hosts there, SSH with its banner on the bare ones, the agent's device marked; a /24 ends within its bound; a time limit and a cancel stop it; devices add --from-scan installs what it can and sums up")
    func scanLab() async throws {
        try lab.down()
        defer { try? lab.down() }
        try lab.up(["--device", "withagent", "--device", "bare1:agent=false,sshd=true", "--device", "bare2:agent=false,sshd=true,uname=i686",
                    "--no-docker", "--heartbeat-ttl", "\(Self.ttl * 3)"])
        let settings = try lab.settings()
        try await lab.waitForDevices(settings, within: .seconds(30), "withagent online") { $0.first?.status == .online }
        let limit = 40.0
        let started = ContinuousClock.now
        let scan = try await APIClient.withClient(settings) { client in
            var scan = try await client.post(APIPaths.scans, json: ScanRequest(targets: ["198.18.0.0/24"], timeLimitSeconds: limit, reverseDNS: false),
                                             as: ScanResource.self)
            while scan.state == .running && ContinuousClock.now < started + .seconds(limit + 20) {
                try await Task.sleep(for: .milliseconds(250))
                scan = try await client.get(APIPaths.scan(scan.id), as: ScanResource.self)
            }
            return scan
        }
        let elapsed = ContinuousClock.now - started
        Lab.trace("scan of 198.18.0.0/24: \(scan.state) after \(elapsed), \(scan.hostsProbed)/\(scan.hostsTotal), found \(scan.candidates.map(\.address))")
        #expect(scan.state == .completed, "the scan ends by itself within its \(limit) s bound (took \(elapsed))")
        #expect(elapsed < .seconds(limit + 10))
        #expect(scan.hostsTotal == 253, "254 addresses less the controller's own")
        #expect(scan.hostsProbed == scan.hostsTotal)
        // The host's bridge address (.1) answers too; every other candidate is a lab device, and nothing outside the targets.
        #expect(scan.candidates.allSatisfy { ($0.address.hasPrefix("198.18.0.")) && $0.address != "198.18.0.2" })
        let devices = scan.candidates.filter { $0.address != "198.18.0.1" }
        #expect(devices.map(\.address) == ["198.18.0.10", "198.18.0.11", "198.18.0.12"])
        let withAgent = try #require(devices.first)
        #expect(withAgent.services == [], "an agent listens on no port")
        #expect(withAgent.hasAgent && withAgent.device == "withagent")
        for bare in devices.dropFirst() {
            #expect(bare.services.map(\.port) == [22])
            #expect(bare.services.first?.banner?.hasPrefix("SSH-2.0-OpenSSH_") == true)
            #expect(bare.os == "Debian 12")
            #expect(!bare.hasAgent)
            #expect(bare.mac != nil, "the neighbour table knows the MAC of a host on the bridge")
        }
        // Stored: the candidates list has them, with the time seen.
        let stored = try await APIClient.withClient(settings) { client in
            try await client.get(APIPaths.candidates, as: ListResponse<ScanCandidate>.self).items
        }
        #expect(Set(stored.map(\.address)).isSuperset(of: ["198.18.0.10", "198.18.0.11", "198.18.0.12"]))
        #expect(stored.allSatisfy { $0.lastSeenAt >= $0.firstSeenAt })

        // A time limit shorter than the scan needs (50 attempts a second): it stops there, keeping what it found.
        let limited = try await runScan(settings, ScanRequest(targets: ["198.18.0.0/24"], timeLimitSeconds: 2, ratePerSecond: 50, reverseDNS: false))
        #expect(limited.state == .timedOut)
        #expect(limited.hostsProbed < limited.hostsTotal)
        let duration = (limited.finishedAt ?? .distantFuture).timeIntervalSince(limited.startedAt)
        #expect(duration >= 2 && duration < 10, "stopped at its 2 s limit (after \(duration) s)")
        // A cancel stops a running scan.
        let canceled = try await runScan(settings, ScanRequest(targets: ["198.18.0.0/24"], ratePerSecond: 20, reverseDNS: false), cancel: true)
        #expect(canceled.state == .canceled)
        #expect(canceled.hostsProbed < canceled.hostsTotal)

        // The batch: every host with SSH and no agent, one after the other, then the summary.
        let fingerprints = try ["bare1", "bare2"].flatMap { ["--accept-host-key", try hostKeyFingerprint($0)] }
        let key = try lab.run(["ssh-key"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let (status, output) = try homelab(["devices", "add", "--from-scan", "--key", key] + fingerprints)
        Lab.trace("devices add --from-scan: exit \(status)\n\(output)")
        #expect(status == 1, "one host failed")
        #expect(output.contains("[1/2] 198.18.0.11"))
        #expect(output.contains("[2/2] 198.18.0.12"))
        #expect(output.contains("1/2 installed, bare2 failed: 198.18.0.12 is i686 (uname -m): no homelab agent is built for it"), "\(output)")
        let enrolled = try await lab.waitForDevices(settings, within: .seconds(30), "bare1 online") { $0.first { $0.name == "bare1" }?.status == .online }
        #expect(enrolled.map(\.name).sorted() == ["bare1", "withagent"])
        #expect(installed("bare2").isEmpty)
    }

    /// Starts a scan, cancels it after a second when asked, and polls it until it ends.
    func runScan(_ settings: ClientSettings, _ request: ScanRequest, cancel: Bool = false) async throws -> ScanResource {
        try await APIClient.withClient(settings) { client in
            var scan = try await client.post(APIPaths.scans, json: request, as: ScanResource.self)
            if cancel {
                try await Task.sleep(for: .seconds(1))
                try await client.delete(APIPaths.scan(scan.id))
            }
            let deadline = ContinuousClock.now + .seconds(90)
            while scan.state == .running && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                scan = try await client.get(APIPaths.scan(scan.id), as: ScanResource.self)
            }
            return scan
        }
    }

    /// Runs the `homelab` command against the lab's controller; its exit status and output (both streams).
    func homelab(_ arguments: [String]) throws -> (Int32, String) {
        var environment = ProcessInfo.processInfo.environment.merging(try lab.environment()) { $1 }
        environment["NO_COLOR"] = "1"
        return try Lab.spawnAndWait(["\(Lab.binaries)/homelab"] + arguments, environment: environment)
    }

    @Test("bootstrap over SSH: an unknown host key is refused until accepted; the agent installs without systemd, enrolls with metrics; again upgrades with the same identity; uninstall removes it all")
    func bootstrapLifecycle() async throws {
        try lab.down()
        defer { try? lab.down() }
        try lab.up(["--device", "bare:agent=false,sshd=true", "--heartbeat-ttl", "\(Self.ttl * 3)"])
        let settings = try lab.settings()
        let key = try labKey()
        let fingerprint = try hostKeyFingerprint("bare")

        let refused = try await bootstrap(settings, BootstrapRequest(host: "198.18.0.10", privateKey: key))
        #expect(refused.failure?.code == "unknown_host_key")
        #expect(refused.failure?.hostKeyFingerprint == fingerprint)
        #expect(refused.failure?.message.contains("--accept-host-key \(fingerprint)") == true)
        #expect(installed("bare").isEmpty, "nothing installed: \(installed("bare"))")

        let first = try await bootstrap(settings, BootstrapRequest(host: "198.18.0.10", privateKey: key, acceptHostKey: fingerprint))
        #expect(first.state == .succeeded, "\(first.failure?.message ?? "")\n\(lab.agentLogs())")
        #expect(first.serviceManager == "init-script", "the lab has no systemd")
        #expect(first.architecture == "x86_64")
        #expect(first.device == "bare", "named after the host's own name")
        #expect(first.upgraded == false)
        #expect(first.steps.contains { $0.step == "docker" && $0.status == "skipped" && $0.message == "Docker is present" })
        #expect(["connect", "authenticate", "detect", "upload", "configure", "start", "enroll"].allSatisfy { step in
            first.steps.contains { $0.step == step && $0.status == "done" }
        })
        let devices = try await lab.waitForDevices(settings, within: .seconds(30), "bare online with metrics and Docker") { devices in
            devices.first { $0.name == "bare" }.map { $0.status == .online && $0.metrics?.docker != nil } ?? false
        }
        let device = try #require(devices.first { $0.name == "bare" })
        #expect(device.id == first.deviceID)
        #expect(device.address == "198.18.0.10")
        let root = "\(lab.dir)/devices/bare/root/upper"
        let config = try String(contentsOfFile: "\(root)/etc/homelab/agent.yaml", encoding: .utf8)
        #expect(config.contains("controller: 198.18.0.2:7444"), "the controller's address as the host saw it")
        #expect(FileManager.default.contentsEqual(atPath: "\(root)/usr/local/bin/homelab-agent", andPath: "\(Lab.binaries)/homelab-agent"))
        let tokens = try await APIClient.withClient(settings) { try await $0.get(APIPaths.tokens, as: ListResponse<TokenResource>.self).items }
        #expect(tokens.contains { $0.description == "SSH bootstrap of 198.18.0.10" && !$0.reusable && $0.uses == 1 }, "a fresh single-use token, used once")

        let again = try await bootstrap(settings, BootstrapRequest(host: "198.18.0.10", privateKey: key))
        #expect(again.state == .succeeded, "\(again.failure?.message ?? "")")
        #expect(again.upgraded)
        #expect(again.deviceID == first.deviceID, "the device keeps its identity")
        let after = try await lab.waitForDevices(settings, within: .seconds(30), "bare online again") { $0.first { $0.name == "bare" }?.status == .online }
        #expect(after.count == 1 && after.first?.id == device.id, "no second device: \(after.map(\.name))")

        let removed = try await APIClient.withClient(settings) { client in
            var operation = try await client.post(APIPaths.uninstall("bare"), json: UninstallRequest(privateKey: key), as: BootstrapResource.self)
            while operation.state == .running {
                try await Task.sleep(for: .milliseconds(200))
                operation = try await client.get(APIPaths.bootstrap(operation.id), as: BootstrapResource.self)
            }
            return operation
        }
        #expect(removed.state == .succeeded, "\(removed.failure?.message ?? "")")
        #expect(removed.host == "198.18.0.10", "the host of the device's bootstrap")
        #expect(installed("bare").isEmpty, "the agent's files are gone: \(installed("bare"))")
        #expect(try await lab.devices(settings).isEmpty)
    }

    @Test("bootstrap failures: wrong password, wrong key, unknown and changed host keys, missing sudo rights, unsupported architecture, a missing agent binary; each says why and installs nothing")
    func bootstrapFailures() async throws {
        try lab.down()
        defer { try? lab.down() }
        try lab.up(["--device", "host:agent=false,sshd=true", "--device", "old32:agent=false,sshd=true,uname=i686", "--no-docker"])
        let settings = try lab.settings()
        let key = try labKey()
        let fingerprint = try hostKeyFingerprint("host")
        let host = "198.18.0.10"

        let wrongAccepted = try await bootstrap(settings, BootstrapRequest(host: host, privateKey: key, acceptHostKey: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        #expect(wrongAccepted.failure?.code == "unknown_host_key")
        #expect(wrongAccepted.failure?.message.contains("not the SHA256:AAAA") == true)
        #expect(wrongAccepted.steps.contains { $0.step == "authenticate" } == false, "no credential is sent to an unverified host")

        let wrongPassword = try await bootstrap(settings, BootstrapRequest(host: host, user: "lab", password: "not-the-password", acceptHostKey: fingerprint))
        #expect(wrongPassword.failure?.code == "authentication_failed")
        #expect(wrongPassword.steps.last?.step == "authenticate" && wrongPassword.steps.last?.status == "failed")
        #expect(wrongPassword.failure?.message.contains("Permission denied (password) for lab") == true, "\(wrongPassword.failure?.message ?? "")")

        let otherKey = try generatedKey()
        let wrongKey = try await bootstrap(settings, BootstrapRequest(host: host, privateKey: otherKey))
        #expect(wrongKey.failure?.code == "authentication_failed")
        #expect(wrongKey.failure?.message.contains("Permission denied (publickey) for root") == true, "\(wrongKey.failure?.message ?? "")")

        let notRoot = try await bootstrap(settings, BootstrapRequest(host: host, user: "lab", password: "lab-password"))
        #expect(notRoot.failure?.code == "sudo_required", "the right password logs in; then the user is not root")
        #expect(notRoot.failure?.message.contains("lab is not root") == true)
        let noSudo = try await bootstrap(settings, BootstrapRequest(host: host, user: "lab", password: "lab-password", sudo: true))
        #expect(noSudo.failure?.code == "sudo_required")
        #expect(noSudo.failure?.message.contains("no passwordless sudo rights") == true, "\(noSudo.failure?.message ?? "")")

        let oldFingerprint = try hostKeyFingerprint("old32")
        let unsupported = try await bootstrap(settings, BootstrapRequest(host: "198.18.0.11", privateKey: key, acceptHostKey: oldFingerprint))
        #expect(unsupported.failure?.code == "unsupported_architecture")
        #expect(unsupported.failure?.message.contains("i686") == true, "\(unsupported.failure?.message ?? "")")

        // A supported architecture whose agent the controller does not have: the error names it and the folder.
        let binary = "\(lab.dir)/controller/agent-binaries/homelab-agent-linux-amd64"
        try FileManager.default.moveItem(atPath: binary, toPath: binary + ".away")
        let missing = try await bootstrap(settings, BootstrapRequest(host: host, privateKey: key, acceptHostKey: fingerprint))
        try FileManager.default.moveItem(atPath: binary + ".away", toPath: binary)
        #expect(missing.failure?.code == "agent_binary_missing")
        #expect(missing.failure?.message.contains("no agent binary for amd64 in \(lab.dir)/controller/agent-binaries") == true, "\(missing.failure?.message ?? "")")

        try lab.run(["sshd-rekey", "host"])
        let changed = try await bootstrap(settings, BootstrapRequest(host: host, privateKey: key, acceptHostKey: try hostKeyFingerprint("host")))
        #expect(changed.failure?.code == "host_key_changed", "accepting the new key does not override a known one")
        #expect(changed.failure?.message.contains("HAS CHANGED") == true)
        #expect(changed.failure?.message.contains(fingerprint) == true, "names the known key")

        #expect(installed("host").isEmpty && installed("old32").isEmpty, "nothing installed: \(installed("host")) \(installed("old32"))")
        #expect(try await lab.devices(settings).isEmpty)
        let tokens = try await APIClient.withClient(settings) { try await $0.get(APIPaths.tokens, as: ListResponse<TokenResource>.self).items }
        #expect(tokens.allSatisfy { $0.description?.hasPrefix("SSH bootstrap") != true || $0.revoked }, "no live token left behind")
    }

    /// A fresh ed25519 key no lab sshd accepts.
    func generatedKey() throws -> String {
        let path = "/tmp/lab-key-\(UUID().uuidString)"
        defer { unlink(path); unlink(path + ".pub") }
        let status = try ChildProcess("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path]).wait()
        guard status == 0 else { throw LabError(description: "ssh-keygen failed") }
        return try String(contentsOfFile: path, encoding: .utf8)
    }
}
