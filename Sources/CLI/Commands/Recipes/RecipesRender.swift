import ArgumentParser
import Foundation
import Protocol
import Recipes

/// `homelab recipes render ID|FILE`: the compose file a deployment would run, for `docker compose -f - config`.
public struct RecipesRender: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print the compose file a recipe renders to (secrets are generated for this preview only).",
        discussion: "RECIPE is a catalog id (rendered by the controller) or a recipe file (rendered here, no controller needed)."
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions
    /// The recipe.
    @Argument(help: ArgumentHelp("Catalog id, or path of a recipe file.", valueName: "recipe")) public var recipe: String
    /// Input values.
    @Option(name: .customLong("set"), help: ArgumentHelp("An input's value (repeatable).", valueName: "NAME=VALUE")) public var values: [String] = []
    /// The deployment's name.
    @Option(help: "Deployment name (default: the recipe id).") public var name: String?
    /// Component addresses.
    @Option(name: .customLong("host"), help: ArgumentHelp("Where a component runs, for ${component.NAME.host} (repeatable).", valueName: "COMPONENT=ADDRESS"))
    public var hosts: [String] = []
    /// The component to print.
    @Option(help: "The component to print, when the recipe has several.") public var component: String?

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// Renders and prints.
    public func run(in context: CommandContext) async throws {
        let request = RenderRequest(name: name, inputs: try Self.pairs(values, option: "--set"), hosts: try Self.pairs(hosts, option: "--host"))
        let response: RenderResponse
        if RecipeFiles.isPath(recipe) {
            let loaded = try RecipeFiles.load(recipe)
            do {
                response = try RenderResponse.preview(loaded, request, source: "--set")
            } catch {
                throw CLIError(.badRequest, error.description, exitCode: ExitStatus.failure)
            }
        } else {
            let settings = try global.settings(in: context)
            response = try await APIClient.withClient(settings) { client in
                try await client.post(APIPaths.render(recipe), json: request, as: RenderResponse.self)
            }
        }
        if global.output == .json {
            context.console.write(try JSONOutput.render(response))
            return
        }
        let chosen: RenderResponse.Component
        if let component {
            guard let found = response.components.first(where: { $0.name == component }) else {
                throw CLIError.usage("the recipe has no component \(component) (it has: \(response.components.map(\.name).joined(separator: ", ")))")
            }
            chosen = found
        } else if response.components.count == 1 {
            chosen = response.components[0]
        } else {
            throw CLIError.usage("the recipe has several components, each its own compose file: choose one with --component (\(response.components.map(\.name).joined(separator: ", ")))")
        }
        context.console.write(chosen.compose)
    }

    /// `NAME=VALUE` arguments as a map; a malformed one is a usage error naming the option.
    static func pairs(_ arguments: [String], option: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw CLIError.usage("\(option) \(argument): expected NAME=VALUE")
            }
            out[String(argument[..<equals])] = String(argument[argument.index(after: equals)...])
        }
        return out
    }
}

/// Recipe files named on the command line.
enum RecipeFiles {
    /// A path rather than a catalog id: it has a `/` or ends in `.yaml`/`.yml`, or a file of that name exists.
    static func isPath(_ argument: String) -> Bool {
        argument.contains("/") || argument.hasSuffix(".yaml") || argument.hasSuffix(".yml") || FileManager.default.fileExists(atPath: argument)
    }

    /// A recipe argument as the API takes it: a catalog id, or a file's text and name (`homelab deploy ./app.yaml`).
    static func reference(_ argument: String) throws -> (id: String?, yaml: String?, file: String?) {
        guard isPath(argument) else { return (argument, nil, nil) }
        guard let data = FileManager.default.contents(atPath: argument) else { throw CLIError.localFile("cannot read \(argument)") }
        return (nil, String(decoding: data, as: UTF8.self), URL(fileURLWithPath: argument).lastPathComponent)
    }

    static func load(_ path: String) throws -> Recipe {
        do {
            return try RecipeLoader.load(path: path)
        } catch {
            throw CLIError(.localFile, "\(path) is not a valid recipe:\n\(error.description)", exitCode: ExitStatus.failure)
        }
    }
}
