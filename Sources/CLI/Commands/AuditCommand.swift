import ArgumentParser
import Protocol

/// `homelab audit`: who changed what through the API, newest first.
public struct AuditCommand: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit log: every state-changing API call, who made it, from where and how it ended (admin only)."
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions

    /// Entries to show.
    @Option(help: "How many entries (1-500).") public var limit = 50
    /// Only calls made with this token.
    @Option(help: ArgumentHelp("Only calls made with this API token id.", valueName: "id")) public var tokenID: String?
    /// Only actions containing this text.
    @Option(help: ArgumentHelp("Only actions containing this text, such as 'DELETE /v1/devices'.", valueName: "text")) public var action: String?
    /// Only failed calls.
    @Flag(help: "Only calls that were refused or failed.") public var failed = false
    /// Older entries than this id.
    @Option(help: ArgumentHelp("Only entries older than this id (the next page).", valueName: "id")) public var before: Int64?

    /// Creates the command.
    public init() {}

    /// Checks the limit.
    public func validate() throws {
        do { try InputBounds.pageLimit.check(limit) } catch { throw ValidationError("--limit must be between 1 and 500") }
    }

    /// The path and query this command line asks for.
    public var path: String {
        APIPaths.audit + APIPaths.query([("limit", String(limit)), ("token", tokenID), ("action", action),
                                         ("outcome", failed ? "failed" : nil), ("before", before.map { String($0) })])
    }

    /// Runs in the process's context.
    public func run() async throws {
        try await run(in: .live())
    }

    /// Fetches a page and prints it.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let page = try await APIClient.withClient(settings) { client in try await client.get(path, as: AuditPage.self) }
        switch global.output {
        case .json:
            context.console.write(try JSONOutput.render(page))
        case .table:
            context.console.write(Table(
                headers: ["ID", "WHEN", "WHO", "ROLE", "ACTION", "TARGET", "FROM", "OUTCOME"],
                rows: page.items.map { entry in
                    ["\(entry.id)", Units.ago(entry.time, now: context.now), "\(entry.tokenName) (\(entry.tokenID))", entry.role.rawValue,
                     entry.action, entry.target, entry.source ?? "-", entry.status < 400 ? "\(entry.status)" : "\(entry.status) \(entry.errorCode ?? "")"]
                }).render())
            if let next = page.next { context.console.write("More: homelab audit --before \(next)\n") }
        }
    }
}
