import ArgumentParser
import Foundation
import Protocol

/// `homelab jobs`: the controller's long operations and where they stand.
public struct JobsCommand: AsyncParsableCommand {
    /// Name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List the controller's long operations (deploys, starts/stops, removals) and how they ended.",
        subcommands: [JobsList.self],
        defaultSubcommand: JobsList.self
    )

    /// Creates the command.
    public init() {}
}

/// `homelab jobs list`.
public struct JobsList: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(commandName: "list", abstract: "List jobs, newest first.", aliases: ["ls"])

    @OptionGroup public var global: GlobalOptions
    @Flag(help: "Only the jobs under way.") public var active = false
    @Option(help: "Only jobs of this kind (deploy, deployment-action, deployment-removal).") public var kind: String?
    @Option(help: "At most this many (1-1000).") public var limit = 50

    /// Creates the command.
    public init() {}

    /// Checks the options.
    public func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000") }
    }

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// Fetches the jobs and prints them.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let path = APIPaths.jobs + APIPaths.query([("active", active ? "true" : nil), ("kind", kind), ("limit", "\(limit)")])
        let list = try await APIClient.withClient(settings) { client in try await client.get(path, as: ListResponse<JobResource>.self) }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(list))
        case .table: context.console.write(JobTable(jobs: list.items, now: context.now).render())
        }
    }
}
