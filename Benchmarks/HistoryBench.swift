import Controller
import Foundation
import GRDB
import Logging
import Protocol
import TestSupport

/// The metrics history's cost: writing it at 100 simulated devices beside the raw-sample store it replaces, the
/// store's size per device, and the p99 of a 30-day query on a full store.
enum HistoryBench {
    struct Writes {
        /// Milliseconds of this process's CPU per sample.
        let cpuMillisecondsPerSample: Double
        /// Samples written per second of wall time.
        let samplesPerSecond: Double
    }

    /// CPU seconds this process has used.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// A sample like a NAS's: 4 cores, memory, two filesystems, two interfaces, two sensors, Docker.
    static func sample(device: Int, round: Int, time: Date) -> MetricsSample {
        let wave = Double((device * 7 + round) % 100)
        return MetricsSample(
            time: time, cpu: CPUUsage(totalPercent: wave, perCorePercent: [wave, wave / 2, wave / 3, wave / 4]),
            load: LoadAverage(one: 0.5, five: 0.4, fifteen: 0.3),
            memory: MemoryUsage(totalBytes: 8 << 30, availableBytes: UInt64(4 << 30) - UInt64(round) * 4096, swapTotalBytes: 1 << 30, swapUsedBytes: 0),
            filesystems: [FilesystemUsage(mountPoint: "/", device: "/dev/sda2", type: "ext4", sizeBytes: 64 << 30, usedBytes: 20 << 30, availableBytes: 40 << 30),
                          FilesystemUsage(mountPoint: "/srv", device: "/dev/sdb1", type: "ext4", sizeBytes: 2 << 40, usedBytes: 1 << 40, availableBytes: 900 << 30)],
            network: [NetworkCounters(interface: "eth0", rxBytes: UInt64(round) * 1_000_000, txBytes: UInt64(round) * 400_000),
                      NetworkCounters(interface: "wlan0", rxBytes: 0, txBytes: 0)],
            uptimeSeconds: 86_400 + Double(round) * 10,
            temperatures: [TemperatureReading(sensor: "cpu-thermal", celsius: 48 + wave / 10), TemperatureReading(sensor: "nvme", celsius: 38)],
            docker: DockerStatus(version: "28.2.2", apiVersion: "1.50", containersRunning: 5, containersPaused: 0, containersStopped: 1, images: 12))
    }

    /// A quiet logger: the samples' health changes are not news here.
    static var logger: Logger {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        return logger
    }

