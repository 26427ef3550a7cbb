import ArgumentParser
import Protocol
import Recipes

/// `homelab recipes list`: the catalog, filtered.
public struct RecipesList: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(commandName: "list", abstract: "List the catalog's recipes.", aliases: ["ls"])

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions
    /// Catalog filters.
    @OptionGroup public var filters: RecipeFilters

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// Fetches and prints the recipes.
    public func run(in context: CommandContext) async throws {
        try await RecipeListing.print(query: filters.query(text: nil), global: global, context: context)
    }
}

/// `homelab recipes search WORDS`: recipes whose name, tagline or description hold every word.
public struct RecipesSearch: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(commandName: "search", abstract: "Search the catalog by name, tagline and description.")

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions
    /// Catalog filters.
    @OptionGroup public var filters: RecipeFilters
    /// What to look for.
    @Argument(help: "Words that must all appear.") public var words: [String]

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// Fetches and prints the matches.
    public func run(in context: CommandContext) async throws {
        try await RecipeListing.print(query: filters.query(text: words.joined(separator: " ")), global: global, context: context)
    }
}

/// `--category`, `--arch`, `--fits`.
public struct RecipeFilters: ParsableArguments {
    @Option(help: "Only this category (media, files, passwords, network, …).") public var category: String?
    @Option(help: "Only recipes for this architecture (amd64, arm64, armv7).") public var arch: String?
    @Option(help: ArgumentHelp("Only recipes that fit on this device (architecture, free RAM and storage).", valueName: "device"))
    public var fits: String?

    public init() {}

    func query(text: String?) -> [(String, String)] {
        [("q", text), ("category", category), ("arch", arch), ("fits", fits)].compactMap { key, value in value.map { (key, $0) } }
    }
}

enum RecipeListing {
    static func print(query: [(String, String)], global: GlobalOptions, context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let path = APIPaths.recipes + (query.isEmpty ? "" : "?" + query.map { "\($0)=\(APIPaths.segment($1))" }.joined(separator: "&"))
        let list = try await APIClient.withClient(settings) { client in
            try await client.get(path, as: ListResponse<RecipeSummary>.self)
        }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(list))
        case .table: context.console.write(RecipeTable(recipes: list.items).render())
        }
    }
}
