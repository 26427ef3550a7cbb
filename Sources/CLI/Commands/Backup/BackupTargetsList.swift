import ArgumentParser
import Protocol

/// `homelab backup targets list`.
public struct BackupTargetsList: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(commandName: "list", abstract: "List the backup targets.")

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// Lists them.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let targets = try await APIClient.withClient(settings) { client in
            try await client.get(APIPaths.backupTargets, as: ListResponse<BackupTargetResource>.self).items
        }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(targets))
        case .table: context.console.write(BackupTargetTable(targets: targets).render())
        }
    }
}
