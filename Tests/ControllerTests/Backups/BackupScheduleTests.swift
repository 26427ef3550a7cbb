@testable import Controller
import Foundation
import Protocol
import Testing

/// Cron schedules, the default's per-app jitter, and when a scheduled backup is due. No I/O.
@Suite("backup schedules")
struct BackupScheduleTests {
    static var utc: Calendar { BackupRetentionTests.utc }

    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test("five-field cron: the latest time at or before, and the first after; lists, ranges, steps; either day field matches when both are set")
    func cron() throws {
        let daily = try CronSchedule("0 3 * * *")
        #expect(daily.latest(atOrBefore: Self.date("2026-12-02T05:17:00Z"), calendar: Self.utc) == Self.date("2026-12-02T03:00:00Z"))
        #expect(daily.latest(atOrBefore: Self.date("2026-12-02T02:59:59Z"), calendar: Self.utc) == Self.date("2026-12-01T03:00:00Z"))
        #expect(daily.latest(atOrBefore: Self.date("2026-12-02T03:00:00Z"), calendar: Self.utc) == Self.date("2026-12-02T03:00:00Z"))
        #expect(daily.earliest(after: Self.date("2026-12-02T03:00:00Z"), calendar: Self.utc) == Self.date("2026-12-03T03:00:00Z"))
        let often = try CronSchedule("*/15 8-10,22 * * *")
        #expect(often.earliest(after: Self.date("2026-12-02T10:50:00Z"), calendar: Self.utc) == Self.date("2026-12-02T22:00:00Z"))
        #expect(often.latest(atOrBefore: Self.date("2026-12-02T09:44:00Z"), calendar: Self.utc) == Self.date("2026-12-02T09:30:00Z"))
        // 2026-12-02 is a Wednesday (3); the 1st or a Sunday (0 or 7).
        let sundays = try CronSchedule("30 4 1 * 7")
        #expect(sundays.earliest(after: Self.date("2026-12-02T00:00:00Z"), calendar: Self.utc) == Self.date("2026-12-06T04:30:00Z"))
        #expect(sundays.latest(atOrBefore: Self.date("2026-12-02T00:00:00Z"), calendar: Self.utc) == Self.date("2026-12-01T04:30:00Z"))
        let monday = try CronSchedule("0 0 * * 1")
        #expect(monday.earliest(after: Self.date("2026-12-02T00:00:00Z"), calendar: Self.utc) == Self.date("2026-12-07T00:00:00Z"))
    }

    @Test("a bad schedule is refused naming the field", arguments: ["", "0 3 * *", "60 3 * * *", "0 24 * * *", "0 3 0 * *", "0 3 * 13 *", "0 3 * * 8", "*/0 * * * *", "5-1 * * * *", "a * * * *"])
    func badCron(text: String) {
        #expect(throws: HomelabError.self) { try CronSchedule(text) }
        do { _ = try CronSchedule(text) } catch let error as HomelabError {
            #expect(error.code == .badRequest && error.context?["field"] == "schedule")
        } catch { Issue.record("\(error)") }
    }

    @Test("the default schedule's jitter is the app's own, stable and under an hour; a schedule that was set has none")
    func jitter() throws {
        let ids = (0..<200).map { "id-\($0)" }
        let minutes = ids.map(BackupPolicies.jitterMinutes)
        #expect(minutes.allSatisfy { (0..<60).contains($0) } && Set(minutes).count > 30, "spread: \(Set(minutes).count) distinct")
        #expect(BackupPolicies.jitterMinutes("id-7") == BackupPolicies.jitterMinutes("id-7"))
        let now = Self.date("2026-12-02T05:00:00Z")
        let standard = try BackupPolicies.resource(BackupPolicySpec(), id: "id-7", name: "app", now: now, calendar: Self.utc)
        let jitter = BackupPolicies.jitterMinutes("id-7")
        #expect(standard.isDefault && standard.schedule == "0 3 * * *" && standard.jitterMinutes == jitter && standard.enabled)
        #expect(standard.nextRunAt == Self.date("2026-12-03T03:00:00Z").addingTimeInterval(Double(jitter * 60)))
        let set = try BackupPolicies.resource(BackupPolicySpec(schedule: "15 1 * * *", enabled: false), id: "id-7", name: "app", now: now, calendar: Self.utc)
        #expect(set.jitterMinutes == 0 && !set.isDefault && !set.enabled && set.nextRunAt == nil)
    }

