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
        let settings = try global.settings(in: context)
        let (accepted, ended) = try await APIClient.withClient(settings) { client -> (BackupAccepted, JobResource?) in
            let accepted = try await client.post(APIPaths.backups(name), json: BackupNowRequest(target: target), as: BackupAccepted.self)
            if detach { return (accepted, nil) }
            try await client.lines(accepted.progress) { data in
                guard global.output == .table, let step = try? WireCoding.decoder.decode(JobStepResource.self, from: data) else { return }
                context.console.write(step.message + "\n")
            }
            return (accepted, try await client.get(APIPaths.job(accepted.job.id), as: JobResource.self))
        }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(ended ?? accepted.job))
        case .table:
            if ended == nil { context.console.write("Accepted: job \(accepted.job.id). Follow it with: homelab jobs\n") }
        }
        if let ended, ended.outcome != "succeeded" {
            let failure = ended.failure ?? HomelabError(.internal, "the backup ended \(ended.state)")
            throw CLIError(controller: HomelabError(failure.code, "backing up \(name) failed: \(failure.message)", context: failure.context))
        }
    }
}
