import Foundation
import GRDB
import Protocol

/// Each deployment's backup policy (``BackupPolicySpec``, stored as set) and what follows from it: the
/// schedule with the default's per-app jitter, and when a scheduled backup is due.
struct BackupPolicies: Sendable {
    let store: Store
    /// The default schedule: daily at 03:00, plus the app's jitter.
    static let defaultSchedule = "0 3 * * *"
    /// The default schedule's jitter spreads apps over this many minutes.
    static let jitterWindow = 60

    /// The policy as set for deployment `id` (empty when none was).
    func spec(of id: String) async throws -> BackupPolicySpec {
        let row = try await store.read { db in try BackupPolicyRecord.fetchOne(db, key: id) }
        return row.flatMap { JSONText.decode(BackupPolicySpec.self, $0.spec) } ?? BackupPolicySpec()
    }

    /// Every policy that was set, by deployment id.
    func all() async throws -> [String: BackupPolicySpec] {
        let rows = try await store.read { db in try BackupPolicyRecord.fetchAll(db) }
        return Dictionary(uniqueKeysWithValues: rows.compactMap { row in JSONText.decode(BackupPolicySpec.self, row.spec).map { (row.deploymentID, $0) } })
    }

    /// Stores `spec` for deployment `id`, checked first.
    func set(_ spec: BackupPolicySpec, of id: String, now: Date = Date()) async throws {
        if let schedule = spec.schedule { _ = try CronSchedule(schedule) }
        _ = try spec.retention?.validated()
        let row = BackupPolicyRecord(deploymentID: id, spec: JSONText.encode(spec), updatedAt: now)
        try await store.write { db in try row.save(db) }
    }

    /// The policy as it applies to deployment `id` named `name`.
    static func resource(_ spec: BackupPolicySpec, id: String, name: String, now: Date, calendar: Calendar) throws -> BackupPolicyResource {
        let schedule = spec.schedule ?? defaultSchedule
        let jitter = spec.schedule == nil ? jitterMinutes(id) : 0
        let enabled = spec.enabled ?? true
        return BackupPolicyResource(deployment: name, schedule: schedule, jitterMinutes: jitter, target: spec.target, retention: spec.retention ?? BackupRetention(),
                                    enabled: enabled, isDefault: spec == BackupPolicySpec(),
                                    nextRunAt: enabled ? try next(CronSchedule(schedule), jitter: jitter, after: now, calendar: calendar) : nil)
    }

    /// The schedule a policy runs on (its own, or the default with the app's jitter), as written and parsed;
    /// nil when the policy is off (or its schedule does not parse, which `set` refuses).
    static func schedule(of spec: BackupPolicySpec, id: String) -> (text: String, schedule: CronSchedule, jitter: Int)? {
        let text = spec.schedule ?? defaultSchedule
        guard spec.enabled ?? true, let schedule = try? CronSchedule(text) else { return nil }
        return (text, schedule, spec.schedule == nil ? jitterMinutes(id) : 0)
    }

    /// The app's own minutes past the default time: stable (from its id), under ``jitterWindow``.
    static func jitterMinutes(_ id: String) -> Int {
        var hash: UInt32 = 2_166_136_261  // FNV-1a: the same in every process, unlike Hasher.
        for byte in id.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Int(hash % UInt32(jitterWindow))
    }

    /// The latest scheduled time (jitter added) at or before `now`.
    static func latestDue(_ schedule: CronSchedule, jitter: Int, atOrBefore now: Date, calendar: Calendar) -> Date? {
        schedule.latest(atOrBefore: now.addingTimeInterval(-Double(jitter * 60)), calendar: calendar)?.addingTimeInterval(Double(jitter * 60))
    }

    /// The first scheduled time (jitter added) after `now`.
    static func next(_ schedule: CronSchedule, jitter: Int, after now: Date, calendar: Calendar) -> Date? {
        schedule.earliest(after: now.addingTimeInterval(-Double(jitter * 60)), calendar: calendar)?.addingTimeInterval(Double(jitter * 60))
    }

    /// How many scheduled times (jitter added) have passed since `since` (the last successful backup,
    /// or the app's creation when it never had one), counted up to `cap`. Two or more: at least two
    /// scheduled backups in a row did not happen or failed, which the `backup-overdue` alert calls
    /// overdue; one is the backup that may still be under way.
    static func missed(_ schedule: CronSchedule, jitter: Int, since: Date, now: Date, calendar: Calendar, cap: Int = 100) -> Int {
        var count = 0
        var cursor = now
        while count < cap, let due = latestDue(schedule, jitter: jitter, atOrBefore: cursor, calendar: calendar), due > since {
            count += 1
            cursor = due.addingTimeInterval(-1)
        }
        return count
    }

    /// Whether a scheduled backup is to start now. Due once per scheduled time since the app exists,
    /// however many were missed (a controller down for days backs up once); a backup that failed after
    /// that time is tried again after 1, 2, 4 … minutes, at most an hour apart.
    static func isDue(latestDue: Date?, createdAt: Date, attempts: [(at: Date, succeeded: Bool?)], now: Date) -> Bool {
        guard let due = latestDue, due >= createdAt else { return false }
        let since = attempts.filter { $0.at >= due }.sorted { $0.at < $1.at }
        guard let last = since.last else { return true }
        guard last.succeeded == false else { return false }  // succeeded, or still running
        let failures = since.count { $0.succeeded == false }
        let backoff = min(60.0 * pow(2, Double(failures - 1)), 3600)
        return now >= last.at.addingTimeInterval(backoff)
    }
}
