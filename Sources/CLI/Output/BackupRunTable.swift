import Protocol

/// The `homelab backup list` table.
public struct BackupRunTable: Sendable {
    /// The runs, newest first.
    public var runs: [BackupRunEntry]

    /// Creates the table.
    public init(runs: [BackupRunEntry]) { self.runs = runs }

    /// The table text; a run without sizes was not made by a backup job of this controller.
    public func render() -> String {
        Table(
            headers: ["RUN", "TIME", "COMPONENT", "DEVICE", "SIZE", "ADDED", "HOLDS", "STATE"],
            rows: runs.map { run in
                [
                    run.run,
                    Units.timestamp(run.time),
                    run.component ?? "-",
                    run.device ?? "-",
                    run.bytes.map(Units.bytes) ?? "-",
                    run.bytesAdded.map(Units.bytes) ?? "-",
                    run.items.joined(separator: ","),
                    run.complete ? "complete" : "incomplete",
                ]
            }
        ).render()
    }
}