    @Test("missed times: counted back from now to the last success (jitter added), one is the backup that may be under way, capped; weekday schedules count their own times")
    func missedTimes() throws {
        let daily = try CronSchedule("0 3 * * *")
        let now = Self.date("2026-12-02T05:00:00Z")
        func missed(_ schedule: CronSchedule, since: String, jitter: Int = 0, cap: Int = 100) -> Int {
            BackupPolicies.missed(schedule, jitter: jitter, since: Self.date(since), now: now, calendar: Self.utc, cap: cap)
        }
        #expect(missed(daily, since: "2026-12-02T03:04:00Z") == 0, "backed up after today's time")
        #expect(missed(daily, since: "2026-12-01T03:04:00Z") == 1, "today's backup may still run")
        #expect(missed(daily, since: "2026-11-30T23:00:00Z") == 2, "yesterday's and today's passed")
        #expect(missed(daily, since: "2026-12-01T03:00:00Z") == 1, "a success at the very time counts for it")
        #expect(missed(daily, since: "2026-12-01T03:00:00Z", jitter: 30) == 2, "with 30 min of jitter the times are 03:30: both passed after 03:00")
        #expect(missed(daily, since: "2026-12-01T03:10:00Z", jitter: 150) == 1, "today's time with jitter (05:30) has not come; yesterday's 05:30 passed")
        #expect(missed(daily, since: "2025-01-01T00:00:00Z", cap: 10) == 10, "capped")
        let weekdays = try CronSchedule("0 3 * * 1-5")
        // 2026-12-02 is a Wednesday: Tuesday's and Wednesday's times passed since Monday's backup.
        #expect(missed(weekdays, since: "2026-11-30T04:00:00Z") == 2)
        #expect(missed(weekdays, since: "2026-11-27T04:00:00Z") == 3, "Friday's backup: then Monday, Tuesday and Wednesday, no weekend")
    }

    @Test("due once per scheduled time since the app exists: missed times make one backup; a failure is retried after 1, 2, 4 … minutes")
    func due() {
        let due = Self.date("2026-12-02T03:20:00Z")
        let created = Self.date("2026-11-01T00:00:00Z")
        let now = Self.date("2026-12-02T03:30:00Z")
        #expect(BackupPolicies.isDue(latestDue: due, createdAt: created, attempts: [], now: now), "never backed up since")
        #expect(!BackupPolicies.isDue(latestDue: due, createdAt: now, attempts: [], now: now), "the app did not exist at that time")
        #expect(BackupPolicies.isDue(latestDue: due, createdAt: created, attempts: [(due.addingTimeInterval(-86_400), true)], now: now),
                "yesterday's backup does not count for today's time")
        #expect(!BackupPolicies.isDue(latestDue: due, createdAt: created, attempts: [(due.addingTimeInterval(60), true)], now: now), "done")
        #expect(!BackupPolicies.isDue(latestDue: due, createdAt: created, attempts: [(due.addingTimeInterval(60), nil)], now: now), "running")
        let failed = due.addingTimeInterval(60)
        #expect(!BackupPolicies.isDue(latestDue: due, createdAt: created, attempts: [(failed, false)], now: failed.addingTimeInterval(59)))
        #expect(BackupPolicies.isDue(latestDue: due, createdAt: created, attempts: [(failed, false)], now: failed.addingTimeInterval(60)))
        let attempts: [(at: Date, succeeded: Bool?)] = (0..<3).map { (failed.addingTimeInterval(Double($0) * 600), false) }
        let last = attempts.last!.at
        #expect(!BackupPolicies.isDue(latestDue: due, createdAt: created, attempts: attempts, now: last.addingTimeInterval(239)), "third failure: 4 minutes")
        #expect(BackupPolicies.isDue(latestDue: due, createdAt: created, attempts: attempts, now: last.addingTimeInterval(240)))
        let many: [(at: Date, succeeded: Bool?)] = (0..<20).map { (failed.addingTimeInterval(Double($0)), false) }
        #expect(BackupPolicies.isDue(latestDue: due, createdAt: created, attempts: many, now: many.last!.at.addingTimeInterval(3600)), "at most an hour apart")
        #expect(!BackupPolicies.isDue(latestDue: nil, createdAt: created, attempts: [], now: now))
    }
}
