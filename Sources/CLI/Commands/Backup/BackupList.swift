import ArgumentParser
import Foundation
import Protocol

/// `homelab backup list NAME`: an app's backup runs.
public struct BackupList: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List an app's backup runs, newest first: time, size, what each holds, and whether it is complete.")

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions
    /// The deployment.
    @Argument(help: "The app (deployment) name.") public var name: String
    /// The target.
    @Option(help: "The backup target device (default: the only one).") public var target: String?

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// Lists them.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let path = APIPaths.backups(name) + APIPaths.query([("target", target)])
        let runs = try await APIClient.withClient(settings) { client in
            try await client.get(path, as: ListResponse<BackupRunEntry>.self).items
        }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(runs))
        case .table: context.console.write(BackupRunTable(runs: runs).render())
        }
    }
}
