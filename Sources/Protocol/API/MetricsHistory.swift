import FoundationEssentials

/// How far back a history query reaches (`?range=`); the controller picks the resolution.
public enum MetricsRange: String, Codable, Sendable, CaseIterable {
    case hour = "1h"
    case day = "24h"
    case week = "7d"
    case month = "30d"
    case year = "1y"

    /// The range in seconds.
    public var seconds: Int {
        switch self {
        case .hour: 3600
        case .day: 86_400
        case .week: 7 * 86_400
        case .month: 30 * 86_400
        case .year: 365 * 86_400
        }
    }
}

/// A recorded metric (`?series=`). Devices have all five; deployments have `cpu`, `memory` and `network`.
public enum MetricsSeriesName: String, Codable, Sendable, CaseIterable {
    /// Devices: all cores together, 0-100. Deployments: the sum over their containers, 100 being one full core.
    case cpu
    /// Memory in use (`total - available` on a device; page cache excluded in a container), in bytes.
    case memory
    /// Bytes used on each real filesystem, one series per mount point.
    case disk
    /// The hottest sensor, in degrees Celsius.
    case temperature
    /// Bytes received plus sent per second (loopback excluded).
    case network

    /// The unit its points are in.
    public var unit: MetricsUnit {
        switch self {
        case .cpu: .percent
        case .memory, .disk: .bytes
        case .temperature: .celsius
        case .network: .bytesPerSecond
        }
    }

    /// The series a deployment has.
    public static let deploymentSeries: [MetricsSeriesName] = [.cpu, .memory, .network]
}

/// The unit of a series' points.
public enum MetricsUnit: String, Codable, Sendable {
    case percent
    case bytes
    case celsius
    case bytesPerSecond = "bytes_per_second"
}

/// One bucket of a series: the average and the maximum of the samples that fell in it.
public struct MetricsPoint: Codable, Equatable, Sendable {
    /// The bucket's start.
    public var t: Date
    /// The mean of the bucket's samples.
    public var avg: Double
    /// The largest sample of the bucket.
    public var max: Double
    /// Creates a point.
    public init(t: Date, avg: Double, max: Double) {
        self.t = t
        self.avg = avg
        self.max = max
    }
}

/// One series of a history answer; buckets without samples are left out, never filled with zeros.
public struct MetricsSeries: Codable, Equatable, Sendable {
    /// Which metric.
    public var name: MetricsSeriesName
    /// The unit of `avg` and `max`.
    public var unit: MetricsUnit
    /// For `disk`: the mount point the series is about.
    public var mount: String?
    /// What the series fills up, when it has a ceiling: memory and filesystem size in bytes, as last reported.
    public var capacity: Double?
    /// Oldest first.
    public var points: [MetricsPoint]
    /// Creates a series.
    public init(name: MetricsSeriesName, mount: String? = nil, capacity: Double? = nil, points: [MetricsPoint]) {
        self.name = name
        self.unit = name.unit
        self.mount = mount
        self.capacity = capacity
        self.points = points
    }
}

/// `GET /v1/devices/{name}/metrics` and `GET /v1/deployments/{name}/metrics`.
public struct MetricsHistoryResponse: Codable, Equatable, Sendable {
    /// The device asked about (device route).
    public var device: String?
    /// The deployment asked about (deployment route).
    public var deployment: String?
    /// The range asked for.
    public var range: MetricsRange
    /// Seconds per point: the finest resolution kept for the whole range.
    public var resolution: Int
    /// The series asked for, in the order asked.
    public var series: [MetricsSeries]
    /// Creates an answer.
    public init(device: String? = nil, deployment: String? = nil, range: MetricsRange, resolution: Int, series: [MetricsSeries]) {
        self.device = device
        self.deployment = deployment
        self.range = range
        self.resolution = resolution
        self.series = series
    }
}