    /// A store with `devices` enrolled device rows.
    static func store(devices: Int) async throws -> (Store, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("homelab-history-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try Store(path: dir.appendingPathComponent("controller.sqlite").path)
        try await store.write { db in
            for index in 0..<devices {
                try db.execute(sql: """
                    INSERT INTO device (id, name, state, publicKey, keyFingerprint, labels, createdAt) VALUES (?, ?, 'enrolled', x'01', 'SHA256:x', '{}', ?)
                    """, arguments: ["device-\(index)", "device-\(index)", Date()])
            }
        }
        return (store, dir)
    }

    /// Reports `rounds` samples of each of `devices` devices (one round every 10 s of simulated time) through the
    /// registry, as agents do: raw sample, device row, rollups on every rung, health.
    static func reports(devices: Int, rounds: Int) async throws -> Writes {
        let (store, dir) = try await store(devices: devices)
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = DeviceRegistry(store: store, events: EventHub(), heartbeatTTL: 60, logger: logger)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        return try await measure(samples: devices * rounds) {
            for round in 0..<rounds {
                let time = start.addingTimeInterval(Double(round) * 10)
                for device in 0..<devices {
                    try await registry.report(metrics: sample(device: device, round: round, time: time), deviceID: "device-\(device)", now: time)
                }
            }
        }
    }

    /// The same samples written as the controller wrote them before the history: the raw JSON and the device row.
    static func rawOnly(devices: Int, rounds: Int) async throws -> Writes {
        let (store, dir) = try await store(devices: devices)
        defer { try? FileManager.default.removeItem(at: dir) }
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let encoder = WireCoding.encoder
        return try await measure(samples: devices * rounds) {
            for round in 0..<rounds {
                let time = start.addingTimeInterval(Double(round) * 10)
                for device in 0..<devices {
                    let text = String(decoding: try encoder.encode(sample(device: device, round: round, time: time)), as: UTF8.self)
                    try await store.write { db in
                        try db.execute(sql: "UPDATE device SET metrics = ?, lastSeenAt = ? WHERE id = ?", arguments: [text, time, "device-\(device)"])
                        try db.execute(sql: "INSERT INTO metricsSample (deviceID, time, sample) VALUES (?, ?, ?)", arguments: ["device-\(device)", time, text])
                    }
                }
            }
        }
    }

    static func measure(samples: Int, _ body: () async throws -> Void) async throws -> Writes {
        let (cpu, wall) = (cpuSeconds(), Date())
        try await body()
        let cpuUsed = cpuSeconds() - cpu, elapsed = Date().timeIntervalSince(wall)
        return Writes(cpuMillisecondsPerSample: cpuUsed / Double(samples) * 1000, samplesPerSecond: Double(samples) / elapsed)
    }

    /// The size of the store, and what it holds.
    struct Size {
        let bytesPerRollupRow: Double
        let bytesPerRawSample: Double
        let seriesPerDevice: Int
    }

    /// A full store: `devices` devices with a year of every rung's buckets for each of their series (as the standard
    /// ladder keeps them), and an hour of raw samples; measured after VACUUM.
    static func fullStore(devices: Int) async throws -> (Store, URL, Size, [String]) {
        let (store, dir) = try await store(devices: devices)
        let registry = DeviceRegistry(store: store, events: EventHub(), heartbeatTTL: 60, logger: logger)
        let now = Date(timeIntervalSince1970: 1_800_057_600)
        // Two samples per device make its series (and a real raw sample to measure).
        for device in 0..<devices {
            for round in 0..<2 {
                let time = now.addingTimeInterval(Double(round - 2) * 10)
                try await registry.report(metrics: sample(device: device, round: round, time: time), deviceID: "device-\(device)", now: time)
            }
        }
        let ladder = HistoryLadder.standard
        try await store.write { db in
            try db.execute(sql: "DELETE FROM metricsRollup")
            try db.execute(sql: "DELETE FROM metricsSample")
        }
        let emptyBytes = try await fileBytes(store, dir)
        let rows = try await store.write { db -> Int in
            let series = try Int64.fetchAll(db, sql: "SELECT id FROM metricsSeries")
            let statement = try db.makeStatement(sql: "INSERT INTO metricsRollup (series, resolution, bucket, sum, count, max) VALUES (?, ?, ?, ?, ?, ?)")
            var rows = 0
            for id in series {
                for rung in ladder.rungs {
                    let newest = Int64(now.timeIntervalSince1970) / Int64(rung.resolution) * Int64(rung.resolution)
                    for index in 0...(rung.retention / rung.resolution) {
                        let samples = max(1, rung.resolution / 10)
                        let value = Double((Int(id) * 31 + index) % 1000) * 1_000_003.7
                        try statement.execute(arguments: [id, rung.resolution, newest - Int64(index * rung.resolution), value * Double(samples), samples, value * 1.5])
                        rows += 1
                    }
                }
            }
            return rows
        }
        let rollupBytes = try await fileBytes(store, dir) - emptyBytes
        // An hour of raw samples (the default raw retention) for every device, measured the same way.
        let encoder = WireCoding.encoder
        let before = try await fileBytes(store, dir)
        try await store.write { db in
            for device in 0..<devices {
                for round in 0..<360 {
                    let text = String(decoding: try encoder.encode(sample(device: device, round: round, time: now)), as: UTF8.self)
                    try db.execute(sql: "INSERT INTO metricsSample (deviceID, time, sample) VALUES (?, ?, ?)", arguments: ["device-\(device)", now, text])
                }
            }
        }
        let rawBytes = try await fileBytes(store, dir) - before
        let ids = (0..<devices).map { "device-\($0)" }
        let seriesCount = try await store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM metricsSeries") ?? 0 }
        return (store, dir, Size(bytesPerRollupRow: Double(rollupBytes) / Double(rows), bytesPerRawSample: Double(rawBytes) / Double(devices * 360),
                                 seriesPerDevice: seriesCount / devices), ids)
    }

    /// The bytes the database's pages in use hold (free pages left out), as the current transaction sees it.
    static func fileBytes(_ store: Store, _ dir: URL) async throws -> Int {
        try await store.read { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0, free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            return (pages - free) * (try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096)
        }
    }

    static func run() async throws {
        let devices = 100, rounds = 30
        print("\n== history: \(devices) simulated devices, \(rounds) samples each (10 s apart), release build")
        let raw = try await rawOnly(devices: devices, rounds: rounds)
        let full = try await reports(devices: devices, rounds: rounds)
        print(pad("", 36) + pad("raw JSON only (before)", 24) + pad("raw + rollups + health", 24) + "ratio")
        print(pad("CPU ms per sample", 36) + pad(fmt(raw.cpuMillisecondsPerSample, 3), 24) + pad(fmt(full.cpuMillisecondsPerSample, 3), 24)
              + fmt(full.cpuMillisecondsPerSample / raw.cpuMillisecondsPerSample, 2))
        // 100 devices every 10 s are 10 samples a second.
        print(pad("CPU at 100 devices (% of a core)", 36) + pad(fmt(raw.cpuMillisecondsPerSample, 2), 24) + pad(fmt(full.cpuMillisecondsPerSample, 2), 24) + "-")
        print(pad("samples written per second", 36) + pad(fmt(raw.samplesPerSecond, 0), 24) + pad(fmt(full.samplesPerSecond, 0), 24) + "-")

        let (store, dir, size, ids) = try await fullStore(devices: devices)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ladder = HistoryLadder.standard
        func rows(afterDays days: Double) -> Double {
            ladder.rungs.reduce(0) { $0 + min(days * 86_400, Double($1.retention)) / Double($1.resolution) + 1 }
        }
        let series = Double(size.seriesPerDevice)
        let rawHour = size.bytesPerRawSample * 360
        print("\n   store size per device (\(size.seriesPerDevice) series: cpu, memory, temperature, network, 2 disks; "
              + "\(fmt(size.bytesPerRollupRow, 1)) bytes per bucket row, \(fmt(size.bytesPerRawSample, 0)) per raw sample, measured)")
        print(pad("", 36) + pad("bytes", 14) + "as")
        print(pad("after 1 day", 36) + pad(fmt(rows(afterDays: 1) * series * size.bytesPerRollupRow + rawHour, 0), 14) + "rollups + 1 h of raw samples")
        print(pad("after 1 year and from then on", 36) + pad(fmt(rows(afterDays: 365) * series * size.bytesPerRollupRow + rawHour, 0), 14) + "bounded by the ladder")
        print(pad("growth per day in the first year", 36) + pad(fmt(series * size.bytesPerRollupRow, 0), 14) + "one daily bucket per series")
        print(pad("baseline: 7 days of raw samples", 36) + pad(fmt(size.bytesPerRawSample * 8640 * 7, 0), 14) + "the store before the history")

        let queries = 500
        var times: [Double] = []
        var random = SplitMix64(seed: 20)
        for _ in 0..<queries {
            let id = ids[Int(random.next() % UInt64(ids.count))]
            let started = ContinuousClock.now
            let (resolution, answer) = try await store.history(device: id)
            _ = try WireCoding.encoder.encode(MetricsHistoryResponse(device: id, range: .month, resolution: resolution, series: answer))
            let elapsed = ContinuousClock.now - started
            times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        times.sort()
        print("\n   a 30-day query of every series of one device (\(queries) queries, random devices, \(devices) devices' full history in the store)")
        print(pad("", 36) + pad("median ms", 14) + "p99 ms")
        print(pad("query + JSON", 36) + pad(fmt(times[queries / 2], 2), 14) + fmt(times[queries * 99 / 100], 2))
    }
}

extension Store {
    /// Every series of a device over 30 days, through a history over this store.
    func history(device id: String) async throws -> (Int, [MetricsSeries]) {
        try await MetricsHistory(store: self).device(id, names: MetricsSeriesName.allCases, range: .month, now: Date(timeIntervalSince1970: 1_800_057_600))
    }
}
