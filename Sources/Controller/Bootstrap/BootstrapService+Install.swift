import Foundation
import GRDB
import Protocol
import SSHClient

extension BootstrapService {
    /// connect → authenticate → detect → docker → upload → configure → start → enroll. A failure after
    /// files were written on a host that had no agent removes them again.
    func runInstall(_ id: String, _ request: BootstrapRequest, credential: SSHConnection.Credential) async {
        let host = request.host, port = request.port ?? 22, user = request.user ?? "root", sudo = request.sudo ?? false
        var remote: RemoteHost?
        var current = "connect"
        var wroteFiles = false, fresh = true, tokenID: String?
        do {
            let session = try await open(id, host: host, port: port, user: user, acceptHostKey: request.acceptHostKey, credential: credential)
            remote = session

            current = "detect"
            step(id, current, "started", "architecture, OS, init system, Docker")
            let facts = Self.parseFacts(try await session.run(RemoteScripts.detect).output)
            let architecture = facts["arch"] ?? "?"
            let systemd = facts["systemd"] == "yes"
            fresh = facts["installed"] != "yes"
            let name = request.name ?? facts["hostname"] ?? host
            update(id) {
                $0.architecture = architecture
                $0.os = facts["os_name"]
                $0.serviceManager = systemd ? "systemd" : "init-script"
                $0.device = name
            }
            try await checkPrivileges(session, facts: facts, user: user, sudo: sudo)
            guard AgentBinaries.aliases[architecture] != nil else {
                throw BootstrapFailed("unsupported_architecture", "\(host) is \(architecture) (uname -m): no homelab agent is built for it (amd64, arm64, armv7)")
            }
            let binary: (resource: AgentBinaryResource, contents: Data)
            do {
                binary = try binaries.binary(for: architecture)
            } catch let error as HomelabError {
                throw BootstrapFailed("agent_binary_missing", "\(host) is \(architecture): \(error.message)")
            }
            let existing = try? await registry.get(name)
            if fresh, existing != nil {
                throw BootstrapFailed("name_taken", "a device named \(name) is already registered and \(host) has no agent: pass --name or remove it (homelab devices remove \(name))")
            }
            step(id, current, "done", "\(architecture), \(facts["os_name"] ?? "unknown OS"), \(systemd ? "systemd" : "no systemd (init script fallback)"), Docker \(facts["docker"] == "yes" ? "present" : "missing")\(fresh ? "" : ", agent installed: upgrading")")

            current = "docker"
            if facts["docker"] == "yes" {
                step(id, current, "skipped", "Docker is present")
            } else if request.installDocker == true {
                guard let command = RemoteScripts.installDocker(osID: facts["os_id"] ?? "") else {
                    throw BootstrapFailed("command_failed", "cannot install Docker on \(facts["os_name"] ?? "this OS"): install it by hand")
                }
                step(id, current, "started", "installing Docker from the distribution's packages")
                try await privileged(session, command, sudo: sudo, what: "installing Docker")
                step(id, current, "done", "Docker installed")
            } else {
                step(id, current, "skipped", "Docker is missing: the device can report but not run apps (pass --install-docker)")
            }

            current = "restic"
            if let version = facts["restic"], !version.isEmpty {
                step(id, current, "skipped", "restic \(version) is present")
            } else if let command = RemoteScripts.installRestic(osID: facts["os_id"] ?? "") {
                step(id, current, "started", "installing restic from the distribution's packages (backups run it)")
                do {
                    try await privileged(session, command, sudo: sudo, what: "installing restic")
                    step(id, current, "done", "restic installed")
                } catch let failed as BootstrapFailed {
                    // Not fatal: the device runs apps without restic; only its backups need it.
                    step(id, current, "failed", "restic could not be installed (\(failed.failure.message)): backups of this device need it (docs/backups.md)")
                }
            } else {
                step(id, current, "skipped", "restic is missing and \(facts["os_name"] ?? "this OS") has no package we know: install restic 0.14 or newer by hand for backups")
            }

            current = "upload"
            step(id, current, "started", "\(binary.resource.file), \(binary.resource.sizeBytes) bytes")
            wroteFiles = true
            let sum = try await privileged(session, RemoteScripts.upload, sudo: sudo, input: Array(binary.contents), what: "uploading the agent")
            guard sum.split(separator: " ").first.map(String.init) == binary.resource.sha256 else {
                throw BootstrapFailed("checksum_mismatch", "the uploaded agent's SHA-256 on \(host) is \(sum.split(separator: " ").first ?? "?"), not \(binary.resource.sha256)")
            }
            step(id, current, "done", "checksum \(binary.resource.sha256.prefix(16))… verified")

            current = "configure"
            step(id, current, "started", "agent.yaml with a fresh single-use join token")
            let created = try await tokens.createJoinToken(CreateTokenRequest(
                reusable: false, ttlSeconds: 3600, labels: request.group.map { ["group": $0] } ?? [:], description: "SSH bootstrap of \(host)"))
            tokenID = created.resource.id
            let controller = request.controller ?? "\(session.localAddress):\(agentPort())"
            let config = """
                # Written by the homelab controller's SSH bootstrap on \(Date().formatted(.iso8601)). See docs/configuration.md.
                join_token: \(created.token)
                name: \(name)
                controller: \(controller)

                """
            try await privileged(session, RemoteScripts.writeConfig, sudo: sudo, input: Array(config.utf8), what: "writing \(RemoteScripts.config)")
            if systemd {
                try await privileged(session, RemoteScripts.writeUnit, sudo: sudo, input: Array((RemoteScripts.systemdUnit + "\n").utf8), what: "writing the systemd unit")
            } else {
                try await privileged(session, RemoteScripts.writeInitScript, sudo: sudo, input: Array((RemoteScripts.initScriptText + "\n").utf8), what: "writing the init script")
            }
            step(id, current, "done", "\(RemoteScripts.config) (controller \(controller)), \(systemd ? RemoteScripts.unit : RemoteScripts.initScript)")

            current = "start"
            step(id, current, "started", fresh ? "starting the agent" : "restarting the agent on the new binary")
            let online = events.subscribe()
            var connected = true
            do {
                try await privileged(session, RemoteScripts.start(systemd: systemd), sudo: sudo, what: "starting the agent")
                step(id, current, "done", systemd ? "systemctl restart homelab-agent" : "/etc/init.d/homelab-agent restart")
            } catch let failed as BootstrapFailed where failed.connectionLost {
                // The restart ran (or runs) on the host; whether it worked, the agent's enrollment says.
                connected = false
                step(id, current, "done", "the SSH connection ended during the restart (\(failed.failure.message)); the agent's enrollment will tell")
            }

            current = "enroll"
            let timeout = request.enrollTimeoutSeconds ?? 60
            step(id, current, "started", "waiting up to \(Int(timeout)) s for \(name) to come online")
            guard let device = await Self.waitOnline(online, name: name, within: .milliseconds(Int(timeout * 1000))) else {
                let tail = connected ? (try? await session.run(RemoteScripts.logTail(systemd: systemd)).output) ?? "" : "(not read: the SSH connection ended)"
                throw BootstrapFailed("enroll_timeout", "\(name) did not come online within \(Int(timeout)) s; the end of its log:\n\(tail)")
            }
            let upgraded = !fresh
            update(id) {
                $0.deviceID = device.id
                $0.upgraded = upgraded
            }
            let target = SSHTargetRecord(device: name, host: host, port: port, user: user, sudo: sudo,
                                         keyPath: request.saveKeyReference == true ? request.privateKeyPath : nil, updatedAt: Date())
            try await store.write { db in try target.save(db) }
            if upgraded, let tokenID { try? await tokens.revokeJoinToken(id: tokenID) }  // an enrolled agent never uses it
            step(id, current, "done", "\(name) is online (device \(device.id.prefix(12))\(upgraded ? ", same identity: upgraded" : ", enrolled"))")
            finish(id, failure: nil, step: nil)
        } catch {
            let failure = (error as? BootstrapFailed)?.failure ?? BootstrapFailure(HomelabError.shown(error, logger: logger))
            if let tokenID { try? await tokens.revokeJoinToken(id: tokenID) }
            if let remote, wroteFiles, fresh {
                // Nothing may stay behind on a host that had no agent before.
                let removed = try? await privileged(remote, RemoteScripts.uninstall, sudo: sudo, what: "removing what was written")
                step(id, "cleanup", removed == nil ? "failed" : "done", removed == nil ? "could not remove the files written" : "removed the files written")
            }
            finish(id, failure: failure, step: (error as? BootstrapFailed)?.step ?? current)
        }
        await remote?.close()
    }

