import ArgumentParser
import Protocol

/// `homelab devices approve NAME`: admits a pending device.
public struct DevicesApprove: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Admit a pending device (check its key fingerprint first)."
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions

    /// The device.
    @Argument(help: "Device name or id.")
    public var name: String

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws {
        try await run(in: .live())
    }

    /// Approves the device and prints it.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let device = try await APIClient.withClient(settings) { client in
            try await client.post(APIPaths.approve(name), as: DeviceResource.self)
        }
        switch global.output {
        case .json:
            context.console.write(try JSONOutput.render(device))
        case .table:
            context.console.write("Approved device \(device.name) (key \(device.keyFingerprint))\n")
        }
    }
}
