import ArgumentParser

/// `homelab tokens`: join tokens that let devices enroll.
public struct TokensCommand: AsyncParsableCommand {
    /// Name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Create, list and revoke join tokens.",
        subcommands: [TokensCreate.self, TokensList.self, TokensRevoke.self]
    )

    /// Creates the command.
    public init() {}
}
