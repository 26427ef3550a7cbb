import FoundationEssentials
import Protocol

/// Samples a device's live state from /proc and /sys, keeping the CPU counters between samples.
public struct MetricsSampler: Sendable {
    /// Where the kernel's files are.
    public var paths: HostPaths
    /// The CPU counters of the previous sample, from which the next computes CPU use.
    private var previous: ProcStat?

    /// Creates a sampler; its first sample has no CPU use.
    public init(paths: HostPaths = .host) {
        self.paths = paths
    }

    /// A sample of everything but Docker; CPU use covers the time since the previous call.
    public mutating func sample(now: Date = Date()) -> MetricsSample {
        let stat = SystemFiles.read(paths.proc + "/stat").map(ProcStat.init)
        let cpu = stat.flatMap { current in previous.flatMap { current.usage(since: $0) } }
        if let stat { previous = stat }
        return MetricsSample(
            time: now,
            cpu: cpu,
            load: load(),
            memory: memory(),
            filesystems: filesystems(),
            network: SystemFiles.read(paths.proc + "/net/dev").map(NetworkDevices.parse),
            uptimeSeconds: SystemFiles.read(paths.proc + "/uptime")?.fields.first.flatMap { Double($0) },
            temperatures: TemperatureSensors.read(sys: paths.sys)
        )
    }

    /// `/proc/loadavg`, or `nil` when it is missing or malformed.
    func load() -> LoadAverage? {
        guard let fields = SystemFiles.read(paths.proc + "/loadavg")?.fields, fields.count >= 3,
              let one = Double(fields[0]), let five = Double(fields[1]), let fifteen = Double(fields[2]) else { return nil }
        return LoadAverage(one: one, five: five, fifteen: fifteen)
    }

    /// Memory and swap from `/proc/meminfo`, or `nil` without `MemTotal` and an available figure.
    func memory() -> MemoryUsage? {
        guard let info = SystemFiles.read(paths.proc + "/meminfo").map(MemInfo.init),
              let total = info["MemTotal"], let available = info.available else { return nil }
        // A kernel built without swap still prints `SwapTotal: 0 kB`; a missing line means the same.
        let swapTotal = info["SwapTotal"] ?? 0
        let swapFree = info["SwapFree"] ?? swapTotal
        return MemoryUsage(
            totalBytes: total,
            availableBytes: available,
            swapTotalBytes: swapTotal,
            swapUsedBytes: swapTotal > swapFree ? swapTotal - swapFree : 0
        )
    }

    /// Every real filesystem that `statvfs` can measure, or `nil` when the mount table cannot be read.
    func filesystems() -> [FilesystemUsage]? {
        guard let table = SystemFiles.read(paths.proc + "/self/mounts") ?? SystemFiles.read(paths.proc + "/mounts") else {
            return nil
        }
        return MountTable.realFilesystems(MountTable.parse(table)).compactMap(FilesystemStats.usage)
    }
}
