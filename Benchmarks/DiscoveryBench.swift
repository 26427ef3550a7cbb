import Controller
import Foundation
import Logging
import NIOCore
import Protocol

/// The controller's memory for its discovered list (the lab's timings are `Benchmarks/lab-up.sh`).
enum DiscoveryBench {
    struct Memory {
        let baselineMegabytes: Double
        let announcersMegabytes: Double
        let floodMegabytes: Double
        let entries: Int
        let floodEntries: Int
    }

    /// Feeds the controller's discovery service 1,000 distinct announcers (10 announcements each)
    /// and then 100,000 announcements from 1,000 ids behind one address, reading this process's RSS.
    static func memory(announcers: Int = 1_000) async -> Memory {
        let service = DiscoveryService(settings: .init(), caFingerprint: String(repeating: "ab", count: 32), agentHost: "0.0.0.0",
                                       agentPort: BoundPort(), metrics: ControllerMetrics(), logger: Logger(label: "bench"))
        func datagram(id: Int, source: String) -> ReceivedDatagram {
            let announcement = Announcement.agent(id: String(format: "%032x", id), hostname: "device-\(id)", version: "0.1.0",
                                                  architecture: "aarch64", state: .enrolled, linked: true,
                                                  keyFingerprint: "SHA256:" + String(repeating: "k", count: 43))
            return ReceivedDatagram(bytes: ByteBuffer(bytes: AnnouncementCodec.encode(announcement)), source: source)
        }
        await service.handle(datagram(id: 0, source: "10.0.0.1"))
        let baseline = AgentBench.rss(getpid())
        let start = Date()
        for round in 0..<10 {
            for id in 0..<announcers {
                await service.handle(datagram(id: id, source: "10.\(id / 65536).\(id / 256 % 256).\(id % 256)"), now: start + Double(round) * 30)
            }
        }
        let withAnnouncers = AgentBench.rss(getpid())
        let entries = await service.entryCount
        for index in 0..<100_000 {
            await service.handle(datagram(id: 1_000_000 + index % 1_000, source: "10.255.255.254"), now: start + 300)
        }
        return Memory(baselineMegabytes: baseline, announcersMegabytes: withAnnouncers, floodMegabytes: AgentBench.rss(getpid()),
                      entries: entries, floodEntries: await service.entryCount - entries)
    }

}
