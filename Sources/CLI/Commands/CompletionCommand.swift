import ArgumentParser

/// `homelab completion SHELL`: prints the shell completion script.
public struct CompletionCommand: ParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Print the completion script for bash, zsh or fish.",
        discussion: """
            Same as 'homelab --generate-completion-script SHELL'. For example:
              homelab completion bash > /etc/bash_completion.d/homelab
              homelab completion zsh > "${fpath[1]}/_homelab"
              homelab completion fish > ~/.config/fish/completions/homelab.fish
            """
    )

    /// The shell.
    @Argument(help: "bash, zsh or fish.")
    public var shell: String

    /// Creates the command.
    public init() {}

    /// Checks the shell name.
    public func validate() throws {
        guard CompletionShell(rawValue: shell) != nil else {
            throw ValidationError("unknown shell '\(shell)': use bash, zsh or fish")
        }
    }

    /// Prints the script.
    public func run() throws {
        guard let shell = CompletionShell(rawValue: shell) else { return }
        StandardConsole().write(HomelabCommand.completionScript(for: shell))
    }
}
