import Protocol

/// The `homelab backup targets` table.
public struct BackupTargetTable: Sendable {
    /// The targets, in the order shown.
    public var targets: [BackupTargetResource]

    /// Creates the table.
    public init(targets: [BackupTargetResource]) { self.targets = targets }

    /// The table text.
    public func render() -> String {
        Table(
            headers: ["DEVICE", "KIND", "PATH", "PORT", "STATE", "FREE", "REPOSITORIES"],
            rows: targets.map { target in
                [
                    target.device,
                    target.kind,
                    target.path,
                    target.port.map(String.init) ?? "-",
                    target.online ? (target.status?.serving == false ? "not serving" : "online") : "offline",
                    target.status?.freeBytes.map(Units.bytes) ?? "-",
                    "\(target.repositories)",
                ]
            }
        ).render()
    }
}
