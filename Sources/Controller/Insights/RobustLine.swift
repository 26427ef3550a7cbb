import Foundation

/// A Theil–Sen line through time-stamped values: the slope is the median of the slopes between every pair of points,
/// so a few outliers (a cleanup, a backup's temporary files) do not tilt it, and `agreement` says how many of those
/// pairwise slopes share its sign: about half for noise, close to 1 for a steady trend.
struct RobustLine: Equatable, Sendable {
    /// Units per second.
    var slope: Double
    /// The value at `origin`.
    var intercept: Double
    /// The time the line is measured from.
    var origin: Date
    /// The share of pairwise slopes with the sign of `slope` (0-1).
    var agreement: Double
    /// Points fitted.
    var count: Int
    /// Seconds from the first point to the last.
    var span: TimeInterval

    /// The line's value at `time`.
    func value(at time: Date) -> Double { intercept + slope * time.timeIntervalSince(origin) }

    /// Fits a line; nil with fewer than two points or no time between them.
    static func fit(_ points: [(time: Date, value: Double)]) -> RobustLine? {
        let sorted = points.sorted { $0.time < $1.time }
        guard sorted.count >= 2, let first = sorted.first, let last = sorted.last, last.time > first.time else { return nil }
        let t = sorted.map { $0.time.timeIntervalSince(first.time) }, y = sorted.map(\.value)
        var slopes: [Double] = []
        slopes.reserveCapacity(t.count * (t.count - 1) / 2)
        for i in t.indices {
            for j in t.indices where j > i && t[j] > t[i] {
                slopes.append((y[j] - y[i]) / (t[j] - t[i]))
            }
        }
        let slope = median(slopes)
        let agreeing = slopes.filter { slope > 0 ? $0 > 0 : slope < 0 ? $0 < 0 : $0 == 0 }.count
        let intercept = median(zip(t, y).map { $1 - slope * $0 })
        return RobustLine(slope: slope, intercept: intercept, origin: first.time, agreement: Double(agreeing) / Double(slopes.count),
                          count: sorted.count, span: t.last ?? 0)
    }

    /// The median (the mean of the two middle values for an even count); 0 for none.
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
