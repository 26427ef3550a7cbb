import ArgumentParser
import Protocol

/// `homelab backup check NAME`: checks an app's repository and follows the job to its end.
public struct BackupCheck: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check an app's backups where they are kept: restic check, reading a share of the data back.",
        discussion: """
            The target's agent runs `restic check --read-data-subset=N%` on the app's repository; the app is not \
            touched. The controller does this by itself weekly (5 %); a failed check is in the activity feed and \
            fires the backup-failed alert. Exit status 1 when damage was found or the check could not run.
            """
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions
    /// The deployment.
    @Argument(help: "The app (deployment) name.") public var name: String
    /// How much data is read.
    @Option(name: .customLong("read-data"), help: "Percent of the data read back and verified, 0-100 (0: the structure only).")
    public var readData = 5
    /// The target.
    @Option(help: "The backup target device (default: where the app's latest backup went).") public var target: String?
    /// Whether to return at once.
    @Flag(help: "Return once the check is accepted, without following it.") public var detach = false

    /// Creates the command.
    public init() {}

    /// Checks the options before anything is sent.
    public func validate() throws {
        guard (0...100).contains(readData) else { throw ValidationError("--read-data is a percent, 0-100, not \(readData)") }
    }

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// Starts the job and follows it.
    public func run(in context: CommandContext) async throws {
        let request = BackupCheckRequest(readDataPercent: readData, target: target), path = APIPaths.backupCheck(name)
        try await JobFollower.run(try global.settings(in: context), context: context, output: global.output, detach: detach, doing: "checking \(name)'s backups") { client in
            try await client.post(path, json: request, as: BackupAccepted.self)
        }
    }
}
