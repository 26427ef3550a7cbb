import FoundationEssentials

/// `GET /v1/devices/{name}/metrics`: a device's metrics over a range, at a resolution the controller picks.
public struct MetricsHistory: Codable, Equatable, Sendable {
    /// The ranges a client may ask for.
    public enum Range: String, Codable, Sendable, CaseIterable {
        case hour = "1h", day = "24h", week = "7d", month = "30d", year = "1y"
        /// Its length in seconds.
        public var seconds: Int {
            switch self {
            case .hour: 3600
            case .day: 86400
            case .week: 7 * 86400
            case .month: 30 * 86400
            case .year: 365 * 86400
            }
        }
    }

    /// The series a client may ask for.
    public enum SeriesName: String, Codable, Sendable, CaseIterable {
        case cpu, memory, disk, temperature, network
        /// The unit its values are in.
        public var unit: Unit {
            switch self {
            case .cpu: .percent
            case .memory, .disk: .bytes
            case .temperature: .celsius
            case .network: .bytesPerSecond
            }
        }
    }

    /// The unit of a series' values.
    public enum Unit: String, Codable, Sendable {
        case percent, bytes, celsius
        case bytesPerSecond = "bytes_per_second"
    }

    /// One bucket: its start, the average and the maximum of the samples in it.
    public struct Point: Codable, Equatable, Sendable {
        /// Start of the bucket.
        public var t: Date
        /// Mean of the bucket's samples.
        public var avg: Double
        /// Largest of the bucket's samples.
        public var max: Double
        /// Creates a point.
        public init(t: Date, avg: Double, max: Double) {
            self.t = t
            self.avg = avg
            self.max = max
        }
    }

    /// One series.
    public struct Series: Codable, Equatable, Sendable {
        /// `cpu`, `memory`, `disk`, `temperature` or `network`.
        public var name: String
        /// `percent`, `bytes`, `celsius` or `bytes_per_second`.
        public var unit: String
        /// The buckets that have samples, oldest first.
        public var points: [Point]
        /// Creates a series.
        public init(name: String, unit: String, points: [Point]) {
            self.name = name
            self.unit = unit
            self.points = points
        }
    }

    /// The device's name.
    public var device: String
    /// The range asked for (`1h`, `24h`, `7d`, `30d`, `1y`).
    public var range: String
    /// Seconds per bucket.
    public var resolution: Int
    /// The series asked for, in the order asked.
    public var series: [Series]

    /// Creates an answer.
    public init(device: String, range: String, resolution: Int, series: [Series]) {
        self.device = device
        self.range = range
        self.resolution = resolution
        self.series = series
    }
}
