import ArgumentParser
import Foundation

/// The root `homelab` command.
public struct HomelabCommand: AsyncParsableCommand {
    /// Name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "homelab",
        abstract: "Run apps on the devices of your homelab through its controller.",
        discussion: """
            Connection settings come from flags (--url, --token, --ca), then the environment \
            (HOMELAB_URL, HOMELAB_TOKEN, HOMELAB_CA: a CA file or SHA-256 fingerprint), then the \
            login saved by 'homelab login' in $XDG_CONFIG_HOME/homelab (default ~/.config/homelab). \
            Set NO_COLOR to turn colors off.

            Shell completion: homelab --generate-completion-script bash|zsh|fish \
            (or 'homelab completion SHELL').

            Exit codes:
              0   success
              1   other error (a deploy that did not end running, among others)
              3   not found (no such device, deployment, recipe or token)
              4   unauthorized: the controller refused the token, or its role does not allow this
              5   controller unreachable, or its certificate does not match the pinned CA
              6   not logged in (no controller URL or token configured)
              7   conflict: work under way on it, or the name is taken
              8   refused: a bad value, inputs or recipe, or no device can run it
              9   the device is offline or dropped its link
              10  failed on the device (agent, engine, health check, proxy)
              64  usage error
            The controller's error code is shown in brackets after its message.
            """,
        subcommands: [LoginCommand.self, DevicesCommand.self, DiscoverCommand.self, ScanCommand.self, KnownHostsCommand.self, TokensCommand.self, AuditCommand.self, RecipesCommand.self, DeployCommand.self, AppsCommand.self, RecommendCommand.self, PlanCommand.self, SnapshotCommand.self, JobsCommand.self,
                      InsightsCommand.self, AlertsCommand.self, BackupCommand.self,
                      CompletionCommand.self]
    )

    /// Creates the command.
    public init() {}

    /// The line a failure is printed as: its message, and the controller's code in brackets when it is the controller's.
    static func errorLine(for failure: CLIError) -> String { "Error: \(failure.shown)" }

    /// Parses the process arguments, runs the command, and exits with the status of its outcome.
    public static func main() async {
        await execute()
    }

    /// Parses `arguments`, runs the command, and exits with the status of its outcome (see the exit codes above).
    ///
    /// `main.swift` calls this rather than `main()`: in top-level code Swift picks argument parser's
    /// synchronous `main()`, which cannot run asynchronous commands.
    public static func execute(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Never {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exit(withError: error)
        }
        do {
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                var command = command
                try command.run()
            }
        } catch {
            // Help, validation and exit requests are argument parser's to print and to map to an exit code.
            if String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") {
                exit(withError: error)
            }
            let failure = CLIError.wrapping(error)
            StandardConsole().writeError(errorLine(for: failure) + "\n")
            Foundation.exit(failure.exitCode)
        }
        Foundation.exit(ExitStatus.success)
    }
}
