import ArgumentParser
import Protocol

/// `homelab scan cancel ID`: stops a running scan; what it found stays.
public struct ScanCancel: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Stop a running scan (what it found stays).")

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions

    /// The scan.
    @Argument(help: "Scan id, as 'homelab scan' prints it.")
    public var id: String

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws {
        try await run(in: .live())
    }

    /// Asks the controller to stop the scan.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        try await APIClient.withClient(settings) { client in try await client.delete(APIPaths.scan(id)) }
        if global.output == .table { context.console.write("Asked scan \(id) to stop\n") }
    }
}
