import Foundation

/// Everything a command takes from the outside world, so tests can run commands with their own.
public struct CommandContext: Sendable {
    /// Environment variables (`HOMELAB_URL`, `HOMELAB_TOKEN`, `HOMELAB_CA`, `NO_COLOR`, `XDG_CONFIG_HOME`, `HOME`).
    public var environment: [String: String]
    /// The directory holding `config.json` and `ca.pem`.
    public var configDirectory: String
    /// Standard output, error and input.
    public var console: any Console
    /// The time relative times ("5s ago") are measured from.
    public var now: Date

    /// Creates a context.
    public init(environment: [String: String], configDirectory: String? = nil, console: any Console, now: Date = Date()) {
        self.environment = environment
        self.configDirectory = configDirectory ?? ConfigStore.defaultDirectory(environment: environment)
        self.console = console
        self.now = now
    }

    /// The context of the running process: its environment, its terminal, the real config directory.
    public static func live() -> CommandContext {
        CommandContext(environment: ProcessInfo.processInfo.environment, console: StandardConsole())
    }

    /// Whether status words are colored: only on a terminal and when `NO_COLOR` is unset or empty.
    public var usesColor: Bool {
        Style.colorEnabled(environment: environment, outputIsTerminal: console.isOutputTerminal)
    }
}
