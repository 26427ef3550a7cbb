@testable import Controller
import Foundation
import GRDB
import Protocol
import Testing

@Suite("Metrics history")
struct HistoryTests {
    static let ladder = try! HistoryLadder(parsing: ["1m:1h", "10m:12h"])

    @Test("each rung's buckets hold the average and maximum of the samples that fell in them, computed by hand")
    func rollupsMatchHandComputedFigures() async throws {
        let fixture = try await HistoryFixture(ladder: Self.ladder)
        defer { fixture.remove() }
        let cpu: [(TimeInterval, Double)] = [(0, 10), (20, 30), (40, 20), (70, 50), (130, 5)]
        for (offset, value) in cpu {
            try await fixture.report(sample(at: HistoryFixture.at(offset), cpu: value, usedMemory: UInt64(value) << 20), at: HistoryFixture.at(offset))
        }
        let minutes = try await fixture.buckets(.cpu, resolution: 60)
        // [0, 60): 10, 30, 20 → 20 and 30; [60, 120): 50; [120, 180): 5.
        #expect(minutes.map(\.average) == [20, 50, 5])
        #expect(minutes.map(\.max) == [30, 50, 5])
        #expect(minutes.map(\.count) == [3, 1, 1])
        let tens = try await fixture.buckets(.cpu, resolution: 600)
        #expect(tens.count == 1)
        #expect(tens.first?.average == 23)  // (10 + 30 + 20 + 50 + 5) / 5
        #expect(tens.first?.max == 50)
        let memory = try await fixture.buckets(.memory, resolution: 60)
        let mebibyte: Double = 1_048_576
        #expect(memory.map(\.average) == [20 * mebibyte, 50 * mebibyte, 5 * mebibyte])
    }

    @Test("the network series is the rate between samples; a counter that went down (a reboot) adds nothing")
    func networkRate() async throws {
        let fixture = try await HistoryFixture(ladder: Self.ladder)
        defer { fixture.remove() }
        for (offset, rx) in [(0.0, 1000 as UInt64), (10, 6000), (20, 500), (30, 3500)] {
            try await fixture.report(sample(at: HistoryFixture.at(offset), rx: rx, tx: 0), at: HistoryFixture.at(offset))
        }
        let buckets = try await fixture.buckets(.network, resolution: 60)
        // 5000 B in 10 s, then a reset (skipped), then 3000 B in 10 s.
        #expect(buckets.first?.count == 2)
        #expect(buckets.first?.average == 400)
        #expect(buckets.first?.max == 500)
    }

    @Test("pruning deletes exactly the buckets that ended a retention ago, rung by rung")
    func retentionDeletesExactlyWhatIsPastIt() async throws {
        let ladder = try HistoryLadder(parsing: ["1m:5m", "10m:1h"])
        let fixture = try await HistoryFixture(ladder: ladder)
        defer { fixture.remove() }
        try await fixture.add(.cpu, values: (0..<10).map { (HistoryFixture.at(Double($0) * 60), Double($0)) })
        // At 9:59 the 1-minute bucket 4:00-5:00 ended 4:59 ago: kept, the ones before it are gone.
        try await fixture.history.prune(now: HistoryFixture.at(599))
        #expect(try await fixture.buckets(.cpu, resolution: 60).map(\.bucket) == (4..<10).map { Int64(HistoryFixture.at(Double($0) * 60).timeIntervalSince1970) })
        // At 10:00 it ended exactly 5 minutes ago: gone too.
        try await fixture.history.prune(now: HistoryFixture.at(600))
        #expect(try await fixture.buckets(.cpu, resolution: 60).count == 5)
        // The 10-minute bucket is kept an hour: untouched.
        #expect(try await fixture.buckets(.cpu, resolution: 600).map(\.count) == [10])
        try await fixture.history.prune(now: HistoryFixture.at(600 + 3600))
        #expect(try await fixture.buckets(.cpu, resolution: 600).isEmpty)
    }

