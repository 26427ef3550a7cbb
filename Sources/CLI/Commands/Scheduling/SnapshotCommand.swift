import ArgumentParser
import Foundation
import Protocol
import Scheduler

/// `homelab snapshot export`: the live homelab as the scheduler sees it, for `homelab plan`.
public struct SnapshotCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Save the homelab as the scheduler sees it (docs/snapshot.md).", subcommands: [SnapshotExport.self])
    public init() {}
}

/// `homelab snapshot export [-f FILE]`.
public struct SnapshotExport: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "export", abstract: "Write the current snapshot as JSON.")

    @OptionGroup public var global: GlobalOptions
    @Option(name: [.customShort("f"), .long], help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    public var file: String?

    public init() {}

    public func run() async throws { try await run(in: .live()) }

    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let snapshot = try await APIClient.withClient(settings) { client in
            try await client.get(APIPaths.snapshot, as: ClusterSnapshot.self)
        }
        let text = try JSONOutput.render(snapshot)
        guard let file else {
            context.console.write(text)
            return
        }
        do {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        } catch {
            throw CLIError(.localFile, "cannot write \(file): \(error.localizedDescription)", exitCode: ExitStatus.failure)
        }
        context.console.writeError("snapshot of \(snapshot.devices.count) devices written to \(file)\n")
    }
}
