@testable import Controller
import Foundation
import Protocol
import Testing

/// Which runs the retention rules forget, and how a repository's snapshots read as runs. No I/O.
@Suite("backup retention")
struct BackupRetentionTests {
    static var utc: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    /// A run `days` days and `hours` hours before 2026-12-02 04:00 UTC (a Wednesday).
    static func run(_ id: String, days: Double, hours: Double = 0, complete: Bool = true, component: String? = nil) -> BackupRunEntry {
        let base = Date(timeIntervalSince1970: 1_796_184_000)
        return BackupRunEntry(run: id, time: base.addingTimeInterval(-(days * 86_400 + hours * 3600)), component: component, device: "pi4",
                              complete: complete, items: ["volume:data"], snapshots: [])
    }

    @Test("keep-last keeps the newest complete runs; keep-daily the newest of each day; the rest is forgotten")
    func lastAndDaily() {
        let runs = (0..<10).map { Self.run("d\($0)", days: Double($0)) } + [Self.run("d0-early", days: 0, hours: 3)]
        let rules = BackupRetention(keepLast: 1, keepDaily: 3, keepWeekly: 0, keepMonthly: 0)
        #expect(Set(rules.doomed(runs, calendar: Self.utc)) == Set(["d0-early"] + (3..<10).map { "d\($0)" }))
        #expect(BackupRetention(keepLast: 5, keepDaily: 0, keepWeekly: 0, keepMonthly: 0).doomed(runs, calendar: Self.utc).count == 6)
    }

    @Test("keep-weekly and keep-monthly keep the newest run of each of the last weeks and months that have one")
    func weeklyMonthly() {
        // One run a week for 20 weeks.
        let runs = (0..<20).map { Self.run("w\($0)", days: Double($0 * 7)) }
        let weekly = BackupRetention(keepLast: 0, keepDaily: 0, keepWeekly: 4, keepMonthly: 0).doomed(runs, calendar: Self.utc)
        #expect(Set(weekly) == Set((4..<20).map { "w\($0)" }))
        let monthly = Set(BackupRetention(keepLast: 0, keepDaily: 0, keepWeekly: 0, keepMonthly: 3).doomed(runs, calendar: Self.utc))
        // The newest run of December (Dec 2), November (Nov 25) and October (Oct 28).
        #expect(Set(runs.map(\.run)).subtracting(monthly) == ["w0", "w1", "w5"])
    }

    @Test("a run that never finished is forgotten once a newer one finished; a newer unfinished one (maybe running) is kept")
    func incomplete() {
        let runs = [Self.run("new-incomplete", days: 0, complete: false), Self.run("done", days: 1), Self.run("old-incomplete", days: 2, complete: false)]
        #expect(BackupRetention().doomed(runs, calendar: Self.utc) == ["old-incomplete"])
        #expect(BackupRetention().doomed([Self.run("only-incomplete", days: 1, complete: false)], calendar: Self.utc).isEmpty)
    }

    @Test("each component keeps its own runs")
    func perComponent() {
        let runs = [Self.run("db-new", days: 0, component: "db"), Self.run("db-old", days: 1, component: "db"),
                    Self.run("web-old", days: 5, component: "web")]
        #expect(BackupRetention(keepLast: 1, keepDaily: 0, keepWeekly: 0, keepMonthly: 0).doomed(runs, calendar: Self.utc) == ["db-old"])
    }

    @Test("rules out of bounds, or keeping nothing, are refused naming the field")
    func validation() throws {
        #expect(throws: HomelabError.self) { try BackupRetention(keepLast: -1).validated() }
        #expect(throws: HomelabError.self) { try BackupRetention(keepLast: 0, keepDaily: 0, keepWeekly: 0, keepMonthly: 0).validated() }
        #expect(try BackupRetention().validated() == BackupRetention())
    }

    @Test("snapshots read as runs: grouped by run, complete with a manifest, newest first, restic's nanosecond times parsed")
    func runList() throws {
        let snapshots = [
            SnapshotInfo(id: "a1", time: "2026-12-01T03:00:01.123456789Z", host: "pi4", run: "r1", kind: "volume", item: "data",
                         tags: ["homelab", "run=r1", "component=db"]),
            SnapshotInfo(id: "a2", time: "2026-12-01T03:00:05.5+00:00", host: "pi4", run: "r1", kind: "manifest", item: "manifest.json", tags: ["run=r1"]),
            SnapshotInfo(id: "b1", time: "2026-12-02T03:00:00+01:00", host: "pi4", run: "r2", kind: "dump", item: "db.pgdump", tags: ["run=r2"]),
            SnapshotInfo(id: "x", time: "2026-12-02T03:00:00Z", host: "pi4", run: nil, kind: nil, item: nil, tags: []),
        ]
        let runs = BackupRunList.runs(from: snapshots)
        #expect(runs.map(\.run) == ["r2", "r1"])
        #expect(runs[0].complete == false && runs[0].items == ["dump:db.pgdump"] && runs[0].time == Date(timeIntervalSince1970: 1_796_176_800))
        #expect(runs[1].complete && runs[1].items == ["volume:data"] && runs[1].snapshots == ["a1", "a2"] && runs[1].component == "db")
        #expect(runs[1].time == Date(timeIntervalSince1970: 1_796_094_001))
        #expect(BackupRunList.time("not a time") == nil)
    }
}
