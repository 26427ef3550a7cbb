import ArgumentParser
import Protocol

/// `homelab scan results`: every host the scans found, kept by the controller.
public struct ScanResults: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "results",
        abstract: "List every host the scans found: address, MAC and vendor, open services, a guess, whether an agent runs there."
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions

    /// Only hosts an agent could be installed on.
    @Flag(help: "Only hosts with SSH open and no agent (what 'devices add --from-scan' would take).")
    public var candidatesOnly = false

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws {
        try await run(in: .live())
    }

    /// Fetches and prints the list.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        var items = try await APIClient.withClient(settings) { client in
            try await client.get(APIPaths.candidates, as: ListResponse<ScanCandidate>.self).items
        }
        if candidatesOnly { items = items.filter { $0.hasSSH && !$0.hasAgent } }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(ListResponse(items: items)))
        case .table: context.console.write(ScanTable(candidates: items, now: context.now).render())
        }
    }
}
