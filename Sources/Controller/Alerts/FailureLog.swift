import Foundation
import GRDB

/// Failures of long jobs, recorded where each job records its final failure and read by the alerts
/// (`deploy-failed`). A later job (migration, backup) records its own kind; its alert rule reads it.
struct FailureLog: Sendable {
    /// The job that failed.
    enum Job: String, Sendable {
        case deploy
        /// A backup or restore job (`backup-failed`).
        case backup
        /// A migration job (`migration-failed`).
        case migration
    }

    let store: Store

    /// Records that a job failed for good (rolled back, or failed and could not be undone).
    func record(_ job: Job, subject: String, message: String, now: Date = Date()) async {
        _ = try? await store.write { db in
            try db.execute(sql: "INSERT INTO jobFailure (job, subject, message, time) VALUES (?, ?, ?, ?)",
                           arguments: [job.rawValue, subject, message, now])
        }
    }

    /// The failures of `job` recorded after the reader's cursor, oldest first; the cursor moves past them.
    func unread(_ job: Job, reader: String) async throws -> [(subject: String, message: String)] {
        try await store.write { db in
            let cursor = try Int64.fetchOne(db, sql: "SELECT position FROM alertCursor WHERE source = ?", arguments: [reader]) ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT id, subject, message FROM jobFailure WHERE id > ? AND job = ? ORDER BY id",
                                        arguments: [cursor, job.rawValue])
            if let last = rows.last?["id"] as Int64? {
                try db.execute(sql: "INSERT OR REPLACE INTO alertCursor (source, position) VALUES (?, ?)", arguments: [reader, last])
            }
            return rows.map { ($0["subject"], $0["message"]) }
        }
    }
}
