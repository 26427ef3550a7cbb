@testable import Controller
import Foundation
import GRDB
import Protocol
import Testing
import TestSupport

/// Insights found in seeded histories whose answers are known.
@Suite("Insights")
struct InsightTests {
    static let day: TimeInterval = 86_400
    /// Thirty days of history end here.
    static let now = HistoryFixture.at(30 * day)

    func finder(_ fixture: HistoryFixture, _ settings: InsightSettings = InsightSettings(), _ body: @escaping @Sendable (InsightFinder) throws -> Insight?) async throws -> Insight? {
        let history = fixture.history
        return try await fixture.store.read { db in try body(InsightFinder(history: history, settings: settings, now: Self.now, db: db)) }
    }

    @Test("a disk filling 4 GB a day, with noise and a cleanup, is full when the robust fit says so")
    func linearFill() async throws {
        let fixture = try await HistoryFixture()
        defer { fixture.remove() }
        var random = SplitMix64(seed: 7)
        let gib = 1024.0 * 1024 * 1024
        var values: [(Date, Double)] = []
        for hour in stride(from: 0.0, to: 30 * 24, by: 1) {
            var used = 600 * gib + 4 * gib * hour / 24 + Double(random.next() % 1000) / 1000 * gib
            if hour == 400 { used -= 60 * gib }  // a cleanup that the next hour's files fill again: an outlier, not a trend
            values.append((HistoryFixture.at(hour * 3600), used))
        }
        try await fixture.add(.disk, label: "/srv", values: values, capacity: 1000 * gib)
        let found = try await finder(fixture) { try $0.fillingUp(SeriesKey(subject: .device(fixture.deviceID), name: .disk, label: "/srv"), device: "nas") }
        let insight = try #require(found)
        let growth = try #require(insight.numbers["growthBytesPerDay"])
        #expect(abs(growth / gib - 4) < 0.2, "the fit finds 4 GB a day, got \(growth / gib)")
        // 720 GB used of 1000: 280 GB left at 4 GB a day.
        let days = try #require(insight.numbers["daysToFull"])
        #expect(abs(days - 70) < 4, "full in about 70 days, got \(days)")
        #expect(insight.kind == .timeToFull && insight.device == "nas" && insight.id == "time-to-full:device:nas:disk:/srv")
        #expect(insight.sentence.hasPrefix("nas: disk /srv 72 % full, growing 28 GB a week: full in about 10 weeks"), "\(insight.sentence)")
        #expect(insight.severity == .info)
    }

    @Test("a CPU that spikes 19–22 h every day (New York time) is a daily pattern, told in that zone's hours")
    func dailySpike() async throws {
        let fixture = try await HistoryFixture()
        defer { fixture.remove() }
        var settings = InsightSettings()
        settings.timeZone = TimeZone(identifier: "America/New_York")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.timeZone
        var random = SplitMix64(seed: 3)
        var values: [(Date, Double)] = []
        for hour in stride(from: (30 - 8) * 24.0, to: 30 * 24, by: 1) {
            let time = HistoryFixture.at(hour * 3600)
            let local = calendar.component(.hour, from: time)
            values.append((time, (19..<22).contains(local) ? 75 + Double(random.next() % 10) : 8 + Double(random.next() % 6)))
        }
        try await fixture.add(.cpu, values: values)
        let found = try await finder(fixture, settings) { try $0.dailyPattern(.device(fixture.deviceID), name: "jellyfin", device: "nas", deployment: nil) }
        let insight = try #require(found)
        #expect(insight.numbers["startHour"] == 19 && insight.numbers["endHour"] == 22)
        #expect(insight.sentence.hasPrefix("jellyfin: CPU peaks 19–22 h every day"), "\(insight.sentence)")
        #expect(insight.kind == .dailyPattern)
    }

