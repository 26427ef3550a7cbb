import Foundation
import GRDB

/// A device's stored samples averaged over a window: what the scheduler judges CPU use by, so that a
/// momentary spike (a build, a backup) does not reorder the devices.
public struct MetricAverages: Sendable, Equatable {
    /// Mean CPU use over the window, 0-100; nil when no sample in it reported CPU use.
    public var cpuBusyPercent: Double?
    /// How many stored samples the mean rests on.
    public var samples: Int
}

extension DeviceRegistry {
    /// Per device id, the means of the samples stored in the `window` before `now`. The one place the scheduler
    /// reads the metrics history: a downsampled history replaces this body, not its callers.
    public func metricAverages(over window: Duration, now: Date = Date()) async throws -> [String: MetricAverages] {
        let start = now.addingTimeInterval(-Double(window.components.seconds) - Double(window.components.attoseconds) / 1e18)
        return try await store.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT deviceID, AVG(json_extract(sample, '$.cpu.totalPercent')) AS cpu, COUNT(*) AS samples
                FROM metricsSample WHERE time >= ? AND time <= ? GROUP BY deviceID
                """, arguments: [start, now])
            return Dictionary(uniqueKeysWithValues: rows.map { row in
                (row["deviceID"] as String, MetricAverages(cpuBusyPercent: row["cpu"], samples: row["samples"]))
            })
        }
    }
}
