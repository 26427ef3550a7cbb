import ArgumentParser
import Protocol

/// `homelab insights`: what the history shows (filling disks, daily patterns, heat, reboot and restart loops,
/// overloaded devices with a move to make).
public struct InsightsCommand: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "insights",
        abstract: "What the metrics history shows: disks and RAM filling up, daily patterns, heat, reboot and restart loops, overload.",
        discussion: "An overloaded device comes with a suggested move and the command that starts it."
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// Fetches the insights and prints them.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let answer = try await APIClient.withClient(settings) { try await $0.get(APIPaths.insights, as: InsightsResponse.self) }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(answer))
        case .table: context.console.write(InsightTable(insights: answer.items, style: Style(colorEnabled: context.usesColor)).render())
        }
    }
}
