import ArgumentParser

/// `homelab scan`: find hosts on the network that could join.
public struct ScanCommand: AsyncParsableCommand {
    /// Name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan the network for hosts that could join, list what the scans found, stop a scan.",
        subcommands: [ScanRun.self, ScanResults.self, ScanCancel.self],
        defaultSubcommand: ScanRun.self
    )

    /// Creates the command.
    public init() {}
}
