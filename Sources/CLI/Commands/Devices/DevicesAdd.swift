import ArgumentParser
import Foundation
import Protocol

/// `homelab devices add HOST`: installs an agent on a host over SSH and waits until it is online.
public struct DevicesAdd: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Install an agent on a host over SSH (or upgrade it in place) and wait until it is online.",
        discussion: """
            The controller connects with libssh2, checks the host key against its known hosts (an \
            unknown key needs --accept-host-key SHA256:… or a yes at a terminal; a changed key is \
            refused), detects the architecture, OS, systemd and Docker, uploads the matching agent \
            with a checksum check, writes its config with a fresh single-use join token, starts it \
            (a systemd unit, or an init script without systemd) and waits for it to enroll. Run it \
            again to upgrade the agent in place; the device keeps its identity. The key or password \
            is used for this session only and never stored. See docs/bootstrap.md.

            --from-scan installs on every host the last scans found with SSH open and no agent \
            (or only the --select ADDRESS ones), one after the other, with a summary at the end.
            """
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions
    /// SSH login options.
    @OptionGroup public var ssh: SSHOptions

    /// The host.
    @Argument(help: "Address or name of the host.")
    public var host: String?

    /// Device name.
    @Option(help: "Device name (default: the host's own name).")
    public var name: String?

    /// Group label.
    @Option(help: "Group of the device (the label group=G).")
    public var group: String?

    /// Install Docker when missing.
    @Flag(help: "Install Docker from the distribution's packages when it is missing.")
    public var installDocker = false

    /// Controller address override.
    @Option(help: ArgumentHelp("Address the agent dials, host:port (default: the controller's address as the host sees it).", valueName: "host:port"))
    public var controller: String?

    /// Keep the key file's path on the controller.
    @Flag(help: "Save the --key path (not the key) on the controller for later SSH operations; the path must exist on the controller's machine.")
    public var saveKey = false

    /// Batch from scan results.
    @Flag(help: "Install on every host the scans found with SSH open and no agent.")
    public var fromScan = false

    /// Restrict the batch.
    @Option(help: ArgumentHelp("With --from-scan: only this address (repeatable).", valueName: "address"))
    public var select: [String] = []

    /// Creates the command.
    public init() {}

    /// Checks HOST against --from-scan.
    public func validate() throws {
        if fromScan && host != nil { throw ValidationError("give HOST or --from-scan, not both") }
        if !fromScan && host == nil { throw ValidationError("give a HOST (or --from-scan)") }
        if !select.isEmpty && !fromScan { throw ValidationError("--select goes with --from-scan") }
        if saveKey && ssh.key == nil { throw ValidationError("--save-key needs --key") }
        if fromScan && name != nil { throw ValidationError("--name names one device: it does not go with --from-scan") }
    }

    /// Runs in the process's context.
    public func run() async throws {
        try await run(in: .live())
    }

    /// Installs on one host or on the scan's candidates.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let (key, password) = try ssh.credential(in: context)
        try await APIClient.withClient(settings) { client in
            if fromScan {
                try await batch(client, key: key, password: password, context: context)
            } else if let host {
                let operation = try await install(client, host: host, key: key, password: password, context: context, prefix: "")
                switch global.output {
                case .json: context.console.write(try JSONOutput.render(operation))
                case .table:
                    if operation.state == .succeeded {
                        context.console.write("\(operation.upgraded ? "Upgraded" : "Installed") the agent on \(operation.host): device \(operation.device ?? "?") is online\n")
                    }
                }
                if operation.state != .succeeded { throw BootstrapFollower.error(operation) }
            }
        }
    }

    func request(host: String, key: String?, password: String?, accept: String?) -> BootstrapRequest {
        BootstrapRequest(host: host, port: ssh.port, user: ssh.user, password: password, privateKey: saveKey ? nil : key,
                         privateKeyPath: saveKey ? ssh.key.map { URL(fileURLWithPath: $0).standardizedFileURL.path } : nil,
                         sudo: ssh.sudo ? true : nil, name: name, group: group, acceptHostKey: accept,
                         installDocker: installDocker ? true : nil, controller: controller, saveKeyReference: saveKey ? true : nil)
    }

    /// One host; an unknown host key is asked about at a terminal (when the password did not come on standard input).
    func install(_ client: APIClient, host: String, key: String?, password: String?, context: CommandContext, prefix: String) async throws -> BootstrapResource {
        let follower = BootstrapFollower(context: context, prefix: prefix, toErrors: global.output == .json)
        var accept = ssh.acceptHostKeys.count == 1 && !fromScan ? ssh.acceptHostKeys.first : nil
        while true {
            let started = try await client.post(APIPaths.bootstraps, json: request(host: host, key: key, password: password, accept: accept), as: BootstrapResource.self)
            let operation = try await follower.follow(client, started)
            guard operation.failure?.code == "unknown_host_key", accept == nil, let fingerprint = operation.failure?.hostKeyFingerprint else {
                return operation
            }
            if ssh.acceptHostKeys.contains(fingerprint) {
                accept = fingerprint
            } else if !ssh.passwordStdin, context.console.isInputTerminal,
                      context.console.confirm("\(prefix)Accept the host key \(fingerprint) of \(host) (compare it on the device with ssh-keygen -lf)?") {
                accept = fingerprint
            } else {
                return operation
            }
        }
    }

    /// Every selected candidate in turn, then "3/5 installed, pi-zero failed: …".
    func batch(_ client: APIClient, key: String?, password: String?, context: CommandContext) async throws {
        let candidates = try await client.get(APIPaths.candidates, as: ListResponse<ScanCandidate>.self).items
        let chosen = candidates.filter { candidate in
            select.isEmpty ? candidate.hasSSH && !candidate.hasAgent : select.contains(candidate.address)
        }
        if let missing = select.first(where: { address in !candidates.contains { $0.address == address } }) {
            throw CLIError.usage("\(missing) is not among the scan results (homelab scan results)")
        }
        guard !chosen.isEmpty else {
            throw CLIError(.notFound, "no scanned host with SSH open and no agent: run 'homelab scan' first", exitCode: ExitStatus.notFound)
        }
        var results: [BootstrapResource] = []
        for (index, candidate) in chosen.enumerated() {
            let line = "[\(index + 1)/\(chosen.count)] \(candidate.address)\(candidate.hostname.map { " (\($0))" } ?? "")\n"
            if global.output == .json { context.console.writeError(line) } else { context.console.write(line) }
            results.append(try await install(client, host: candidate.address, key: key, password: password, context: context, prefix: ""))
        }
        let failed = results.filter { $0.state != .succeeded }
        let summary = "\(results.count - failed.count)/\(results.count) installed"
            + failed.map { ", \($0.device ?? $0.host) failed: \($0.failure?.message.split(separator: "\n").first.map(String.init) ?? "unknown error")" }.joined()
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(results))
        case .table: context.console.write(summary + "\n")
        }
        if !failed.isEmpty { throw CLIError(.other, summary, exitCode: ExitStatus.failure) }
    }
}
