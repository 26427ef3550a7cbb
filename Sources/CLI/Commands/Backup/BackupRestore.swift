import ArgumentParser
import Protocol

/// `homelab backup restore NAME`: restores an app where it runs from a backup run, and follows the job.
public struct BackupRestore: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore an app where it runs from a backup run (default: the newest complete one), and follow it.",
        discussion: """
            The run's volumes are restored into fresh volumes and verified file by file while the app runs; then the app \
            is stopped, the volumes' contents swapped in, the app started and its health checked; only then are the old \
            contents dropped. A restore that fails leaves the app as it was: its old volumes, running. Exit status 1 when \
            it failed.
            """
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions
    /// The deployment.
    @Argument(help: "The app (deployment) name.") public var name: String
    /// Which run.
    @Option(help: "The backup run (homelab backup list shows them) or a snapshot id of it; default: the newest complete run.")
    public var snapshot: String?
    /// The target.
    @Option(help: "The backup target device (default: the only one).") public var target: String?
    /// Whether to return at once.
    @Flag(help: "Return once the restore is accepted, without following it.") public var detach = false

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// Starts the job and follows it.
    public func run(in context: CommandContext) async throws {
        let request = RestoreRequest(snapshot: snapshot, target: target), path = APIPaths.restores(name)
        try await JobFollower.run(try global.settings(in: context), context: context, output: global.output, detach: detach, doing: "restoring \(name)") { client in
            try await client.post(path, json: request, as: BackupAccepted.self)
        }
    }
}
