import ArgumentParser
import Protocol

/// `homelab discover`: everything the controller hears announcing on the network, enrolled or not.
public struct DiscoverCommand: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "discover",
        abstract: "List agents and controllers heard announcing on the network (enrolled or not).",
        discussion: """
            The controller listens to UDP multicast 239.255.70.77:7445 on its interfaces; entries \
            not heard for three announce intervals disappear. An agent with no DEVICE entry is not \
            registered here yet: give it a join token, or approve it with 'homelab devices approve'.
            """
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions

    /// Also print what became of every datagram (accepted, malformed, rate limited, …).
    @Flag(help: "Also show the datagram counters (accepted, dropped and why).")
    public var counters = false

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws {
        try await run(in: .live())
    }

    /// Fetches the list and prints it.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let list = try await APIClient.withClient(settings) { client in
            try await client.get(APIPaths.discovered, as: DiscoveredList.self)
        }
        switch global.output {
        case .json:
            context.console.write(try JSONOutput.render(list))
        case .table:
            context.console.write(DiscoveredTable(items: list.items, now: context.now).render())
            if counters {
                let lines = list.datagrams.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value)" }
                context.console.write("\ndatagrams:\n" + (lines.isEmpty ? "  none received" : lines.joined(separator: "\n")) + "\n")
            }
        }
    }
}
