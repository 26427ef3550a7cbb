import Foundation
import GRDB
import Hummingbird
import Protocol

/// `GET /v1/devices/{name}/metrics?range=&series=`: a device's history, bucketed from the raw samples. This is the
/// dashboard's minimal version of the route; the insights issue replaces it with stored rollups at every range.
enum MetricsHistoryRoutes {
    static func add(to add: StackRoutes.Add, controller: ControllerContext) {
        add(.get, "/v1/devices/{name}/metrics", false) { request, context in
            let query = request.uri.queryParameters
            let rangeText = query["range"].map(String.init) ?? "24h"
            guard let range = MetricsHistory.Range(rawValue: rangeText) else {
                throw HomelabError.badRequest("range must be one of \(MetricsHistory.Range.allCases.map(\.rawValue).joined(separator: ", ")), got '\(rangeText)'")
            }
            let names = try (query["series"].map { $0.split(separator: ",").map(String.init) } ?? MetricsHistory.SeriesName.allCases.map(\.rawValue)).map { name in
                guard let series = MetricsHistory.SeriesName(rawValue: name) else {
                    throw HomelabError.badRequest("series: '\(name)' is not one of \(MetricsHistory.SeriesName.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return series
            }
            let device = try await controller.registry.get(context.parameters.require("name"))
            return try JSONResponse.make(try await history(of: device, range: range, series: names, store: controller.store))
        }
    }

    /// Seconds per bucket for each range.
    static func resolution(_ range: MetricsHistory.Range) -> Int {
        switch range {
        case .hour: 60
        case .day: 600
        case .week: 3600
        case .month: 4 * 3600
        case .year: 86400
        }
    }

    static func history(of device: DeviceResource, range: MetricsHistory.Range, series: [MetricsHistory.SeriesName], store: Store,
                        now: Date = Date()) async throws -> MetricsHistory {
        let start = now.addingTimeInterval(-TimeInterval(range.seconds))
        let rows = try await store.read { db in
            try MetricsSampleRecord.filter(Column("deviceID") == device.id && Column("time") >= start).order(Column("time")).fetchAll(db)
        }
        let samples = rows.compactMap { row in JSONText.decode(MetricsSample.self, row.sample).map { (time: row.time, sample: $0) } }
        let step = resolution(range)
        return MetricsHistory(device: device.name, range: range.rawValue, resolution: step, series: series.map { name in
            var buckets: [Int: [Double]] = [:]
            for (index, entry) in samples.enumerated() {
                let previous = index > 0 ? samples[index - 1] : nil
                guard let value = Self.value(name, entry, previous: previous) else { continue }
                buckets[Int(entry.time.timeIntervalSince1970) / step, default: []].append(value)
            }
            let points = buckets.keys.sorted().map { key in
                let values = buckets[key]!
                return MetricsHistory.Point(t: Date(timeIntervalSince1970: TimeInterval(key * step)), avg: values.reduce(0, +) / Double(values.count),
                                            max: values.max()!)
            }
            return MetricsHistory.Series(name: name.rawValue, unit: name.unit.rawValue, points: points)
        })
    }

    /// One sample's value of a series; network is the byte rate since the previous sample (nil after a counter reset).
    static func value(_ name: MetricsHistory.SeriesName, _ entry: (time: Date, sample: MetricsSample),
                      previous: (time: Date, sample: MetricsSample)?) -> Double? {
        let sample = entry.sample
        switch name {
        case .cpu: return sample.cpu?.totalPercent
        case .memory: return sample.memory.map { Double($0.usedBytes) }
        case .disk: return sample.filesystems.map { Double(Dictionary($0.map { ($0.device, $0.usedBytes) }) { a, _ in a }.values.reduce(0, +)) }
        case .temperature: return sample.temperatures?.map(\.celsius).max()
        case .network:
            guard let previous, let now = sample.network, let then = previous.sample.network else { return nil }
            let seconds = entry.time.timeIntervalSince(previous.time)
            let total = { (counters: [NetworkCounters]) in counters.reduce(0.0) { $0 + Double($1.rxBytes) + Double($1.txBytes) } }
            guard seconds > 0, total(now) >= total(then) else { return nil }
            return (total(now) - total(then)) / seconds
        }
    }
}