    @Test("noise alone, on a disk, the RAM and the CPU, gives no insight at all")
    func noiseOnly() async throws {
        let fixture = try await HistoryFixture()
        defer { fixture.remove() }
        var random = SplitMix64(seed: 11)
        let gib = 1024.0 * 1024 * 1024
        var disk: [(Date, Double)] = [], memory: [(Date, Double)] = [], cpu: [(Date, Double)] = []
        for hour in stride(from: 0.0, to: 30 * 24, by: 1) {
            let time = HistoryFixture.at(hour * 3600)
            disk.append((time, 500 * gib + Double(random.next() % 10_000) / 1000 * gib))
            memory.append((time, 3 * gib + Double(random.next() % 1000) / 1000 * gib))
            cpu.append((time, 10 + Double(random.next() % 30)))
        }
        try await fixture.add(.disk, label: "/", values: disk, capacity: 1000 * gib)
        try await fixture.add(.memory, values: memory, capacity: 8 * gib)
        try await fixture.add(.cpu, values: cpu)
        let id = fixture.deviceID
        #expect(try await finder(fixture) { try $0.fillingUp(SeriesKey(subject: .device(id), name: .disk, label: "/"), device: "nas") } == nil)
        #expect(try await finder(fixture) { try $0.fillingUp(SeriesKey(subject: .device(id), name: .memory), device: "nas") } == nil)
        #expect(try await finder(fixture) { try $0.dailyPattern(.device(id), name: "nas", device: "nas", deployment: nil) } == nil)
        #expect(try await finder(fixture) { try $0.temperature(deviceID: id, device: "nas") } == nil)
        #expect(try await finder(fixture) { try $0.rebootLoop(deviceID: id, device: "nas") } == nil)
    }

    @Test("five reboots in the last day, against none before, is a reboot loop; one reboot is not")
    func rebootLoop() async throws {
        let fixture = try await HistoryFixture()
        defer { fixture.remove() }
        let id = fixture.deviceID
        func reboot(at time: Date) async throws {
            try await fixture.store.write { db in
                try EventRecord(id: nil, time: time, type: RegistryEvent.Kind.deviceRebooted.rawValue, deviceID: id, message: "nas rebooted").insert(db)
            }
        }
        try await reboot(at: Self.now.addingTimeInterval(-3 * 3600))
        #expect(try await finder(fixture) { try $0.rebootLoop(deviceID: id, device: "nas") } == nil)
        for hours in [1.0, 5, 9, 20] { try await reboot(at: Self.now.addingTimeInterval(-hours * 3600)) }
        let insight = try #require(try await finder(fixture) { try $0.rebootLoop(deviceID: id, device: "nas") })
        #expect(insight.numbers["rebootsLastDay"] == 5)
        #expect(insight.sentence == "nas rebooted 5 times in the last 24 h (never before in the last 30 days)")
        #expect(insight.severity == .critical)
    }

    @Test("an hour above 70 °C is sustained heat; a few hot minutes are not")
    func sustainedTemperature() async throws {
        let fixture = try await HistoryFixture()
        defer { fixture.remove() }
        let id = fixture.deviceID
        try await fixture.add(.temperature, values: (0..<60).map { (Self.now.addingTimeInterval(Double($0 - 60) * 60), $0 < 50 ? 71 : 68) })
        #expect(try await finder(fixture) { try $0.temperature(deviceID: id, device: "nas") } == nil, "the last ten minutes were under 70 °C")
        try await fixture.add(.temperature, values: (0..<60).map { (Self.now.addingTimeInterval(Double($0 - 60) * 60 + 30), 80) })
        let insight = try #require(try await finder(fixture) { try $0.temperature(deviceID: id, device: "nas") })
        #expect(insight.sentence.hasPrefix("nas: above 70 °C for the last 60 min"), "\(insight.sentence)")
        #expect(insight.numbers["maximumCelsius"] == 80)
    }

    @Test("a container that exited four times in the last hour is a restart loop, named with its service")
    func restartLoop() {
        let component = DeploymentComponent(name: "app", device: "pi4", address: nil, project: "jellyfin", port: nil, reason: "")
        let app = DeploymentResource(id: "d1", name: "jellyfin", recipe: "jellyfin", recipeVersion: "1", category: "media", state: .running,
                                     components: [component], inputs: [:], url: nil, exposed: false, error: nil, createdAt: Self.now, updatedAt: Self.now)
        #expect(InsightFinder.restartLoop(app, exits: 2, outOfMemory: 0, services: ["server"], threshold: 3) == nil)
        let insight = InsightFinder.restartLoop(app, exits: 4, outOfMemory: 2, services: ["server"], threshold: 3)
        #expect(insight?.sentence == "jellyfin restarted 4 times in the last hour (server; 2 out of memory)")
        #expect(insight?.device == "pi4")
    }

    @Test("the robust line ignores an outlier that would tilt least squares, and says how much its pairs agree")
    func robustLine() throws {
        let points: [(time: Date, value: Double)] = (0..<10).map { index in
            let value: Double = Double(index) * 2 + (index == 9 ? -100 : 0)
            return (HistoryFixture.at(Double(index) * 3600), value)
        }
        let line = try #require(RobustLine.fit(points))
        #expect(abs(line.slope * 3600 - 2) < 1e-9)
        #expect(line.agreement == 36.0 / 45.0, "the 9 pairs with the outlier disagree")
        #expect(RobustLine.fit([(HistoryFixture.at(0), 1)]) == nil)
    }
}
