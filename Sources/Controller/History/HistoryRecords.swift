import Foundation
import GRDB
import Protocol

/// Whose history a series is.
enum HistorySubject: Hashable, Sendable {
    /// A device, by id.
    case device(String)
    /// A deployment, by id.
    case deployment(String)

    var kind: String {
        switch self {
        case .device: "device"
        case .deployment: "deployment"
        }
    }

    var id: String {
        switch self {
        case .device(let id), .deployment(let id): id
        }
    }
}

/// One series: a subject's metric (and, for disks, its mount point).
struct SeriesKey: Hashable, Sendable {
    var subject: HistorySubject
    var name: MetricsSeriesName
    /// The mount point of a disk series; empty otherwise.
    var label: String = ""
}

/// A `metricsSeries` row: what a series is, and the capacity its subject last reported.
struct MetricsSeriesRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    static let databaseTableName = "metricsSeries"
    var id: Int64?
    var subjectKind: String
    var subjectID: String
    var name: String
    var label: String
    var capacity: Double?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var seriesName: MetricsSeriesName? { MetricsSeriesName(rawValue: name) }
}

/// One bucket of one series at one resolution: the sum, count and maximum of the samples in it.
struct RollupRow: FetchableRecord, Sendable, Equatable {
    var bucket: Int64
    var sum: Double
    var count: Int
    var max: Double

    init(row: Row) {
        bucket = row["bucket"]
        sum = row["sum"]
        count = row["count"]
        max = row["max"]
    }

    init(bucket: Int64, sum: Double, count: Int, max: Double) {
        self.bucket = bucket
        self.sum = sum
        self.count = count
        self.max = max
    }

    var average: Double { count > 0 ? sum / Double(count) : 0 }

    /// The bucket as an API point.
    var point: MetricsPoint { MetricsPoint(t: Date(timeIntervalSince1970: TimeInterval(bucket)), avg: average, max: max) }
}

extension Store {
    /// Tables of the metrics history (issue 20): series, their rollups, container exits, app health, device health.
    static func registerHistoryMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("issue-20: metrics rollups, health, container exits") { db in
            try db.create(table: "metricsSeries") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("subjectKind", .text).notNull()
                t.column("subjectID", .text).notNull()
                t.column("name", .text).notNull()
                t.column("label", .text).notNull().defaults(to: "")
                t.column("capacity", .double)
                t.uniqueKey(["subjectKind", "subjectID", "name", "label"])
            }
            // One row per series, resolution and bucket; without rowid the primary key is the table, so a row costs
            // its six values and nothing else.
            try db.create(table: "metricsRollup", options: [.withoutRowID]) { t in
                t.column("series", .integer).notNull().references("metricsSeries", onDelete: .cascade)
                t.column("resolution", .integer).notNull()
                t.column("bucket", .integer).notNull()
                t.column("sum", .double).notNull()
                t.column("count", .integer).notNull()
                t.column("max", .double).notNull()
                t.primaryKey(["series", "resolution", "bucket"])
            }
            // Container exits (`die`, `oom`) an agent reported: restarts in the last hour, restart loops.
            try db.create(table: "containerExit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("deviceID", .text).notNull().references("device", onDelete: .cascade)
                t.column("project", .text).notNull()
                t.column("service", .text)
                t.column("action", .text).notNull()
                t.column("time", .datetime).notNull().indexed()
            }
            // Each app's last judged health (AppHealth JSON), so it survives a restart and changes can be told.
            try db.create(table: "appHealth") { t in
                t.primaryKey("deploymentID", .text)
                t.column("health", .text).notNull()
            }
            // A device's last judged health (DeviceHealth JSON).
            try db.alter(table: "device") { t in t.add(column: "health", .text) }
            try db.create(index: "event_type_time", on: "event", columns: ["type", "time"])
        }
    }
}
