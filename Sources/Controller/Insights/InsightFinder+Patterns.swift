import Foundation
import GRDB
import Protocol

extension InsightFinder {
    /// A device that stayed above the temperature threshold: nine in ten of the window's buckets above it, over
    /// at least half the window.
    func temperature(deviceID: String, device: String) throws -> Insight? {
        let window = Int(settings.temperatureWindow)
        let recent = try history.recent(SeriesKey(subject: .device(deviceID), name: .temperature), seconds: window, now: now, in: db)
        guard let figures = Sustained.measure(recent.rows, threshold: settings.temperatureCelsius, window: window,
                                              resolution: recent.rung.resolution, now: now),
              figures.holds(share: 0.9, coverage: 0.5, buckets: Sustained.buckets(window: window, resolution: recent.rung.resolution)) else { return nil }
        let threshold = Words.decimal(settings.temperatureCelsius)
        return Insight(
            id: "\(InsightKind.temperature.rawValue):device:\(device)", kind: .temperature, severity: figures.maximum >= settings.temperatureCelsius + 10 ? .critical : .warning,
            device: device,
            sentence: "\(device): above \(threshold) °C for the last \(Words.span(settings.temperatureWindow)) (average \(Words.decimal(figures.average)) °C, highest \(Words.decimal(figures.maximum)) °C)",
            numbers: ["averageCelsius": figures.average, "maximumCelsius": figures.maximum, "thresholdCelsius": settings.temperatureCelsius,
                      "shareAbove": figures.shareAbove, "windowSeconds": settings.temperatureWindow])
    }

    /// CPU that peaks in the same hours every day, from the hourly history of the last 8 days (a margin of 20 points
    /// over the rest of the day, twice its level); nothing when the ladder keeps no hourly rung for a week.
    func dailyPattern(_ subject: HistorySubject, name: String, device: String?, deployment: String?) throws -> Insight? {
        let recent = try history.recent(SeriesKey(subject: subject, name: .cpu), seconds: 8 * 86_400, now: now, in: db)
        guard recent.rung.resolution <= 3600 else { return nil }
        let points = recent.rows.map { (Date(timeIntervalSince1970: TimeInterval($0.bucket)), $0.average) }
        guard let pattern = DailyPattern.find(points, timeZone: settings.timeZone, margin: 20) else { return nil }
        let days = pattern.matchingDays == pattern.days ? "every day" : "on \(pattern.matchingDays) of \(pattern.days) days"
        let ofWhat = deployment == nil ? "" : " of a core"
        return Insight(
            id: "\(InsightKind.dailyPattern.rawValue):\(subject.kind):\(name):cpu", kind: .dailyPattern, severity: .info, device: device, deployment: deployment,
            sentence: "\(name): CPU peaks \(pattern.startHour)–\(pattern.endHour) h \(days) (\(Words.percent(pattern.peak))\(ofWhat) against \(Words.percent(pattern.rest)) the rest of the day)",
            numbers: ["startHour": Double(pattern.startHour), "endHour": Double(pattern.endHour), "peakPercent": pattern.peak,
                      "restPercent": pattern.rest, "days": Double(pattern.days), "matchingDays": Double(pattern.matchingDays)])
    }

    /// A device that rebooted at least `rebootsPerDay` times in the last 24 hours, three times its usual daily rate.
    func rebootLoop(deviceID: String, device: String) throws -> Insight? {
        let month = now.addingTimeInterval(-30 * 86_400), day = now.addingTimeInterval(-86_400)
        let times = try Date.fetchAll(db, sql: "SELECT time FROM event WHERE type = ? AND deviceID = ? AND time >= ?",
                                      arguments: [RegistryEvent.Kind.deviceRebooted.rawValue, deviceID, month])
        let lastDay = times.filter { $0 >= day }.count
        let earlier = times.count - lastDay
        let known = try Date.fetchOne(db, sql: "SELECT createdAt FROM device WHERE id = ?", arguments: [deviceID]) ?? month
        let observedDays = max(1, day.timeIntervalSince(max(month, known)) / 86_400)
        let usual = Double(earlier) / observedDays
        guard lastDay >= settings.rebootsPerDay, Double(lastDay) >= 3 * usual else { return nil }
        let usually = earlier == 0 ? "never before in the last 30 days" : usual >= 1 ? "usually \(Words.decimal(usual)) a day"
            : "usually about once every \(Int((1 / usual).rounded())) days"
        return Insight(
            id: "\(InsightKind.rebootLoop.rawValue):device:\(device)", kind: .rebootLoop, severity: .critical, device: device,
            sentence: "\(device) rebooted \(lastDay) times in the last 24 h (\(usually))",
            numbers: ["rebootsLastDay": Double(lastDay), "usualPerDay": usual, "observedDays": observedDays])
    }

    /// An app whose containers exited at least `restartLoop` times in the last hour (one-shot services left out).
    static func restartLoop(_ app: DeploymentResource, exits: Int, outOfMemory: Int, services: [String], threshold: Int) -> Insight? {
        guard exits >= threshold else { return nil }
        let which = services.isEmpty ? "" : " (\(services.joined(separator: ", "))" + (outOfMemory > 0 ? "; \(outOfMemory) out of memory)" : ")")
        return Insight(
            id: "\(InsightKind.restartLoop.rawValue):deployment:\(app.name)", kind: .restartLoop, severity: .critical, device: app.components.first?.device,
            deployment: app.name, sentence: "\(app.name) restarted \(exits) times in the last hour\(which)",
            numbers: ["restartsLastHour": Double(exits), "outOfMemory": Double(outOfMemory)])
    }
}
