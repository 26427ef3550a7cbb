import ArgumentParser
import Scheduler

/// `homelab recommend RECIPE`: where a catalog app (or a recipe file) should run, ranked with reasons.
public struct RecommendCommand: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Rank the devices for a catalog app or a recipe file: tiers, scores, reasons, and where each instance would go."
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions
    /// Placement constraints.
    @OptionGroup public var constraints: PlacementOptions
    /// The recipe.
    @Argument(help: "A catalog recipe id, or the path of a recipe file (as homelab deploy takes one).") public var recipe: String

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// Asks the controller and prints the plan.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        var request = constraints.request(recipe: nil)
        (request.recipe, request.recipeYAML, request.recipeFile) = try RecipeFiles.reference(recipe)
        let plan = try await APIClient.withClient(settings) { [request] client in
            try await client.post(APIPaths.recommendations, json: request, as: Plan.self)
        }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(plan))
        case .table: context.console.write(PlanView(plan: plan, explain: constraints.explain).render())
        }
    }
}

/// `--instances`, `--group`, `--not-on`, `--allow-same-device`, `--explain`.
public struct PlacementOptions: ParsableArguments {
    @Option(help: "How many copies, each on its own device.") public var instances: Int = 1
    @Option(help: "Only devices whose group label is this.") public var group: String?
    @Option(name: .customLong("not-on"), help: ArgumentHelp("Never this device (repeatable).", valueName: "device")) public var notOn: [String] = []
    @Flag(help: "Let several instances share a device.") public var allowSameDevice = false
    @Option(help: ArgumentHelp("Show one device's factor scores and filters.", valueName: "device")) public var explain: String?

    public init() {}

    public func validate() throws {
        guard (1...1000).contains(instances) else { throw ValidationError("--instances must be 1-1000") }
    }

    func request(recipe: String?) -> RecommendationRequest {
        RecommendationRequest(recipe: recipe, instances: instances, group: group, notOn: notOn.isEmpty ? nil : notOn,
                              allowSameDevice: allowSameDevice ? true : nil)
    }
}
