import ArgumentParser
import Protocol

/// `homelab devices list`: one line per device with its latest metrics.
public struct DevicesList: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List devices with status and latest metrics.",
        aliases: ["ls"]
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions

    /// Only devices in this state.
    @Option(help: "Show only devices in this state.")
    public var status: StatusFilter?

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws {
        try await run(in: .live())
    }

    /// Fetches the devices and prints them.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        var list = try await APIClient.withClient(settings) { client in
            try await client.get(APIPaths.devices, as: ListResponse<DeviceResource>.self)
        }
        if let status {
            list.items = list.items.filter { $0.status == status.deviceStatus }
        }
        switch global.output {
        case .json:
            context.console.write(try JSONOutput.render(list))
        case .table:
            context.console.write(DeviceTable(devices: list.items, now: context.now, style: Style(colorEnabled: context.usesColor)).render())
        }
    }
}

/// A `--status` value.
public enum StatusFilter: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Waiting for approval.
    case pending
    /// Connected.
    case online
    /// Enrolled but not connected.
    case offline

    /// The device status it selects.
    public var deviceStatus: DeviceStatus {
        switch self {
        case .pending: .pending
        case .online: .online
        case .offline: .offline
        }
    }
}
