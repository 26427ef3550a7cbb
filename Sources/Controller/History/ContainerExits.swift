import Foundation
import GRDB

/// A `containerExit` row: a container of a stack exited (`die`) or was killed for memory (`oom`).
struct ContainerExitRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "containerExit"
    var id: Int64?
    var deviceID: String
    var project: String
    var service: String?
    var action: String
    var time: Date
}

/// Container exits by stack, from the agents' container events: restarts in the last hour, restart loops.
enum ContainerExits {
    /// How long exits are kept.
    static let retention: TimeInterval = 86_400

    /// Whether an engine event is kept: an exit (`die`), or the out-of-memory kill that comes before one.
    static func counts(_ action: String) -> Bool { action == "die" || action == "oom" }

    /// What one stack's containers did since a time.
    struct Summary: Equatable, Sendable {
        /// Exits (`die`) by service.
        var exits: [String: Int] = [:]
        /// Out-of-memory kills.
        var outOfMemory = 0

        /// Exits of every service but `ignored` (one-shot services, which exit when done).
        func total(ignoring ignored: Set<String> = []) -> Int {
            exits.filter { !ignored.contains($0.key) }.values.reduce(0, +)
        }
    }

    /// Exits per stack (compose project) since `since`.
    static func since(_ since: Date, in db: Database) throws -> [String: Summary] {
        var out: [String: Summary] = [:]
        for record in try ContainerExitRecord.filter(Column("time") >= since).fetchAll(db) {
            if record.action == "oom" {
                out[record.project, default: Summary()].outOfMemory += 1
            } else {
                out[record.project, default: Summary()].exits[record.service ?? "", default: 0] += 1
            }
        }
        return out
    }

    /// Deletes the exits older than the retention; returns how many.
    @discardableResult
    static func prune(now: Date, in db: Database) throws -> Int {
        try ContainerExitRecord.filter(Column("time") < now.addingTimeInterval(-retention)).deleteAll(db)
    }
}
