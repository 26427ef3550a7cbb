import Foundation

/// Hours of the day in which a metric is well above the rest of the day, on most days.
struct DailyPattern: Equatable, Sendable {
    /// The first hour of the peak (local time, 0-23).
    var startHour: Int
    /// The hour it ends (not included), 1-24.
    var endHour: Int
    /// The typical value inside the peak hours (median over days of each hour, averaged).
    var peak: Double
    /// The typical value in the other hours.
    var rest: Double
    /// Days with enough data to judge (18 hours or more, most of the peak hours among them).
    var days: Int
    /// Of those, the days the peak showed.
    var matchingDays: Int

    /// Looks for a daily peak in hourly values: a run of at most 12 hours whose typical value is at least `margin`
    /// above and `ratio` times the day's typical value, showing (inside at least `margin / 2` above outside) on 80 %
    /// of the days that have 18 hours of data or more; at least `minimumDays` such days. Nil when there is none:
    /// noise, a flat line, or too little history.
    static func find(_ points: [(time: Date, value: Double)], timeZone: TimeZone, margin: Double, ratio: Double = 2,
                     minimumDays: Int = 3) -> DailyPattern? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var byDay: [Date: [Int: [Double]]] = [:]
        for point in points {
            let day = calendar.startOfDay(for: point.time)
            byDay[day, default: [:]][calendar.component(.hour, from: point.time), default: []].append(point.value)
        }
        let days = byDay.values.filter { $0.count >= 18 }.map { hours in hours.mapValues { $0.reduce(0, +) / Double($0.count) } }
        guard days.count >= minimumDays else { return nil }
        var profile: [Int: Double] = [:]
        for hour in 0..<24 {
            let values = days.compactMap { $0[hour] }
            if values.count * 2 >= days.count { profile[hour] = RobustLine.median(values) }
        }
        let baseline = RobustLine.median(Array(profile.values))
        let line = max(baseline + margin, baseline * ratio)
        let peakHours = Set(profile.filter { $0.value >= line }.keys)
        guard !peakHours.isEmpty, peakHours.count <= 12 else { return nil }
        // The longest run of peak hours, around midnight too.
        var best: (start: Int, length: Int) = (0, 0)
        for start in 0..<24 where peakHours.contains(start) && !peakHours.contains((start + 23) % 24) {
            var length = 0
            while length < 24, peakHours.contains((start + length) % 24) { length += 1 }
            if length > best.length { best = (start, length) }
        }
        let run = Set((0..<best.length).map { (best.start + $0) % 24 })
        // A day is judged only when it has most of the peak hours: the first and last days of the history may not.
        let judged = days.filter { day in day.keys.filter(run.contains).count * 2 >= run.count }
        let matching = judged.filter { day in
            let inside = day.filter { run.contains($0.key) }.map(\.value), outside = day.filter { !run.contains($0.key) }.map(\.value)
            guard !inside.isEmpty, !outside.isEmpty else { return false }
            return inside.reduce(0, +) / Double(inside.count) >= outside.reduce(0, +) / Double(outside.count) + margin / 2
        }.count
        guard judged.count >= minimumDays, Double(matching) >= 0.8 * Double(judged.count) else { return nil }
        let inside = profile.filter { run.contains($0.key) }.map(\.value), outside = profile.filter { !run.contains($0.key) }.map(\.value)
        return DailyPattern(startHour: best.start, endHour: (best.start + best.length - 1) % 24 + 1,
                            peak: inside.reduce(0, +) / Double(max(1, inside.count)), rest: outside.reduce(0, +) / Double(max(1, outside.count)),
                            days: judged.count, matchingDays: matching)
    }
}
