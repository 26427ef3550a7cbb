import Foundation
import GRDB
import Protocol

/// Looks for insights in the history of one read transaction: each method answers one question about one
/// device or app, with the numbers behind its sentence, or nil when there is nothing to say.
struct InsightFinder {
    let history: MetricsHistory
    let settings: InsightSettings
    let now: Date
    let db: Database

    // MARK: Filling up

    /// The points a trend is fitted over: the rung kept for 30 days, or the week's finer one while the history is young.
    func trendPoints(_ key: SeriesKey) throws -> (points: [(time: Date, value: Double)], capacity: Double?) {
        var recent = try history.recent(key, seconds: 30 * 86_400, now: now, in: db)
        if recent.rows.count < 8 { recent = try history.recent(key, seconds: 7 * 86_400, now: now, in: db) }
        let half = TimeInterval(recent.rung.resolution) / 2
        return (recent.rows.map { (Date(timeIntervalSince1970: TimeInterval($0.bucket) + half), $0.average) }, recent.capacity)
    }

    /// A growing trend: a robust fit over at least `minimumTrendDays`, eight points or more, three in four pairwise
    /// slopes agreeing that it grows, and a growth of at least `minimumShare` of `scale` a day.
    func growth(_ points: [(time: Date, value: Double)], scale: Double, minimumShare: Double = 0.0005) -> RobustLine? {
        guard let line = RobustLine.fit(points), line.count >= 8, line.span >= settings.minimumTrendDays * 86_400,
              line.slope > 0, line.agreement >= 0.75, line.slope * 86_400 >= scale * minimumShare else { return nil }
        return line
    }

    /// A disk or a device's RAM: how full it is, how fast it grows and when it is full. A disk is reported from
    /// `nearlyFullPercent` whether it grows or not; RAM only when it grows and is full within `fullWithinDays`.
    func fillingUp(_ key: SeriesKey, device: String) throws -> Insight? {
        let (points, capacity) = try trendPoints(key)
        guard let capacity, capacity > 0, let current = points.last?.value else { return nil }
        let percent = current / capacity * 100
        let line = growth(points, scale: capacity)
        let perDay = (line?.slope ?? 0) * 86_400
        let days = line.map { _ in max(0, capacity - current) / perDay }
        let nearlyFull = key.name == .disk && percent >= settings.nearlyFullPercent
        guard nearlyFull || (days.map { $0 <= settings.fullWithinDays } ?? false) else { return nil }
        let what = key.name == .disk ? "disk \(key.label) \(Words.percent(percent)) full" : "RAM \(Words.percent(percent)) used"
        let sentence = "\(device): \(what)" + (days.map { ", growing \(Words.growth(bytesPerDay: perDay, daysToFull: $0)): full in \(Words.about(days: $0))" }
            ?? " (not growing)")
        var numbers = ["usedPercent": percent, "usedBytes": current, "capacityBytes": capacity, "points": Double(points.count)]
        if let line, let days {
            numbers["growthBytesPerDay"] = perDay
            numbers["daysToFull"] = days
            numbers["agreement"] = line.agreement
            numbers["spanDays"] = line.span / 86_400
        }
        let severity: InsightSeverity = (days ?? .infinity) <= 7 || percent >= 95 ? .critical
            : (days ?? .infinity) <= 30 || nearlyFull ? .warning : .info
        let detail = key.name == .disk ? "disk:\(key.label)" : "memory"
        return Insight(id: "\(InsightKind.timeToFull.rawValue):device:\(device):\(detail)", kind: .timeToFull, severity: severity, device: device,
                       sentence: sentence, numbers: numbers)
    }

    /// An app whose memory grows: by how much a month, and when its device's RAM is full at that pace.
    func appMemoryGrowth(_ app: DeploymentResource, deviceID: String, device: String) throws -> Insight? {
        let (points, _) = try trendPoints(SeriesKey(subject: .deployment(app.id), name: .memory))
        guard let current = points.last?.value, current > 0, let line = growth(points, scale: current, minimumShare: 0.01 / 30.4) else { return nil }
        let (devicePoints, capacity) = try trendPoints(SeriesKey(subject: .device(deviceID), name: .memory))
        guard let capacity, let used = devicePoints.last?.value else { return nil }
        let perDay = line.slope * 86_400
        let days = max(0, capacity - used) / perDay
        guard days <= settings.fullWithinDays else { return nil }
        let monthly = perDay * 30.4 / current * 100
        return Insight(
            id: "\(InsightKind.timeToFull.rawValue):deployment:\(app.name):memory", kind: .timeToFull, severity: days <= 30 ? .warning : .info,
            device: device, deployment: app.name,
            sentence: "\(app.name): memory growing \(Words.percent(monthly)) a month (\(Words.bytes(current)) now): \(device)'s RAM full in \(Words.about(days: days))",
            numbers: ["usedBytes": current, "growthBytesPerDay": perDay, "growthPercentPerMonth": monthly, "daysToFull": days,
                      "deviceFreeBytes": max(0, capacity - used), "agreement": line.agreement])
    }
}
