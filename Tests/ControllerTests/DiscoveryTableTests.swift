import Foundation
import Logging
import NIOCore
import Protocol
import Testing
@testable import Controller

@Suite("Discovered list bounds")
struct DiscoveryTableTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func agent(_ id: String, linked: Bool = true, hostname: String? = nil) -> Announcement {
        .agent(id: id, hostname: hostname ?? "host-\(id)", version: "0.1.0", architecture: "x86_64",
               state: .enrolled, linked: linked, keyFingerprint: "SHA256:key-\(id)")
    }

    @Test("an entry keeps its first-seen time, takes the latest fields and counts announcements")
    func updates() {
        var table = DiscoveryTable()
        #expect(table.record(Self.agent("aa", hostname: "old"), source: "198.18.0.10", now: Self.start) == .accepted)
        #expect(table.record(Self.agent("aa", hostname: "new"), source: "198.18.0.11", now: Self.start + 30) == .accepted)
        let items = table.items(now: Self.start + 31)
        #expect(items.count == 1)
        #expect(items.first?.hostname == "new")
        #expect(items.first?.source == "198.18.0.11")
        #expect(items.first?.firstSeenAt == Self.start)
        #expect(items.first?.lastSeenAt == Self.start + 30)
        #expect(items.first?.announcements == 2)
    }

    @Test("entries not heard for the expiry disappear from the list, then from memory")
    func expiry() {
        var limits = DiscoveryTable.Limits()
        limits.expiry = 90
        var table = DiscoveryTable(limits: limits)
        _ = table.record(Self.agent("aa"), source: "198.18.0.10", now: Self.start)
        _ = table.record(Self.agent("bb"), source: "198.18.0.11", now: Self.start + 60)
        #expect(table.items(now: Self.start + 90).map(\.id) == ["aa", "bb"])
        #expect(table.items(now: Self.start + 91).map(\.id) == ["bb"])
        table.expire(now: Self.start + 91)
        #expect(table.count == 1)
        table.expire(now: Self.start + 200)
        #expect(table.count == 0)
        #expect(table.sourceCount == 0, "idle sources are forgotten too")
    }

    @Test("one address flooding announcements is rate limited after its burst, and refills over time")
    func rateLimit() {
        var table = DiscoveryTable()
        let outcomes = (0..<100).map { _ in table.record(Self.agent("aa"), source: "198.18.0.10", now: Self.start) }
        #expect(outcomes.filter { $0 == .accepted }.count == Int(table.limits.burst))
        #expect(outcomes.filter { $0 == .rateLimited }.count == 100 - Int(table.limits.burst))
        // Another address is not affected.
        #expect(table.record(Self.agent("bb"), source: "198.18.0.11", now: Self.start) == .accepted)
        // Two seconds later the bucket holds about 2 × rate tokens again.
        let later = (0..<10).map { _ in table.record(Self.agent("aa"), source: "198.18.0.10", now: Self.start + 2) }
        #expect(later.filter { $0 == .accepted }.count == Int(2 * table.limits.ratePerSecond))
    }

    @Test("one address may speak for a few ids only; a thousand fake ids add no more entries")
    func idsPerSource() {
        var limits = DiscoveryTable.Limits()
        limits.burst = 1_000_000
        var table = DiscoveryTable(limits: limits)
        let outcomes = (0..<1000).map { table.record(Self.agent(String(format: "%04x", $0)), source: "198.18.0.66", now: Self.start) }
        #expect(outcomes.filter { $0 == .accepted }.count == limits.idsPerSource)
        #expect(outcomes.filter { $0 == .tooManyIDs }.count == 1000 - limits.idsPerSource)
        #expect(table.count == limits.idsPerSource)
        // Its known ids still update.
        #expect(table.record(Self.agent("0000"), source: "198.18.0.66", now: Self.start + 1) == .accepted)
    }

    @Test("the table never grows past its size; expired entries make room")
    func tableFull() {
        var limits = DiscoveryTable.Limits()
        limits.maximumEntries = 50
        limits.expiry = 10
        var table = DiscoveryTable(limits: limits)
        for index in 0..<80 {
            let outcome = table.record(Self.agent("id\(index)"), source: "198.18.1.\(index)", now: Self.start)
            #expect(outcome == (index < 50 ? .accepted : .tableFull))
        }
        #expect(table.count == 50)
        #expect(table.record(Self.agent("late"), source: "198.18.2.1", now: Self.start + 11) == .accepted)
        #expect(table.count == 1)
    }

    @Test("the service counts every datagram by outcome, ignores its own announcements, and lists registry names")
    func serviceCounts() async throws {
        let metrics = ControllerMetrics()
        let ca = String(repeating: "cd", count: 32)
        let service = DiscoveryService(settings: .init(), caFingerprint: ca, agentHost: "0.0.0.0", agentPort: BoundPort(),
                                       metrics: metrics, logger: Logger(label: "test"))
        func datagram(_ bytes: [UInt8], from source: String = "198.18.0.10") -> ReceivedDatagram {
            ReceivedDatagram(bytes: ByteBuffer(bytes: bytes), source: source)
        }
        await service.handle(datagram(AnnouncementCodec.encode(Self.agent("aa"))))
        await service.handle(datagram(AnnouncementCodec.encode(.controller(caFingerprint: ca, hostname: "me", version: "0.1.0", agentAddress: "198.18.0.2:7444"))))
        await service.handle(datagram(Array("garbage".utf8)))
        await service.handle(datagram([UInt8](repeating: 0x7B, count: 1500)))
        await service.handle(datagram(Array(#"{"hl":7}"#.utf8)))

        let device = DeviceResource(id: "aa", name: "nas", status: .online, keyFingerprint: "k", createdAt: Date())
        let list = await service.list(devices: [device])
        #expect(list.items.map(\.device) == ["nas"])
        #expect(list.datagrams == ["accepted": 1, "own": 1, "malformed": 1, "oversized": 1, "unsupported_version": 1])
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = DeviceRegistry(store: try Store(path: dir.appendingPathComponent("db.sqlite").path), events: EventHub(),
                                      heartbeatTTL: 30, logger: Logger(label: "test"))
        let exposition = await metrics.render(registry: registry)
        #expect(exposition.contains(#"homelab_discovery_datagrams_total{outcome="malformed"} 1"#))
        #expect(exposition.contains(#"homelab_discovery_datagrams_total{outcome="accepted"} 1"#))
    }

}
