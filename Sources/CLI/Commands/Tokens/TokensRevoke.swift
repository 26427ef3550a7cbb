import ArgumentParser

/// `homelab tokens revoke ID`: makes a join token unusable.
public struct TokensRevoke: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a join token (devices that already joined stay), or with --api an API token."
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions

    /// The token id.
    @Argument(help: "Token id (the ID column of 'homelab tokens list').")
    public var id: String

    /// An API token instead of a join token.
    @Flag(help: "Revoke an API token (the ID column of 'homelab tokens list --api'); it stops working at once.")
    public var api = false

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws {
        try await run(in: .live())
    }

    /// Revokes the token and reports it.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        try await APIClient.withClient(settings) { client in
            try await client.delete(api ? APIPaths.apiToken(id) : APIPaths.token(id))
        }
        if global.output == .table {
            context.console.write("Revoked token \(id)\n")
        }
    }
}
