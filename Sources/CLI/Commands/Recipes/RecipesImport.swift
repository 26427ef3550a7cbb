import ArgumentParser
import Foundation
import RecipeImport
import Recipes

/// `homelab recipes import PATH`: one app of the Runtipi, CasaOS or Umbrel stores as a recipe.
public struct RecipesImport: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert an app of the Runtipi, CasaOS or Umbrel app stores into a recipe.",
        discussion: "What the recipe cannot carry over is listed on standard error; see docs/importers.md."
    )

    /// The app's folder.
    @Argument(help: ArgumentHelp("The app's folder in the store.", valueName: "path")) public var path: String
    /// Where to write.
    @Option(name: .shortAndLong, help: ArgumentHelp("Write the recipe to this file instead of standard output.", valueName: "file"))
    public var output: String?

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// Imports and writes.
    public func run(in context: CommandContext) async throws {
        let result: ImportResult
        do {
            result = try RecipeImporter.importApp(at: path)
        } catch {
            throw CLIError(.localFile, "\(error)", exitCode: ExitStatus.failure)
        }
        if let output {
            do {
                try result.yaml.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError(.localFile, "cannot write \(output): \(error.localizedDescription)", exitCode: ExitStatus.failure)
            }
        } else {
            context.console.write(result.yaml)
        }
        context.console.writeError("imported \(result.id) from the \(result.store.rawValue) format\n")
        for dropped in result.dropped { context.console.writeError("not carried over: \(dropped)\n") }
        do {
            _ = try RecipeLoader.parse(result.yaml, file: output ?? "\(result.id).yaml")
        } catch {
            context.console.writeError("the recipe needs editing before it validates:\n\(error.description)\n")
            throw ExitCode(ExitStatus.failure)
        }
    }
}
