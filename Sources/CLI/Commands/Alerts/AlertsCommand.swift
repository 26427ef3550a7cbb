import ArgumentParser
import Protocol

/// `homelab alerts`: the alerts raised, their channels and rules, and a test message.
public struct AlertsCommand: AsyncParsableCommand {
    /// Name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Alerts to ntfy, Gotify, e-mail, Discord, Slack or a webhook: the alerts raised, channels, rules, a test message.",
        subcommands: [AlertsList.self, AlertsTest.self, AlertsChannels.self, AlertsRules.self],
        defaultSubcommand: AlertsList.self
    )

    /// Creates the command.
    public init() {}
}

/// `homelab alerts list [--firing]`.
public struct AlertsList: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(commandName: "list", abstract: "The latest alerts, newest first.", aliases: ["ls"])
    @OptionGroup public var global: GlobalOptions
    @Flag(help: "Only those still firing.") public var firing = false
    public init() {}
    public func run() async throws { try await run(in: .live()) }

    /// Fetches the alerts and prints them.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let path = APIPaths.alerts + APIPaths.query([("state", firing ? AlertState.firing.rawValue : nil)])
        let list = try await APIClient.withClient(settings) { try await $0.get(path, as: ListResponse<AlertResource>.self) }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(list))
        case .table: context.console.write(AlertTables.alerts(list.items, now: context.now))
        }
    }
}

/// `homelab alerts test CHANNEL`: one message now, and what the receiver answered.
public struct AlertsTest: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(commandName: "test", abstract: "Send a test message to a channel now and say what its receiver answered.")
    @OptionGroup public var global: GlobalOptions
    @Argument(help: "Channel name.") public var channel: String
    public init() {}
    public func run() async throws { try await run(in: .live()) }

    /// Sends the test and prints the answer; a receiver that refuses it is an error (exit 1).
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let result = try await APIClient.withClient(settings) {
            try await $0.post(APIPaths.alertChannel(channel) + "/test", as: AlertTestResult.self)
        }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(result))
        case .table: context.console.write("\(result.channel): delivered (\(result.detail), \(result.milliseconds) ms)\n")
        }
    }
}
