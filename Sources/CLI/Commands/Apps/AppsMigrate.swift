import ArgumentParser
import Foundation
import Protocol

/// `homelab apps migrate NAME --to DEVICE|auto`: moves an app (one component) to another device with its
/// data, following the job as `homelab deploy` does; `--finish NAME` removes the stopped source it kept.
public struct AppsMigrate: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Move an app to another device with its data, and follow it until it runs there.",
        discussion: """
            The destination pulls the images while the app runs; then the app stops, its volumes are copied agent to agent \
            and checked file by file, and it starts at the destination with the same configuration and secrets. A failure \
            before it runs healthy there rolls back: the app runs where it was, with its data, and the destination keeps \
            nothing. The stopped source is kept with its volumes until --remove-source (or --finish NAME later). \
            Exit status 1 when it failed.
            """
    )

    @OptionGroup public var global: GlobalOptions
    @Argument(help: "Deployment name.") public var name: String
    @Option(help: ArgumentHelp("A device, or auto (the scheduler's choice, the current device excluded).", valueName: "device")) public var to: String?
    @Option(help: "The component to move (needed when the app has several).") public var component: String?
    @Flag(help: "Remove the stopped source and its volumes once the app runs at the destination.") public var removeSource = false
    @Flag(help: "Print the plan (volumes, room, images, expected downtime, steps) and change nothing.") public var dryRun = false
    @Flag(help: "Copy while the app runs first, so the copy with it stopped only sends what changed.") public var warm = false
    @Flag(help: "Remove the stopped source the last migration of NAME kept.") public var finish = false

    public init() {}

    public func validate() throws {
        if finish && (to != nil || dryRun || warm || removeSource || component != nil) { throw ValidationError("--finish takes only the app's name") }
        if !finish && to == nil { throw ValidationError("say where to: --to DEVICE or --to auto") }
    }

    public func run() async throws { try await run(in: .live()) }

    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let request = MigrationRequest(to: to, component: component, removeSource: removeSource ? true : nil, warm: warm ? true : nil,
                                       dryRun: dryRun ? true : nil, finish: finish ? true : nil)
        if dryRun {
            let plan = try await APIClient.withClient(settings) { try await $0.post(APIPaths.migrations(name), json: request, as: MigrationPlan.self) }
            switch global.output {
            case .json: context.console.write(try JSONOutput.render(plan))
            case .table: context.console.write(MigrationPlanView(plan: plan).render())
            }
            return
        }
        let (accepted, job) = try await APIClient.withClient(settings) { client in
            try await Self.start(request, of: name, with: client, in: context, shown: global.output == .table, terminal: context.console.isOutputTerminal)
        }
        if global.output == .json { context.console.write(try JSONOutput.render(job)) }
        guard job.outcome == "succeeded" else {
            let failure = job.failure ?? HomelabError(.internal, "it ended \(job.outcome ?? job.state)")
            throw CLIError(controller: HomelabError(failure.code, "moving \(name) to \(accepted.destination) failed: \(failure.message) (\(job.outcome ?? job.state))",
                                                    context: failure.context))
        }
        if global.output == .table {
            context.console.write(finish ? "\nRemoved what \(name) kept on \(accepted.source)\n" : "\n\(name) (\(accepted.component)) runs on \(accepted.destination)\n")
        }
    }
}

extension AppsMigrate {
    /// Submits a migration of `name` and follows its steps until its job ended (each step written when
    /// `shown`, prefixed with `prefix`); the accepted job and how it ended.
    static func start(_ request: MigrationRequest, of name: String, with client: APIClient, in context: CommandContext, shown: Bool, terminal: Bool,
                      prefix: String = "") async throws -> (MigrationAccepted, JobResource) {
        let accepted = try await client.post(APIPaths.migrations(name), json: request, as: MigrationAccepted.self)
        var view = DeployProgressView(terminal: terminal, style: Style(colorEnabled: context.usesColor))
        try await client.lines(accepted.progress) { data in
            guard shown, let step = try? WireCoding.decoder.decode(DeploymentStep.self, from: data) else { return }
            context.console.write(prefix + view.render(step))
        }
        return (accepted, try await client.get("\(APIPaths.jobs)/\(accepted.job)", as: JobResource.self))
    }
}

/// A migration's plan as text.
struct MigrationPlanView {
    let plan: MigrationPlan

    func render() -> String {
        var out = "Move \(plan.deployment) (\(plan.component)) from \(plan.source) to \(plan.destination): \(plan.reason)\n\n"
        if plan.volumes.isEmpty {
            out += "Volumes: none\n"
        } else {
            out += Table(headers: ["VOLUME", "SIZE", "ENTRIES"], rows: plan.volumes.map { [$0.name, Units.bytes($0.bytes), "\($0.entries)"] }).render()
        }
        out += "\nRoom on \(plan.destination): \(Units.bytes(plan.destinationFreeBytes)) free, the copies need \(Units.bytes(plan.neededBytes))" + (plan.fits ? "\n" : " — NOT ENOUGH: the migration would be refused\n")
        out += "Images to pull: \(plan.images.joined(separator: ", "))\n"
        out += "Expected downtime: about \(plan.downtimeSeconds) s" + (plan.warm ? " (warm copy first)" : "") + "\n\nSteps:\n"
        for (index, step) in plan.steps.enumerated() { out += "  \(index + 1). \(step)\n" }
        return out + "\nNothing was changed (--dry-run).\n"
    }
}
