import ArgumentParser

/// `homelab backup`: backing apps up, their runs, restoring them, where backups go, and the recovery kit.
public struct BackupCommand: AsyncParsableCommand {
    /// Name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back apps up, list, check and restore their backups; backup targets and the recovery kit (restic repositories on your devices).",
        subcommands: [BackupNow.self, BackupList.self, BackupCheck.self, BackupRestore.self, BackupPolicyCommand.self, BackupTargetsCommand.self, BackupExportKeys.self]
    )

    /// Creates the command.
    public init() {}
}

/// `homelab backup targets`: the devices that hold backups.
public struct BackupTargetsCommand: AsyncParsableCommand {
    /// Name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "Add, list and remove backup targets.",
        subcommands: [BackupTargetsAdd.self, BackupTargetsList.self, BackupTargetsRemove.self],
        defaultSubcommand: BackupTargetsList.self
    )

    /// Creates the command.
    public init() {}
}
