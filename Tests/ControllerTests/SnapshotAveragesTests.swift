@testable import Controller
import Crypto
import Foundation
import Logging
import Protocol
import Scheduler
import Testing

@Suite("The scheduler's CPU averages")
struct SnapshotAveragesTests {
    /// A sample that reports only its CPU use.
    static func sample(_ cpu: Double, at time: Date) -> MetricsSample {
        MetricsSample(time: time, cpu: CPUUsage(totalPercent: cpu, perCorePercent: [cpu]))
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
            // In the history as the registry records them; one 20 minutes ago is outside the 15-minute window.
            for (cpu, ago) in [(10.0, 1200.0), (60, 120), (80, 60)] {
                let time = now.addingTimeInterval(-ago)
                try registry.history.record(device: "d1", sample: Self.sample(cpu, at: time), previous: nil, at: time, in: db)
            }
        }
        let service = DeploymentService(store: store, registry: registry, events: EventHub(), catalog: RecipeCatalog(directories: [], logger: Logger(label: "test")),
                                        scheduler: Scheduler(), box: SecretBox(key: SymmetricKey(size: .bits256)), settings: DeploymentSettings(),
                                        jobs: JobRunner(store: MemoryJobStore(), logger: Logger(label: "test")), logger: Logger(label: "test"))
        let snapshot = try await service.snapshot()
        #expect(snapshot.version == 2 && snapshot.metricsWindowSeconds == 900)
        #expect(snapshot.devices.map(\.name) == ["nas"])
        #expect(snapshot.devices.first?.cpuBusyPercent == 70, "the mean of 60 and 80, not the latest 5 nor the one before the window")
    }
}
