import ArgumentParser
import Protocol
import Recipes

/// `homelab recipes show ID`: a recipe's inputs, components, requirements and ports.
public struct RecipesShow: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a recipe: inputs, components, requirements, ports.")

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions
    /// The recipe.
    @Argument(help: "Recipe id.") public var id: String

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// Fetches and prints the recipe.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let detail = try await APIClient.withClient(settings) { client in
            try await client.get(APIPaths.recipe(id), as: RecipeDetail.self)
        }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(detail))
        case .table: context.console.write(RecipeDetailView(detail: detail).render())
        }
    }
}
