import ArgumentParser
import Protocol

/// `homelab known-hosts`: the SSH host keys the controller accepted.
public struct KnownHostsCommand: AsyncParsableCommand {
    /// Name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "known-hosts",
        abstract: "List or forget the SSH host keys the controller accepted (devices add).",
        subcommands: [KnownHostsList.self, KnownHostsRemove.self],
        defaultSubcommand: KnownHostsList.self
    )

    /// Creates the command.
    public init() {}
}

/// `homelab known-hosts list`.
public struct KnownHostsList: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(commandName: "list", abstract: "List the accepted host keys.")

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws {
        try await run(in: .live())
    }

    /// Fetches and prints the keys.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let items = try await APIClient.withClient(settings) { client in
            try await client.get(APIPaths.knownHosts, as: ListResponse<KnownHostResource>.self).items
        }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(ListResponse(items: items)))
        case .table:
            context.console.write(Table(headers: ["HOST", "PORT", "TYPE", "FINGERPRINT", "ADDED"],
                                        rows: items.map { [$0.host, "\($0.port)", $0.keyType, $0.fingerprint, Units.ago($0.addedAt, now: context.now)] }).render())
        }
    }
}

/// `homelab known-hosts remove HOST`.
public struct KnownHostsRemove: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(commandName: "remove", abstract: "Forget a host's keys (after the device was reinstalled).")

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions

    /// The host.
    @Argument(help: "Host as given to 'devices add'.")
    public var host: String

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws {
        try await run(in: .live())
    }

    /// Removes the keys.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        try await APIClient.withClient(settings) { client in try await client.delete(APIPaths.knownHost(host)) }
        if global.output == .table { context.console.write("Forgot the host keys of \(host)\n") }
    }
}
