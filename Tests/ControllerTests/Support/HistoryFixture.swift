@testable import Controller
import Foundation
import GRDB
import Protocol

/// A store with one enrolled device row and a registry over it, for the history, health and insight tests: samples
/// go through the registry's own write path, values straight into the history at chosen times.
struct HistoryFixture {
    let dir: URL
    let store: Store
    let registry: DeviceRegistry
    let deviceID = "device-nas"
    /// A moment aligned on every rung of the standard ladder (a UTC midnight, so a multiple of 1 d, 8 h, 1 h, 20 min).
    static let origin = Date(timeIntervalSince1970: 1_800_057_600)

    init(ladder: HistoryLadder = .standard, thresholds: HealthThresholds = HealthThresholds(), name: String = #function) async throws {
        dir = try temporaryDirectory(name)
        store = try Store(path: dir.appendingPathComponent("db.sqlite").path)
        registry = DeviceRegistry(store: store, events: EventHub(), heartbeatTTL: 60, logger: .init(label: "test"),
                                  history: MetricsHistory(store: store, ladder: ladder), thresholds: thresholds)
        let id = deviceID
        try await store.write { db in
            try DeviceRecord(id: id, name: "nas", state: .enrolled, publicKey: Data([1]), keyFingerprint: "SHA256:x", certificateSerial: nil,
                             labels: "{}", address: "10.0.0.2", createdAt: Self.origin.addingTimeInterval(-90 * 86_400), lastSeenAt: nil,
                             facts: nil, metrics: nil, tokenID: nil).insert(db)
        }
    }

    var history: MetricsHistory { registry.history }

    /// A time `seconds` after the origin.
    static func at(_ seconds: TimeInterval) -> Date { origin.addingTimeInterval(seconds) }

    /// Reports a sample through the registry, as the agent link does.
    func report(_ sample: MetricsSample, at time: Date) async throws {
        try await registry.report(metrics: sample, deviceID: deviceID, now: time)
    }

    /// Adds values straight to a series of the device (or `subject`).
    func add(_ name: MetricsSeriesName, label: String = "", values: [(Date, Double)], capacity: Double? = nil,
             subject: HistorySubject? = nil) async throws {
        let (history, subject) = (self.history, subject ?? .device(deviceID))
        try await store.write { db in
            for (time, value) in values {
                try history.add(SeriesValue(name: name, label: label, value: value, capacity: capacity), to: subject, at: time, in: db)
            }
        }
    }

    /// The buckets of a device series at one resolution, oldest first.
    func buckets(_ name: MetricsSeriesName, resolution: Int, label: String = "") async throws -> [RollupRow] {
        let (history, id) = (self.history, deviceID)
        return try await store.read { db in
            guard let series = try history.series(of: .device(id), named: name, in: db).first(where: { $0.label == label })?.id else { return [] }
            return try history.rollups(series: series, resolution: resolution, since: .min, in: db)
        }
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }
}

/// A sample with CPU, memory, one filesystem and the network counters given.
func sample(at time: Date, cpu: Double? = nil, usedMemory: UInt64? = nil, totalMemory: UInt64 = 8 << 30, rx: UInt64? = nil, tx: UInt64 = 0,
            uptime: Double? = nil, disk: (used: UInt64, size: UInt64)? = nil, celsius: Double? = nil) -> MetricsSample {
    MetricsSample(
        time: time, cpu: cpu.map { CPUUsage(totalPercent: $0, perCorePercent: [$0]) },
        memory: usedMemory.map { MemoryUsage(totalBytes: totalMemory, availableBytes: totalMemory - $0, swapTotalBytes: 0, swapUsedBytes: 0) },
        filesystems: disk.map { [FilesystemUsage(mountPoint: "/", device: "/dev/sda1", type: "ext4", sizeBytes: $0.size, usedBytes: $0.used,
                                                 availableBytes: $0.size - $0.used)] },
        network: rx.map { [NetworkCounters(interface: "eth0", rxBytes: $0, txBytes: tx)] }, uptimeSeconds: uptime,
        temperatures: celsius.map { [TemperatureReading(sensor: "cpu-thermal", celsius: $0)] })
}