    /// The device once a `device.online` event names it, or nil after `limit`.
    static func waitOnline(_ events: AsyncStream<RegistryEvent>, name: String, within limit: Duration) async -> DeviceResource? {
        let found = try? await Deadline.run(within: limit) {
            for await event in events where event.type == .deviceOnline && event.device?.name == name {
                return event.device
            }
            return nil
        }
        return found ?? nil
    }

    /// connect → authenticate → apps (when asked) → remove; then the device leaves the registry.
    func runUninstall(_ id: String, device: DeviceResource, _ request: UninstallRequest, sudo: Bool, credential: SSHConnection.Credential) async {
        guard let operation = try? get(id) else { return }
        var remote: RemoteHost?
        var current = "connect"
        update(id) { $0.device = device.name; $0.deviceID = device.id }
        do {
            let session = try await open(id, host: operation.host, port: operation.port, user: operation.user,
                                         acceptHostKey: request.acceptHostKey, credential: credential)
            remote = session
            current = "detect"
            let facts = Self.parseFacts(try await session.run(RemoteScripts.detect).output)
            try await checkPrivileges(session, facts: facts, user: operation.user, sudo: sudo)
            current = "apps"
            if request.removeApps == true {
                step(id, current, "started", "removing the stacks of \(device.name) (volumes stay)")
                let stacks = DeviceStacks(registry: registry)
                for stack in try await stacks.list(device.name) {
                    try await stacks.perform(device.name, StackAction(stack: StackRef(project: stack.project), verb: .remove, removeVolumes: false))
                }
                step(id, current, "done", "stacks removed")
            } else {
                step(id, current, "skipped", "apps stay (pass --remove-apps to remove them)")
            }
            current = "remove"
            step(id, current, "started", "stopping the agent, removing its unit, files and state")
            try await privileged(session, RemoteScripts.uninstall, sudo: sudo, what: "removing the agent")
            try await registry.remove(device.id)
            _ = try? await store.write { db in try SSHTargetRecord.deleteOne(db, key: device.name) }
            step(id, current, "done", "agent removed from \(operation.host); \(device.name) removed from the registry")
            finish(id, failure: nil, step: nil)
        } catch {
            let failure = (error as? BootstrapFailed)?.failure ?? BootstrapFailure(HomelabError.shown(error, logger: logger))
            finish(id, failure: failure, step: (error as? BootstrapFailed)?.step ?? current)
        }
        await remote?.close()
    }
}
