@testable import Controller
import Crypto
import Foundation
import Logging
import Protocol
import Scheduler
import Testing

@Suite("Metric averages for the scheduler")
struct MetricAveragesTests {
    /// A sample that reports only its CPU use.
    static func sample(_ cpu: Double, at time: Date) -> MetricsSample {
        MetricsSample(time: time, cpu: CPUUsage(totalPercent: cpu, perCorePercent: [cpu]))
    }

    @Test("CPU use is the mean of the stored samples inside the window; older samples, later ones and samples without CPU do not count")
    func window() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(path: dir.appendingPathComponent("db.sqlite").path)
        let registry = DeviceRegistry(store: store, events: EventHub(), heartbeatTTL: 30, logger: Logger(label: "test"))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let samples: [(device: String, secondsAgo: Double, cpu: Double?)] = [
            ("nas", 1000, 100), ("nas", 600, 10), ("nas", 300, 20), ("nas", 10, 90), ("nas", -5, 100),
            ("pi", 60, nil), ("pi", 30, 50),
            ("zero", 2000, 70),
        ]
        try await store.write { db in
            for sample in samples {
                let time = now.addingTimeInterval(-sample.secondsAgo)
                let metrics = sample.cpu.map { Self.sample($0, at: time) } ?? MetricsSample(time: time)
                try MetricsSampleRecord(id: nil, deviceID: sample.device, time: time, sample: JSONText.encode(metrics)).insert(db)
            }
        }
        let averages = try await registry.metricAverages(over: .seconds(900), now: now)
        #expect(averages["nas"] == MetricAverages(cpuBusyPercent: 40, samples: 3), "10, 20 and 90: the one 1000 s ago and the one after now are out")
        #expect(averages["pi"] == MetricAverages(cpuBusyPercent: 50, samples: 2), "a sample without CPU use counts no CPU")
        #expect(averages["zero"] == nil, "nothing in the window")
        // A longer window takes the older sample in.
        #expect(try await registry.metricAverages(over: .seconds(1200), now: now)["nas"]?.cpuBusyPercent == 55)
    }

    @Test("the scheduler's snapshot takes each device's CPU use as the window's mean, not its latest reading")
    func snapshot() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(path: dir.appendingPathComponent("db.sqlite").path)
        let registry = DeviceRegistry(store: store, events: EventHub(), heartbeatTTL: 30, logger: Logger(label: "test"))
        let now = Date()
        try await store.write { db in
            try DeviceRecord(id: "d1", name: "nas", state: .enrolled, publicKey: Data(), keyFingerprint: "k", labels: "{}",
                             createdAt: now.addingTimeInterval(-3600), metrics: JSONText.encode(Self.sample(5, at: now))).insert(db)
            for (cpu, ago) in [(60.0, 120.0), (80, 60)] {
                let time = now.addingTimeInterval(-ago)
                try MetricsSampleRecord(id: nil, deviceID: "d1", time: time, sample: JSONText.encode(Self.sample(cpu, at: time))).insert(db)
            }
        }
        let service = DeploymentService(store: store, registry: registry, events: EventHub(), catalog: RecipeCatalog(directories: [], logger: Logger(label: "test")),
                                        scheduler: Scheduler(), box: SecretBox(key: SymmetricKey(size: .bits256)), settings: DeploymentSettings(),
                                        jobs: JobRunner(store: MemoryJobStore(), logger: Logger(label: "test")), logger: Logger(label: "test"))
        let snapshot = try await service.snapshot()
        #expect(snapshot.version == 2 && snapshot.metricsWindowSeconds == 900)
        #expect(snapshot.devices.map(\.name) == ["nas"])
        #expect(snapshot.devices.first?.cpuBusyPercent == 70, "the mean of 60 and 80, not the latest 5")
    }
}
