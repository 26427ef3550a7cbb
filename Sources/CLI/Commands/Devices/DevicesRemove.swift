import ArgumentParser
import Protocol

/// `homelab devices remove NAME`: forgets a device; it must join again.
public struct DevicesRemove: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a device; it must join again to come back.",
        aliases: ["rm"]
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions

    /// The device.
    @Argument(help: "Device name or id.")
    public var name: String

    /// Skip the question.
    @Flag(name: [.short, .long], help: "Do not ask for confirmation.")
    public var yes = false

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws {
        try await run(in: .live())
    }

    /// Asks (unless `--yes`), removes the device and reports it.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        if !yes {
            guard context.console.isInputTerminal else {
                throw CLIError.usage("removing a device needs confirmation: pass --yes when not on a terminal")
            }
            guard context.console.confirm("Remove device '\(name)'? It must join again to come back.") else {
                throw CLIError.aborted("nothing removed")
            }
        }
        try await APIClient.withClient(settings) { client in
            try await client.delete(APIPaths.device(name))
        }
        if global.output == .table {
            context.console.write("Removed device \(name)\n")
        }
    }
}
