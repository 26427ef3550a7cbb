import ArgumentParser
import Protocol

/// `homelab tokens list`: the join tokens, without their secrets.
public struct TokensList: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List join tokens (their secrets are never shown again).",
        aliases: ["ls"]
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions

    /// API tokens instead of join tokens.
    @Flag(help: "List API tokens (people and programs, with their roles) instead of join tokens.")
    public var api = false

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws {
        try await run(in: .live())
    }

    /// Fetches the tokens and prints them.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        if api {
            let list = try await APIClient.withClient(settings) { client in
                try await client.get(APIPaths.apiTokens, as: ListResponse<APITokenResource>.self)
            }
            switch global.output {
            case .json: context.console.write(try JSONOutput.render(list))
            case .table: context.console.write(APITokenTable(tokens: list.items, now: context.now).render())
            }
            return
        }
        let list = try await APIClient.withClient(settings) { client in
            try await client.get(APIPaths.tokens, as: ListResponse<TokenResource>.self)
        }
        switch global.output {
        case .json:
            context.console.write(try JSONOutput.render(list))
        case .table:
            context.console.write(TokenTable(tokens: list.items, now: context.now).render())
        }
    }
}