    @Test("a range is read from the finest resolution kept for all of it: 1 min, 20 min, 1 h, 8 h, 1 day")
    func resolutionPerRange() {
        let chosen = MetricsRange.allCases.map { HistoryLadder.standard.rung(covering: $0.seconds).resolution }
        #expect(chosen == [60, 1200, 3600, 8 * 3600, 86_400])
        // A ladder that keeps nothing long enough answers from the rung kept longest.
        #expect(HistoryTests.ladder.rung(covering: MetricsRange.year.seconds).resolution == 600)
    }

    @Test("a ladder with a rung kept shorter than its bucket, two rungs of one resolution, or bad text is refused")
    func badLadders() {
        #expect(throws: HistoryLadderError.self) { try HistoryLadder(parsing: ["1h:10m"]) }
        #expect(throws: HistoryLadderError.self) { try HistoryLadder(parsing: ["1m:1h", "60s:2h"]) }
        #expect(throws: HistoryLadderError.self) { try HistoryLadder(parsing: ["1m-1h"]) }
        #expect(throws: HistoryLadderError.self) { try HistoryLadder(parsing: []) }
        #expect(HistoryLadder.standard.description == "1m:1h, 10m:12h, 20m:1d, 1h:8d, 8h:30d, 1d:1y")
    }

    @Test("the query answers each series asked, disks one per mount point with their capacity, gaps left out")
    func query() async throws {
        let fixture = try await HistoryFixture(ladder: Self.ladder)
        defer { fixture.remove() }
        try await fixture.add(.disk, label: "/", values: [(HistoryFixture.at(0), 100), (HistoryFixture.at(300), 200)], capacity: 1000)
        try await fixture.add(.disk, label: "/srv", values: [(HistoryFixture.at(0), 5)], capacity: 50)
        try await fixture.add(.cpu, values: [(HistoryFixture.at(0), 1), (HistoryFixture.at(300), 3)])
        let (history, id) = (fixture.history, fixture.deviceID)
        let (resolution, series) = try await fixture.store.read { db in
            try history.query(.device(id), names: [.disk, .cpu, .temperature], range: .hour, now: HistoryFixture.at(400), in: db)
        }
        #expect(resolution == 60)
        #expect(series.map(\.name) == [.disk, .disk, .cpu])
        #expect(series.map(\.mount) == ["/", "/srv", nil])
        #expect(series.first?.capacity == 1000 && series.first?.unit == .bytes)
        #expect(series.first?.points.map(\.avg) == [100, 200], "the minutes between the two samples have no point")
        #expect(series.last?.points.map(\.t) == [HistoryFixture.at(0), HistoryFixture.at(300)])
    }

    @Test("averages over a window are read for every device at once, from the finest rung that keeps it")
    func windowedAverages() async throws {
        let fixture = try await HistoryFixture(ladder: Self.ladder)
        defer { fixture.remove() }
        try await fixture.add(.cpu, values: [(HistoryFixture.at(0), 90), (HistoryFixture.at(540), 10), (HistoryFixture.at(560), 30)])
        let recent = try await fixture.history.averages(.cpu, window: 120, now: HistoryFixture.at(570))
        #expect(recent == [fixture.deviceID: 20])
        let longer = try await fixture.history.averages(.cpu, window: 900, now: HistoryFixture.at(570))
        #expect(longer == [fixture.deviceID: 130.0 / 3])
    }

    @Test("a reboot (the uptime went down) is recorded once as an event, which the device's reliability counts")
    func rebootsAreEvents() async throws {
        let fixture = try await HistoryFixture(ladder: Self.ladder)
        defer { fixture.remove() }
        for (offset, uptime) in [(0.0, 5000.0), (10, 5010), (20, 12), (30, 22)] {
            try await fixture.report(sample(at: HistoryFixture.at(offset), uptime: uptime), at: HistoryFixture.at(offset))
        }
        let events = try await fixture.store.read { db in try String.fetchAll(db, sql: "SELECT message FROM event WHERE type = 'device.rebooted'") }
        #expect(events == ["nas rebooted (up 12 s)"])
        let device = try await fixture.registry.get("nas")
        let reliability = try await fixture.registry.reliability(of: [device], now: HistoryFixture.at(40))
        #expect(reliability[fixture.deviceID]?.reboots == 1)
    }
}
