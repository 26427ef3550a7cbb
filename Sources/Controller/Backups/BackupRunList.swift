import Foundation
import Protocol

/// An app's snapshots as backup runs: grouped by their `run=` tag, complete when the run's manifest is
/// among them, newest first. Snapshots without a run tag were not made by homelab and are left out.
enum BackupRunList {
    /// The runs `snapshots` hold.
    static func runs(from snapshots: [SnapshotInfo]) -> [BackupRunEntry] {
        var runs: [String: BackupRunEntry] = [:]
        for snapshot in snapshots {
            guard let run = snapshot.run, let time = time(snapshot.time) else { continue }
            var entry = runs[run] ?? BackupRunEntry(run: run, time: time, component: tag("component", of: snapshot), device: snapshot.host,
                                                    complete: false, items: [], snapshots: [])
            entry.time = min(entry.time, time)
            if snapshot.kind == "manifest" {
                entry.complete = true
            } else if let kind = snapshot.kind, let item = snapshot.item {
                entry.items.append("\(kind):\(item)")
            }
            entry.snapshots.append(snapshot.id)
            runs[run] = entry
        }
        return runs.values.map { entry in
            var sorted = entry
            sorted.items.sort()
            return sorted
        }.sorted { ($0.time, $0.run) > ($1.time, $1.run) }
    }

    /// restic's time (RFC 3339 with up to nine digits of fractional seconds).
    static func time(_ text: String) -> Date? {
        var whole = text
        if let dot = text.firstIndex(of: ".") {
            let zone = text[text.index(after: dot)...].drop { $0.isNumber }
            whole = String(text[..<dot]) + zone
        }
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime]
        return parser.date(from: whole)
    }

    private static func tag(_ key: String, of snapshot: SnapshotInfo) -> String? {
        snapshot.tags.first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }
}
