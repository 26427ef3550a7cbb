import ArgumentParser

/// `homelab recipes`: the app catalog, and recipe files on this machine.
public struct RecipesCommand: AsyncParsableCommand {
    /// Name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "recipes",
        abstract: "Browse the app catalog; validate, render and import recipe files.",
        subcommands: [RecipesList.self, RecipesSearch.self, RecipesShow.self, RecipesRender.self, RecipesValidate.self, RecipesImport.self]
    )

    /// Creates the command.
    public init() {}
}
