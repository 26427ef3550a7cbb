import Foundation
import Protocol

extension BackupRetention {
    /// The rules' bounds: each from 0 to 1000, and at least the newest run kept.
    func validated() throws -> BackupRetention {
        for (name, value) in [("keepLast", keepLast), ("keepDaily", keepDaily), ("keepWeekly", keepWeekly), ("keepMonthly", keepMonthly)]
        where !(0...1000).contains(value) {
            throw HomelabError.badRequest("\(name) is a number from 0 to 1000", field: name)
        }
        guard keepLast + keepDaily + keepWeekly + keepMonthly > 0 else {
            throw HomelabError.badRequest("retention keeps nothing: set keepLast (or another rule) to 1 or more", field: "keepLast")
        }
        return self
    }

    /// The runs of `runs` to forget, per component: every complete run no rule keeps, and every run
    /// that never finished and is older than the newest complete one (a newer one may still be running).
    func doomed(_ runs: [BackupRunEntry], calendar: Calendar) -> [String] {
        var doomed: [String] = []
        for component in Set(runs.map { $0.component ?? "" }).sorted() {
            let mine = runs.filter { ($0.component ?? "") == component }.sorted { ($0.time, $0.run) > ($1.time, $1.run) }
            let complete = mine.filter(\.complete)
            var kept = Set(complete.prefix(keepLast).map(\.run))
            let periods: [(Int, (Date) -> String)] = [
                (keepDaily, { let d = calendar.dateComponents([.year, .month, .day], from: $0); return "\(d.year!)-\(d.month!)-\(d.day!)" }),
                (keepWeekly, { let d = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: $0); return "\(d.yearForWeekOfYear!)w\(d.weekOfYear!)" }),
                (keepMonthly, { let d = calendar.dateComponents([.year, .month], from: $0); return "\(d.year!)-\(d.month!)" }),
            ]
            for (count, period) in periods where count > 0 {
                var seen = Set<String>()
                for run in complete where seen.count < count && seen.insert(period(run.time)).inserted {
                    kept.insert(run.run)
                }
            }
            doomed += complete.filter { !kept.contains($0.run) }.map(\.run)
            if let newest = complete.first?.time {
                doomed += mine.filter { !$0.complete && $0.time < newest }.map(\.run)
            }
        }
        return doomed
    }
}
