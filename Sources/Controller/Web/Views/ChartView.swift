import Foundation
import Protocol

/// One history chart of a device: a plain SVG line of the averages (and a fainter one of the maxima), which the
/// page's script redraws with Chart.js when Debian's package is installed, from the same points.
struct ChartView: Sendable {
    var id: String
    var title: String
    /// `CPU over the last hour: average 12 %, peak 40 %`, for people who do not see the drawing.
    var summary: String
    var empty: Bool
    /// SVG polyline points of the averages and of the maxima, in a 600 × 160 box.
    var averages: String
    var maxima: String
    /// The top of the scale, as people read it.
    var top: String
    /// The points for Chart.js: `{"unit","top","points":[[ms, avg, max], …]}`.
    var data: String

    static let width = 600.0, height = 160.0

    /// The chart of `series` over `range`, scaled to what the device has (its memory, its disks).
    /// A disk series is one per mount point (`Disk /srv`); its scale is that filesystem's capacity.
    init(_ series: MetricsSeries, range: MetricsRange, device: DeviceResource, now: Date) {
        let titles: [MetricsSeriesName: String] = [.cpu: "CPU", .memory: "Memory", .disk: "Disk", .temperature: "Temperature", .network: "Network"]
        let mount = series.mount.map { " \($0)" } ?? ""
        id = "chart-\(series.name.rawValue)" + (series.mount.map { "-" + String($0.map { $0.isLetter || $0.isNumber ? $0 : "-" }) } ?? "")
        title = (titles[series.name] ?? series.name.rawValue) + mount
        let format: (Double) -> String = switch series.unit {
        case .percent: Format.percent
        case .bytes: Format.bytes
        case .celsius: { "\(Int($0.rounded())) °C" }
        case .bytesPerSecond: Format.rate
        }
        let peak = series.points.map(\.max).max() ?? 0
        let scale: Double = switch series.name {
        case .cpu, .temperature: 100
        case .memory: Double(device.metrics?.memory?.totalBytes ?? device.facts?.memoryBytes ?? 0)
        case .disk: series.capacity ?? 0
        case .network: 0
        }
        let yMax = max(scale, peak, 1)
        top = format(yMax)
        let start = now.addingTimeInterval(-TimeInterval(range.seconds))
        func points(_ value: (MetricsPoint) -> Double) -> String {
            series.points.map { point in
                let x = max(0, point.t.timeIntervalSince(start)) / TimeInterval(range.seconds) * Self.width
                let y = Self.height - value(point) / yMax * Self.height
                return String(format: "%.1f,%.1f", x, y)
            }.joined(separator: " ")
        }
        averages = points(\.avg)
        maxima = points(\.max)
        empty = series.points.isEmpty
        let words = switch range {
        case .hour: "the last hour"
        case .day: "the last 24 hours"
        case .week: "the last 7 days"
        case .month: "the last 30 days"
        case .year: "the last year"
        }
        let mean = series.points.isEmpty ? 0 : series.points.map(\.avg).reduce(0, +) / Double(series.points.count)
        summary = empty ? "\(title): no samples in \(words) yet." : "\(title) over \(words): average \(format(mean)), peak \(format(peak))."
        let rows = series.points.map { "[\(Int64($0.t.timeIntervalSince1970 * 1000)),\($0.avg),\($0.max)]" }.joined(separator: ",")
        data = #"{"unit":"\#(series.unit.rawValue)","top":\#(yMax),"start":\#(Int64(start.timeIntervalSince1970 * 1000)),"end":\#(Int64(now.timeIntervalSince1970 * 1000)),"points":[\#(rows)]}"#
    }
}
