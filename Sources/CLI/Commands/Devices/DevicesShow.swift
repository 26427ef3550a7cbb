import ArgumentParser
import Protocol

/// `homelab devices show NAME`: everything the device's agent reported.
public struct DevicesShow: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a device's identity, labels, facts and latest metrics."
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

    /// Fetches the device and prints it.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let device = try await APIClient.withClient(settings) { client in
            try await client.get(APIPaths.device(name), as: DeviceResource.self)
        }
        switch global.output {
        case .json:
            context.console.write(try JSONOutput.render(device))
        case .table:
            context.console.write(DeviceDetail(device: device, now: context.now, style: Style(colorEnabled: context.usesColor)).render())
        }
    }
}
