import ArgumentParser
import Protocol

/// `homelab devices uninstall NAME`: removes a device's agent, unit and files over SSH.
public struct DevicesUninstall: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove a device's agent, its unit and files over SSH, then the device (apps stay unless --remove-apps).",
        discussion: "Host, port and user default to those of the device's 'homelab devices add'. See docs/bootstrap.md."
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions
    /// SSH login options.
    @OptionGroup public var ssh: SSHOptions

    /// The device.
    @Argument(help: "Device name or id.")
    public var name: String

    /// Host override.
    @Option(help: "Address or name to reach it at (default: where it was added, else its last address).")
    public var host: String?

    /// Remove its apps first.
    @Flag(help: "Remove the device's stacks first (their volumes stay).")
    public var removeApps = false

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws {
        try await run(in: .live())
    }

    /// Starts the uninstall and follows it.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let (key, password) = try ssh.credential(in: context)
        let body = UninstallRequest(host: host, port: ssh.port, user: ssh.user, password: password, privateKey: key, sudo: ssh.sudo ? true : nil,
                                    acceptHostKey: ssh.acceptHostKeys.first, removeApps: removeApps ? true : nil)
        let operation = try await APIClient.withClient(settings) { client in
            let started = try await client.post(APIPaths.uninstall(name), json: body, as: BootstrapResource.self)
            return try await BootstrapFollower(context: context, toErrors: global.output == .json).follow(client, started)
        }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(operation))
        case .table where operation.state == .succeeded: context.console.write("Removed the agent of \(name) from \(operation.host)\n")
        case .table: break
        }
        if operation.state != .succeeded { throw BootstrapFollower.error(operation) }
    }
}
