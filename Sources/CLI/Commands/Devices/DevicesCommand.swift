import ArgumentParser

/// `homelab devices`: the devices known to the controller.
public struct DevicesCommand: AsyncParsableCommand {
    /// Name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List, inspect, approve and remove devices.",
        subcommands: [DevicesList.self, DevicesShow.self, DevicesApprove.self, DevicesRemove.self]
    )

    /// Creates the command.
    public init() {}
}
