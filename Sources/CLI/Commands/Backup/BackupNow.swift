import ArgumentParser
import Protocol

/// `homelab backup now NAME`: backs an app up and follows the job to its end.
public struct BackupNow: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "now",
        abstract: "Back an app up now and follow it: restic's progress (bytes, files, time left), then the retention rules.",
        discussion: """
            Every component with volumes is backed up in turn, in its recipe's mode (stop, dump or live). In stop mode \
            the app is started again however the backup ends. Exit status 1 when the backup failed.
            """
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions
    /// The deployment.
    @Argument(help: "The app (deployment) name.") public var name: String
    /// The target.
    @Option(help: "The backup target device (default: the only one).") public var target: String?
    /// Whether to return at once.
    @Flag(help: "Return once the backup is accepted, without following it.") public var detach = false

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// Starts the job and follows it.
    public func run(in context: CommandContext) async throws {
        let request = BackupNowRequest(target: target), path = APIPaths.backups(name)
        try await JobFollower.run(try global.settings(in: context), context: context, output: global.output, detach: detach, doing: "backing up \(name)") { client in
            try await client.post(path, json: request, as: BackupAccepted.self)
        }
    }
}
