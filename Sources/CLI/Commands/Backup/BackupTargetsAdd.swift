import ArgumentParser
import Protocol

/// `homelab backup targets add DEVICE --path P`: the device's agent serves its folder to the others.
public struct BackupTargetsAdd: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Make a device a backup target: its agent serves restic's REST protocol over mutual TLS.",
        discussion: "Sources may only add to their own repositories there; only the controller deletes. With --local the folder (a USB disk, say) holds backups of the device's own apps only."
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions
    /// The device.
    @Argument(help: "The device's name or id.") public var device: String
    /// The folder on the device.
    @Option(help: ArgumentHelp("The folder of repositories on the device.", valueName: "path")) public var path: String
    /// The REST port.
    @Option(help: "The port the agent serves backups on.") public var port: Int?
    /// A folder on the device for its own apps.
    @Flag(help: "A folder only the device's own apps back up into; nothing is served.") public var local = false

    /// Creates the command.
    public init() {}

    /// Checks the path and the port.
    public func validate() throws {
        guard path.hasPrefix("/") else { throw ValidationError("--path must be an absolute path on the device") }
        if let port, !(1...65535).contains(port) { throw ValidationError("--port must be 1-65535") }
        if local && port != nil { throw ValidationError("a --local target serves nothing: give no --port") }
    }

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// Adds the target and shows it.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let request = BackupTargetRequest(path: path, port: port, kind: local ? "local" : "rest")
        let target = try await APIClient.withClient(settings) { client in
            try await client.put(APIPaths.backupTarget(device), json: request, as: BackupTargetResource.self)
        }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(target))
        case .table: context.console.write(BackupTargetTable(targets: [target]).render())
        }
    }
}
