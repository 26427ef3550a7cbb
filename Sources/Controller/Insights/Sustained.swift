import Foundation

/// How a series stood against a threshold over a recent window, from its buckets.
struct Sustained: Equatable, Sendable {
    /// Share of the window's buckets whose average is above the threshold (0-1).
    var shareAbove: Double
    /// Mean of the window's samples.
    var average: Double
    /// Largest sample of the window.
    var maximum: Double
    /// The newest bucket's average.
    var latest: Double
    /// Share of the window the buckets cover (0-1).
    var coverage: Double

    /// Whether the values were above the threshold for the window: every bucket (or `share` of them) above, and
    /// buckets for all of the window but one (`coverage` of it, at the least).
    func holds(share: Double = 1, coverage minimum: Double? = nil, buckets: Int) -> Bool {
        shareAbove >= share && coverage >= (minimum ?? (buckets > 1 ? Double(buckets - 1) / Double(buckets) : 1))
    }

    /// The figures of the buckets in `[now - window, now]` of a rung of `resolution` seconds; nil without any.
    static func measure(_ rows: [RollupRow], threshold: Double, window: Int, resolution: Int, now: Date) -> Sustained? {
        let start = Int64(now.timeIntervalSince1970.rounded(.down)) - Int64(window)
        let inside = rows.filter { $0.bucket + Int64(resolution) > start && $0.count > 0 }
        guard let latest = inside.max(by: { $0.bucket < $1.bucket }) else { return nil }
        let above = inside.filter { $0.average > threshold }.count
        let samples = inside.reduce(0) { $0 + $1.count }
        return Sustained(shareAbove: Double(above) / Double(inside.count), average: inside.reduce(0) { $0 + $1.sum } / Double(samples),
                         maximum: inside.map(\.max).max() ?? 0, latest: latest.average,
                         coverage: min(1, Double(inside.count) / Double(Self.buckets(window: window, resolution: resolution))))
    }

    /// Buckets a window spans.
    static func buckets(window: Int, resolution: Int) -> Int { max(1, Int((Double(window) / Double(resolution)).rounded(.up))) }
}
