import ArgumentParser

/// `homelab devices`: the devices known to the controller.
public struct DevicesCommand: AsyncParsableCommand {
    /// Name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List, inspect, add over SSH, approve, evacuate, uninstall and remove devices.",
        subcommands: [DevicesList.self, DevicesShow.self, DevicesAdd.self, DevicesApprove.self, DevicesUninstall.self, DevicesRemove.self, DevicesEvacuate.self]
    )

    /// Creates the command.
    public init() {}
}
