import FoundationEssentials

/// One sample of a device's live state. Every source that could not be read is `nil`, never zero.
public struct MetricsSample: Codable, Equatable, Sendable {
    /// When the sample was taken (agent clock).
    public var time: Date
    /// Processor use since the previous sample; absent on the first.
    public var cpu: CPUUsage?
    /// Load averages.
    public var load: LoadAverage?
    /// Memory and swap.
    public var memory: MemoryUsage?
    /// Every real (block-device or network) filesystem.
    public var filesystems: [FilesystemUsage]?
    /// Byte counters per network interface (loopback excluded).
    public var network: [NetworkCounters]?
    /// Seconds since boot.
    public var uptimeSeconds: Double?
    /// Temperature sensors (thermal zones and hwmon).
    public var temperatures: [TemperatureReading]?
    /// Docker, when a Docker socket answers.
    public var docker: DockerStatus?

    /// Creates a sample.
    public init(time: Date, cpu: CPUUsage? = nil, load: LoadAverage? = nil, memory: MemoryUsage? = nil,
                filesystems: [FilesystemUsage]? = nil, network: [NetworkCounters]? = nil, uptimeSeconds: Double? = nil,
                temperatures: [TemperatureReading]? = nil, docker: DockerStatus? = nil) {
        self.time = time
        self.cpu = cpu
        self.load = load
        self.memory = memory
        self.filesystems = filesystems
        self.network = network
        self.uptimeSeconds = uptimeSeconds
        self.temperatures = temperatures
        self.docker = docker
    }
}

/// Processor use in percent (0-100) of the interval since the previous sample.
public struct CPUUsage: Codable, Equatable, Sendable {
    /// All cores together.
    public var totalPercent: Double
    /// Each core, in `cpuN` order.
    public var perCorePercent: [Double]
    /// Creates a reading.
    public init(totalPercent: Double, perCorePercent: [Double]) {
        self.totalPercent = totalPercent
        self.perCorePercent = perCorePercent
    }
}

/// `/proc/loadavg`.
public struct LoadAverage: Codable, Equatable, Sendable {
    /// 1-minute load.
    public var one: Double
    /// 5-minute load.
    public var five: Double
    /// 15-minute load.
    public var fifteen: Double
    /// Creates a reading.
    public init(one: Double, five: Double, fifteen: Double) {
        self.one = one
        self.five = five
        self.fifteen = fifteen
    }
}

/// Memory and swap from `/proc/meminfo`.
public struct MemoryUsage: Codable, Equatable, Sendable {
    /// `MemTotal`.
    public var totalBytes: UInt64
    /// `MemAvailable`.
    public var availableBytes: UInt64
    /// `SwapTotal`.
    public var swapTotalBytes: UInt64
    /// `SwapTotal - SwapFree`.
    public var swapUsedBytes: UInt64
    /// Used memory, `total - available`.
    public var usedBytes: UInt64 { totalBytes >= availableBytes ? totalBytes - availableBytes : 0 }
    /// Creates a reading.
    public init(totalBytes: UInt64, availableBytes: UInt64, swapTotalBytes: UInt64, swapUsedBytes: UInt64) {
        self.totalBytes = totalBytes
        self.availableBytes = availableBytes
        self.swapTotalBytes = swapTotalBytes
        self.swapUsedBytes = swapUsedBytes
    }
}

/// One mounted filesystem (statvfs).
public struct FilesystemUsage: Codable, Equatable, Sendable {
    /// Mount point.
    public var mountPoint: String
    /// Source device (`/dev/sda1`, `server:/export`).
    public var device: String
    /// Filesystem type (`ext4`, `nfs4`).
    public var type: String
    /// Size in bytes.
    public var sizeBytes: UInt64
    /// Used bytes.
    public var usedBytes: UInt64
    /// Bytes available to unprivileged users.
    public var availableBytes: UInt64
    /// Creates a reading.
    public init(mountPoint: String, device: String, type: String, sizeBytes: UInt64, usedBytes: UInt64, availableBytes: UInt64) {
        self.mountPoint = mountPoint
        self.device = device
        self.type = type
        self.sizeBytes = sizeBytes
        self.usedBytes = usedBytes
        self.availableBytes = availableBytes
    }
}

/// Byte counters of one network interface (`/proc/net/dev`), since boot.
public struct NetworkCounters: Codable, Equatable, Sendable {
    /// Interface name.
    public var interface: String
    /// Bytes received.
    public var rxBytes: UInt64
    /// Bytes sent.
    public var txBytes: UInt64
    /// Creates a reading.
    public init(interface: String, rxBytes: UInt64, txBytes: UInt64) {
        self.interface = interface
        self.rxBytes = rxBytes
        self.txBytes = txBytes
    }
}

/// One temperature sensor.
public struct TemperatureReading: Codable, Equatable, Sendable {
    /// Sensor name (`cpu-thermal`, `coretemp/Package id 0`).
    public var sensor: String
    /// Degrees Celsius.
    public var celsius: Double
    /// Creates a reading.
    public init(sensor: String, celsius: Double) {
        self.sensor = sensor
        self.celsius = celsius
    }
}

/// What the local Docker engine says about itself (`GET /version`, `GET /info`).
public struct DockerStatus: Codable, Equatable, Sendable {
    /// Engine version ("28.2.2").
    public var version: String
    /// Engine API version ("1.50").
    public var apiVersion: String
    /// Running containers.
    public var containersRunning: Int
    /// Paused containers.
    public var containersPaused: Int
    /// Stopped containers.
    public var containersStopped: Int
    /// Images.
    public var images: Int
    /// Creates a reading.
    public init(version: String, apiVersion: String, containersRunning: Int, containersPaused: Int, containersStopped: Int, images: Int) {
        self.version = version
        self.apiVersion = apiVersion
        self.containersRunning = containersRunning
        self.containersPaused = containersPaused
        self.containersStopped = containersStopped
        self.images = images
    }
}
