import ArgumentParser
import Foundation
import Protocol

/// `homelab devices evacuate NAME [--to auto|DEVICE]`: every app off a device, one migration job at a time,
/// going on past a failed one, then a summary table. Driven from the CLI over the API: each move is a job of
/// the controller (a killed controller resumes it); a killed CLI leaves the current move going on and starts no
/// other, and running the command again moves what is still on the device.
public struct DevicesEvacuate: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "evacuate",
        abstract: "Move every app off a device with its data, one at a time, and end with a summary.",
        discussion: """
            Each app (each of its components on the device) moves as `homelab apps migrate` moves it; a failed move \
            rolls back and the next one starts. Exit status 1 when any move failed. Run it again to move what is left.
            """
    )

    @OptionGroup public var global: GlobalOptions
    @Argument(help: "The device to empty.") public var name: String
    @Option(help: ArgumentHelp("Where to: auto (default: the scheduler's choice for each app) or a device.", valueName: "device")) public var to = "auto"
    @Flag(help: "Remove each source stack and its volumes once its app runs at the destination.") public var removeSource = false

    public init() {}
    public func run() async throws { try await run(in: .live()) }

    /// One app's move, as the summary shows it.
    struct Moved: Codable, Sendable {
        var deployment: String
        var component: String
        var destination: String?
        var outcome: String
        var detail: String?
    }

    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let shown = global.output == .table
        let results = try await APIClient.withClient(settings) { client -> [Moved] in
            let path = APIPaths.deployments + APIPaths.query([("device", name)])
            let deployments = try await client.get(path, as: ListResponse<DeploymentResource>.self).items
            var results: [Moved] = []
            for deployment in deployments {
                for component in deployment.components where component.device == name {
                    let request = MigrationRequest(to: to, component: component.name, removeSource: removeSource ? true : nil)
                    if shown { context.console.write("\n\(deployment.name) (\(component.name)):\n") }
                    do {
                        let (accepted, job) = try await AppsMigrate.start(request, of: deployment.name, with: client, in: context, shown: shown,
                                                                          terminal: false, prefix: "  ")
                        results.append(Moved(deployment: deployment.name, component: component.name, destination: accepted.destination,
                                             outcome: job.outcome ?? job.state, detail: job.failure.map { "\($0.message) [\($0.code)]" }))
                    } catch let error as CLIError {
                        // Refused before a job existed (no device can take it, a job under way): the next one goes on.
                        results.append(Moved(deployment: deployment.name, component: component.name, destination: nil, outcome: "refused",
                                             detail: error.controller.map { "\($0.message) [\($0.code)]" } ?? error.message))
                    }
                }
            }
            return results
        }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(results))
        case .table:
            if results.isEmpty {
                context.console.write("No apps run on \(name).\n")
            } else {
                context.console.write("\n" + Table(headers: ["APP", "COMPONENT", "TO", "OUTCOME", "DETAIL"],
                                                   rows: results.map { [$0.deployment, $0.component, $0.destination ?? "-", $0.outcome, $0.detail ?? ""] }).render())
            }
        }
        let failed = results.filter { $0.outcome != "succeeded" }
        if !failed.isEmpty {
            throw CLIError(.other, "\(failed.count) of \(results.count) moves off \(name) failed: \(failed.map(\.deployment).joined(separator: ", "))", exitCode: ExitStatus.failure)
        }
    }
}
