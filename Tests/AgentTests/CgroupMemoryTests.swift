import Foundation
import Protocol
import Testing
@testable import Agent

/// A simulated device's memory: what its containers' cgroup uses (page cache left out), added to its share of the machine's.
@Suite("Simulated device memory")
struct CgroupMemoryTests {
    /// A cgroup tree under a temporary root with the files a kernel would show.
    static func tree(_ files: [String: String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cgroup-\(UUID().uuidString.prefix(8))").path
        for (path, text) in files {
            let url = URL(fileURLWithPath: root + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test("cgroup v1 and v2 give the memory in use without the inactive page cache; a missing cgroup gives nothing")
    func used() throws {
        let v1 = try Self.tree(["/memory/hl-pi4/memory.usage_in_bytes": "500000000\n",
                                "/memory/hl-pi4/memory.stat": "cache 300000000\nshmem 200000000\ntotal_inactive_file 90000000\n"])
        let v2 = try Self.tree(["/hl-pi4/memory.current": "400000000\n", "/hl-pi4/memory.stat": "anon 1000\ninactive_file 100000000\n"])
        defer { try? FileManager.default.removeItem(atPath: v1); try? FileManager.default.removeItem(atPath: v2) }
        #expect(CgroupMemory(path: "/hl-pi4", root: v1).used() == 410_000_000)
        #expect(CgroupMemory(path: "/hl-pi4", root: v2).used() == 300_000_000)
        #expect(CgroupMemory(path: "/hl-nas", root: v1).used() == nil)
    }

    @Test("a profiled sample counts its containers on top of its share of the machine, never below zero available")
    func capped() {
        let profile = HardwareProfile(memoryBytes: 512 << 20)
        let machine = MemoryUsage(totalBytes: 16 << 30, availableBytes: 12 << 30, swapTotalBytes: 0, swapUsedBytes: 0)  // 25 % in use
        let sample = MetricsSample(time: Date(), memory: machine)
        #expect(profile.capping(sample).memory?.usedBytes == 128 << 20)
        #expect(profile.capping(sample, containers: 300 << 20).memory?.usedBytes == 428 << 20)
        #expect(profile.capping(sample, containers: 1 << 30).memory?.availableBytes == 0)
    }
}
