import ArgumentParser

/// `homelab backup targets rm DEVICE`.
public struct BackupTargetsRemove: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Stop a backup target (refused while it holds repositories; they stay on its disk).")

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions
    /// The device.
    @Argument(help: "The device's name or id.") public var device: String

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// Removes it.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        try await APIClient.withClient(settings) { client in try await client.delete(APIPaths.backupTarget(device)) }
        if global.output == .table { context.console.write("\(device) is no longer a backup target.\n") }
    }
}
