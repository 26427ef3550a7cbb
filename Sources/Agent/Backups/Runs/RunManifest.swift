import FoundationEssentials
import Protocol

/// The last snapshot of every backup run (`manifest.json`, tagged `kind=manifest`): what the run
/// holds and the volumes' manifests. A run without it never finished and does not count.
struct RunManifest: Codable, Sendable {
    /// One backed-up volume.
    struct Volume: Codable, Sendable {
        /// The snapshot that holds it (its root is `_data`).
        var snapshot: String
        /// The engine's name of the volume at backup time.
        var name: String
        /// The manifest taken while the app was stopped (`stop` mode); nil for a live copy.
        var manifest: VolumeContents?
    }

    /// One dump.
    struct Dump: Codable, Sendable {
        var snapshot: String
        var service: String
        var bytes: UInt64
        var sha256: String
    }

    var format = 1
    var run: String
    var app: String
    var component: String?
    var host: String
    var mode: BackupMode
    var createdAt: Date
    var volumes: [String: Volume]
    var dumps: [String: Dump]

    /// The file name inside its snapshot.
    static let filename = "manifest.json"
}

/// The tags of homelab's snapshots: `homelab`, `app=`, `run=`, `kind=` (`volume`, `dump`,
/// `manifest`) and `item=` (the volume key or dump file), so plain `restic snapshots --tag` finds them.
enum SnapshotTags {
    static func of(app: String, run: String, component: String?, kind: String, item: String) -> [String] {
        ["homelab", "app=\(app)", "run=\(run)", "kind=\(kind)", "item=\(item)"] + (component.map { ["component=\($0)"] } ?? [])
    }
}
