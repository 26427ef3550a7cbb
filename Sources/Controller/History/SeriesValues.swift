import Foundation
import Protocol

/// One value a sample adds to one series, with the ceiling it fills up when it has one.
struct SeriesValue: Equatable, Sendable {
    var name: MetricsSeriesName
    /// A disk's mount point; empty otherwise.
    var label: String = ""
    var value: Double
    var capacity: Double?
}

/// What a device sample or an app's usage adds to the history.
enum SeriesValues {
    /// Most filesystems a device keeps history for (the largest), so a device cannot grow its share without bound.
    static let maximumDisks = 8
    /// Longest gap between two samples over which a network rate is still computed.
    static let maximumRateGap: TimeInterval = 600

    /// A device sample's values: CPU, memory, the hottest sensor, the network rate since `previous`, and each disk.
    static func device(_ sample: MetricsSample, previous: MetricsSample?) -> [SeriesValue] {
        var values: [SeriesValue] = []
        if let cpu = sample.cpu { values.append(SeriesValue(name: .cpu, value: cpu.totalPercent, capacity: 100)) }
        if let memory = sample.memory, memory.totalBytes > 0 {
            values.append(SeriesValue(name: .memory, value: Double(memory.usedBytes), capacity: Double(memory.totalBytes)))
        }
        if let hottest = sample.temperatures?.map(\.celsius).max() { values.append(SeriesValue(name: .temperature, value: hottest)) }
        if let rate = networkRate(sample, previous: previous) { values.append(SeriesValue(name: .network, value: rate)) }
        for filesystem in disks(sample.filesystems ?? []) {
            values.append(SeriesValue(name: .disk, label: filesystem.mountPoint, value: Double(filesystem.usedBytes),
                                      capacity: Double(filesystem.usedBytes + filesystem.availableBytes)))
        }
        return values
    }

    /// Bytes received and sent per second between two samples; nil across a counter reset (a reboot), a long gap, or
    /// without a previous sample.
    static func networkRate(_ sample: MetricsSample, previous: MetricsSample?) -> Double? {
        guard let now = sample.network, let before = previous?.network, let earlier = previous?.time else { return nil }
        let seconds = sample.time.timeIntervalSince(earlier)
        guard seconds > 0, seconds <= maximumRateGap else { return nil }
        let total = { (counters: [NetworkCounters]) in counters.reduce(0.0) { $0 + Double($1.rxBytes) + Double($1.txBytes) } }
        let delta = total(now) - total(before)
        return delta >= 0 ? delta / seconds : nil
    }

    /// One entry per source device (its shortest mount point: `/` before a bind mount of it), the largest
    /// ``maximumDisks``, by mount point.
    static func disks(_ filesystems: [FilesystemUsage]) -> [FilesystemUsage] {
        var bySource: [String: FilesystemUsage] = [:]
        for filesystem in filesystems where filesystem.sizeBytes > 0 {
            if let kept = bySource[filesystem.device], kept.mountPoint.count <= filesystem.mountPoint.count { continue }
            bySource[filesystem.device] = filesystem
        }
        return bySource.values.sorted { ($0.sizeBytes, $1.mountPoint) > ($1.sizeBytes, $0.mountPoint) }
            .prefix(maximumDisks).sorted { $0.mountPoint < $1.mountPoint }
    }

    /// An app's values: CPU (100 is one core), memory, and the network rate when known.
    static func app(cpuPercent: Double, memoryBytes: Double, networkBytesPerSecond: Double?) -> [SeriesValue] {
        [SeriesValue(name: .cpu, value: cpuPercent), SeriesValue(name: .memory, value: memoryBytes)]
            + (networkBytesPerSecond.map { [SeriesValue(name: .network, value: $0)] } ?? [])
    }
}
