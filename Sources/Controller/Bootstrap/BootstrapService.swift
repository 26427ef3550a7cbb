import Foundation
import GRDB
import Logging
import Protocol
import SSHClient

/// Installs, upgrades and removes agents over SSH. Each operation runs on the operation runner, its
/// steps kept in memory and published as `bootstrap.progress` events; credentials live only as long
/// as the operation.
public actor BootstrapService {
    let store: Store
    let events: EventHub
    let runner: JobRunner
    let registry: DeviceRegistry
    let tokens: TokenService
    let binaries: AgentBinaries
    let knownHosts: KnownHosts
    let agentPort: @Sendable () -> Int
    let logger: Logger
    /// Operations kept in memory for `GET /v1/bootstraps/{id}`.
    static let kept = 50

    private var operations: [String: BootstrapResource] = [:]
    private var order: [String] = []

    /// Creates the service; `agentPort` answers the port agents dial.
    public init(store: Store, events: EventHub, runner: JobRunner, registry: DeviceRegistry, tokens: TokenService,
                binaries: AgentBinaries, agentPort: @escaping @Sendable () -> Int, logger: Logger) {
        self.store = store
        self.events = events
        self.runner = runner
        self.registry = registry
        self.tokens = tokens
        self.binaries = binaries
        self.knownHosts = KnownHosts(store: store)
        self.agentPort = agentPort
        self.logger = logger
    }

    // MARK: Operations

    /// Starts installing (or upgrading) an agent on `request.host`.
    public func install(_ request: BootstrapRequest) throws -> BootstrapResource {
        guard !request.host.isEmpty, !request.host.hasPrefix("-") else { throw HomelabError.badRequest("host is required") }
        if let name = request.name, name.isEmpty || name.contains(where: { $0.isWhitespace }) {
            throw HomelabError.badRequest("name must be non-empty without spaces")
        }
        let credential = try Self.credential(password: request.password, key: request.privateKey, keyPath: request.privateKeyPath,
                                             passphrase: request.passphrase)
        let operation = begin(kind: "install", host: request.host, port: request.port ?? 22, user: request.user ?? "root")
        runner.submit(operation: { [self] in await self.runInstall(operation.id, request, credential: credential) })
        return operation
    }

    /// Starts removing the agent of device `name` over SSH.
    public func uninstall(device name: String, _ request: UninstallRequest) async throws -> BootstrapResource {
        let device = try await registry.get(name)
        let saved = try await store.read { db in try SSHTargetRecord.fetchOne(db, key: device.name) }
        guard let host = request.host ?? saved?.host ?? device.address else {
            throw HomelabError.badRequest("\(device.name) has no known address: give the host")
        }
        let credential = try Self.credential(password: request.password, key: request.privateKey,
                                             keyPath: request.privateKeyPath ?? saved?.keyPath, passphrase: request.passphrase)
        let operation = begin(kind: "uninstall", host: host, port: request.port ?? saved?.port ?? 22, user: request.user ?? saved?.user ?? "root")
        let sudo = request.sudo ?? saved?.sudo ?? false
        runner.submit(operation: { [self] in await self.runUninstall(operation.id, device: device, request, sudo: sudo, credential: credential) })
        return operation
    }

    /// An operation by id.
    public func get(_ id: String) throws -> BootstrapResource {
        guard let operation = operations[id] else { throw HomelabError.notFound("no bootstrap '\(id)' (the controller keeps the last \(Self.kept))") }
        return operation
    }

    /// The controller's known hosts.
    public nonisolated var hosts: KnownHosts { knownHosts }

    static func credential(password: String?, key: String?, keyPath: String?, passphrase: String?) throws -> SSHConnection.Credential {
        if let key { return .privateKey(key, passphrase: passphrase) }
        if let keyPath {
            guard let text = try? String(contentsOfFile: keyPath, encoding: .utf8) else {
                throw HomelabError.badRequest("cannot read the private key file \(keyPath) on the controller")
            }
            return .privateKey(text, passphrase: passphrase)
        }
        if let password { return .password(password) }
        throw HomelabError.badRequest("give a private key or a password for SSH")
    }

    private func begin(kind: String, host: String, port: Int, user: String) -> BootstrapResource {
        let operation = BootstrapResource(id: Secrets.randomHex(bytes: 6), kind: kind, host: host, port: port, user: user, startedAt: Date())
        operations[operation.id] = operation
        order.append(operation.id)
        while order.count > Self.kept { operations.removeValue(forKey: order.removeFirst()) }
        return operation
    }

    // MARK: Steps

    func step(_ id: String, _ name: String, _ status: String, _ message: String) {
        let step = BootstrapStep(step: name, status: status, message: message, time: Date())
        guard var operation = operations[id] else { return }
        operation.steps.append(step)
        operations[id] = operation
        logger.info("bootstrap \(id) \(operation.host): \(name) \(status): \(message)")
        var event = RegistryEvent(type: .bootstrapProgress, time: step.time, device: nil)
        event.bootstrap = BootstrapProgress(id: id, host: operation.host, step: step, state: operation.state)
        events.publish(event)
    }

    func update(_ id: String, _ change: (inout BootstrapResource) -> Void) {
        guard var operation = operations[id] else { return }
        change(&operation)
        operations[id] = operation
    }

    func finish(_ id: String, failure: BootstrapFailure?, step name: String?) {
        update(id) {
            $0.state = failure == nil ? .succeeded : .failed
            $0.failure = failure
            $0.finishedAt = Date()
        }
        if let failure { step(id, name ?? "bootstrap", "failed", failure.message) }
    }

    /// Connects, checks the host key against known_hosts (accepting it only when the user gave its
    /// fingerprint) and authenticates. Never sends a credential to an unverified host.
    func open(_ id: String, host: String, port: Int, user: String, acceptHostKey: String?, credential: SSHConnection.Credential) async throws -> RemoteHost {
        step(id, "connect", "started", "connecting to \(host):\(port)")
        let remote: RemoteHost
        do {
            remote = try await RemoteHost.connect(host: host, port: port)
        } catch let error as SSHError {
            throw BootstrapFailed("connect_failed", error.message)
        }
        do {
            let key = remote.hostKey
            switch try await knownHosts.check(host: host, port: port, key: key) {
            case .known:
                step(id, "connect", "done", "\(host):\(port) is a known host (\(key.type) \(key.fingerprint))")
            case .changed(let known, let since):
                throw BootstrapFailed("host_key_changed", """
                    WARNING: THE HOST KEY OF \(host):\(port) HAS CHANGED: known \(known) (accepted \(since.formatted(.iso8601))), \
                    offered \(key.type) \(key.fingerprint). Someone may be in the middle; nothing was sent. If the device was \
                    reinstalled, forget the old key (homelab known-hosts remove \(host)) and add it again.
                    """, fingerprint: key.fingerprint)
            case .unknown:
                guard let accepted = acceptHostKey else {
                    throw BootstrapFailed("unknown_host_key", """
                        \(host):\(port) is not a known host; its \(key.type) key is \(key.fingerprint). Compare it with the one on the device \
                        (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and pass --accept-host-key \(key.fingerprint)
                        """, fingerprint: key.fingerprint)
                }
                guard accepted == key.fingerprint else {
                    throw BootstrapFailed("unknown_host_key", "\(host):\(port) offered \(key.type) \(key.fingerprint), not the \(accepted) you accepted; nothing was sent",
                                          fingerprint: key.fingerprint)
                }
                try await knownHosts.accept(host: host, port: port, key: key)
                step(id, "connect", "done", "\(host):\(port): accepted and stored its \(key.type) key \(key.fingerprint)")
            }
            step(id, "authenticate", "started", "as \(user)")
            do {
                try await remote.authenticate(user: user, with: credential)
            } catch let error as SSHError {
                throw BootstrapFailed("authentication_failed", "\(host): \(error.message)", step: "authenticate")
            }
            step(id, "authenticate", "done", "logged in as \(user)")
            return remote
        } catch {
            await remote.close()
            throw error
        }
    }

    /// Runs `command` as root (through `sudo -n` when `sudo`); a non-zero exit is a failure naming `what`.
    @discardableResult
    func privileged(_ remote: RemoteHost, _ command: String, sudo: Bool, input: [UInt8]? = nil, what: String) async throws -> String {
        let line = sudo ? "sudo -n sh -c \(RemoteScripts.quote(command))" : "sh -c \(RemoteScripts.quote(command))"
        let result: SSHConnection.CommandResult
        do {
            result = try await remote.run(line, input: input)
        } catch let error as SSHError {
            var failed = BootstrapFailed("command_failed", "\(what) on \(remote.host): \(error.message)")
            failed.connectionLost = error.code == .connectionLost  // the start step tolerates it
            throw failed
        }
        guard result.status == 0 else {
            let detail = (result.errors + result.output).trimmingCharacters(in: .whitespacesAndNewlines)
            throw BootstrapFailed("command_failed", "\(what) on \(remote.host) failed (exit \(result.status)): \(detail.isEmpty ? "no output" : detail)")
        }
        return result.output
    }

    /// What the detect script printed, as a dictionary.
    static func parseFacts(_ output: String) -> [String: String] {
        var facts: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            facts[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return facts
    }

    /// Whether `user` may act as root: root itself, or passwordless sudo when asked for.
    func checkPrivileges(_ remote: RemoteHost, facts: [String: String], user: String, sudo: Bool) async throws {
        guard facts["uid"] != "0" else { return }
        guard sudo else {
            throw BootstrapFailed("sudo_required", "\(user) is not root on \(remote.host): log in as root or pass --sudo (passwordless sudo)")
        }
        guard facts["sudo"] == "yes" else {
            throw BootstrapFailed("sudo_required", "--sudo was given but sudo is not installed on \(remote.host)")
        }
        let result = try await remote.run("sudo -n true")
        guard result.status == 0 else {
            let detail = result.errors.trimmingCharacters(in: .whitespacesAndNewlines)
            throw BootstrapFailed("sudo_required", "\(user) has no passwordless sudo rights on \(remote.host): \(detail.isEmpty ? "sudo -n true failed" : detail)")
        }
    }
}
