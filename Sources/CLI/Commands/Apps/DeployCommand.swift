import ArgumentParser
import Foundation
import Protocol

/// `homelab deploy RECIPE`: deploys a catalog app or a recipe file and follows it until it is healthy.
public struct DeployCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy a catalog app or a recipe file to the best device (or the one named), and follow it until it is healthy.",
        discussion: """
            Deploying an existing name again upgrades it in place: its inputs are kept unless --set changes them, \
            its secrets are kept, and only what changed is recreated. A deploy that fails is rolled back: a first \
            deploy leaves nothing behind, an upgrade goes back to the version that ran. Exit status 1 when it failed.
            """
    )

    @OptionGroup public var global: GlobalOptions
    @Argument(help: "A catalog recipe id, or the path of a recipe file (as kubectl apply -f takes one).") public var recipe: String
    @Option(name: .customLong("device"), help: ArgumentHelp("auto (default), a device for every component, or COMPONENT=DEVICE (repeatable).", valueName: "device"))
    public var devices: [String] = []
    @Option(name: .customLong("set"), help: ArgumentHelp("An input value (repeatable).", valueName: "key=value")) public var values: [String] = []
    @Option(help: "The deployment's name (default: the recipe's id).") public var name: String?
    @Flag(help: "Route the homelab's reverse proxy to the app (NAME.DOMAIN).") public var expose = false
    @Flag(help: "Return once the deploy is accepted, without following it.") public var detach = false
    @Option(help: "Seconds to wait for health (default: the controller's, 120).") public var healthTimeout: Int?

    public init() {}

    public func run() async throws { try await run(in: .live()) }

    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let request = try makeRequest()
        let style = Style(colorEnabled: context.usesColor)
        let (accepted, followed) = try await APIClient.withClient(settings) { client -> (DeployAccepted, DeploymentDetail?) in
            let accepted = try await client.post(APIPaths.deployments, json: request, as: DeployAccepted.self)
            if detach { return (accepted, nil) }
            var view = DeployProgressView(terminal: context.console.isOutputTerminal && global.output == .table, style: style)
            try await client.lines(accepted.progress) { data in
                guard global.output == .table, let step = try? WireCoding.decoder.decode(DeploymentStep.self, from: data) else { return }
                context.console.write(view.render(step))
            }
            return (accepted, try await client.get(APIPaths.deployment(accepted.deployment.name), as: DeploymentDetail.self))
        }
        guard let detail = followed else {
            switch global.output {
            case .json: context.console.write(try JSONOutput.render(accepted))
            case .table: context.console.write("Accepted \(accepted.deployment.name). Follow it with: homelab apps show \(accepted.deployment.name)\n")
            }
            return
        }
        let deployment = detail.deployment
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(detail))
        case .table:
            if deployment.state == .running && deployment.error == nil {
                context.console.write("\n\(deployment.name) is running on \(deployment.devices)" + (deployment.url.map { ": open \($0)" } ?? "") + "\n")
                if let notes = detail.notes?.trimmingCharacters(in: .whitespacesAndNewlines), !notes.isEmpty {
                    context.console.write("\n" + notes + "\n")
                }
            }
        }
        // A failed upgrade that was rolled back runs again (the previous version), with the failure kept in `error`.
        if deployment.state != .running || deployment.error != nil {
            let failure = deployment.error ?? HomelabError(.deployFailed, "it ended \(deployment.state.rawValue)")
            throw CLIError(controller: HomelabError(failure.code, "deploying \(deployment.name) failed: \(failure.message) (state \(deployment.state.rawValue))",
                                                    context: failure.context))
        }
    }

    public func makeRequest() throws -> DeployRequest {
        var inputs: [String: String] = [:]
        for value in values {
            guard let equals = value.firstIndex(of: "="), equals != value.startIndex else {
                throw CLIError.usage("--set \(value): expected KEY=VALUE")
            }
            inputs[String(value[..<equals])] = String(value[value.index(after: equals)...])
        }
        var request = DeployRequest(name: name, placement: try Self.placement(devices), inputs: inputs.isEmpty ? nil : inputs,
                                    expose: expose ? true : nil, healthTimeout: healthTimeout)
        if recipe.hasSuffix(".yaml") || recipe.hasSuffix(".yml") || recipe.contains("/") {
            guard let data = FileManager.default.contents(atPath: recipe) else { throw CLIError.localFile("cannot read \(recipe)") }
            request.recipeYAML = String(decoding: data, as: UTF8.self)
            request.recipeFile = URL(fileURLWithPath: recipe).lastPathComponent
        } else {
            request.recipe = recipe
        }
        return request
    }

    /// `--device` values as the API's placement: `auto`, `DEVICE` (every component), `COMPONENT=DEVICE`.
    static func placement(_ values: [String]) throws -> Placement? {
        var devices: [String: String] = [:]
        for value in values where value != "auto" {
            if let equals = value.firstIndex(of: "=") {
                let component = String(value[..<equals]), device = String(value[value.index(after: equals)...])
                guard !component.isEmpty, !device.isEmpty else { throw CLIError.usage("--device \(value): expected COMPONENT=DEVICE") }
                devices[component] = device
            } else {
                guard devices[Placement.everyComponent] == nil || devices[Placement.everyComponent] == value else {
                    throw CLIError.usage("--device names two devices for every component (\(devices[Placement.everyComponent]!) and \(value)); use COMPONENT=DEVICE")
                }
                devices[Placement.everyComponent] = value
            }
        }
        if devices.isEmpty { return values.isEmpty ? nil : .auto }
        return .devices(devices)
    }
}
