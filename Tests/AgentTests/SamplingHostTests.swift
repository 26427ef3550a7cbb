import Protocol
import Testing
@testable import Agent

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

@Suite("Sampling this machine")
struct SamplingHostTests {
    /// `uname -m` of this machine, read independently of the collector.
    static var machine: String {
        var names = utsname()
        _ = uname(&names)
        return withUnsafeBytes(of: names.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    @Test("the facts of this machine have cores, memory and its uname architecture")
    func realFacts() {
        let facts = FactsCollector(agentVersion: "test").collect()

        #expect(facts.cpu.cores >= 1)
        #expect((facts.memoryBytes ?? 0) > 0)
        #expect(facts.architecture == Self.machine)
        #expect(!facts.hostname.isEmpty)
        #expect(facts.kernel != nil)
        #expect(facts.bootTime != nil)
        #expect(facts.agentVersion == "test")
    }

    @Test("two samples 200 ms apart give CPU use within 0...100 and the root filesystem")
    func realSamples() async throws {
        var sampler = MetricsSampler()
        let first = sampler.sample()
        try await Task.sleep(for: .milliseconds(200))
        let second = sampler.sample()

        #expect(first.cpu == nil)
        let cpu = try #require(second.cpu)
        #expect((0...100).contains(cpu.totalPercent))
        #expect(!cpu.perCorePercent.isEmpty)
        #expect(cpu.perCorePercent.allSatisfy { (0...100).contains($0) })
        let filesystems = try #require(second.filesystems)
        #expect(!filesystems.isEmpty)
        // Inside a container the root is an overlay, which is rightly dropped; on a real host it must be there.
        let table = MountTable.parse(SystemFiles.read("/proc/self/mounts") ?? "")
        if let root = table.last(where: { $0.mountPoint == "/" }), MountTable.isReal(root) {
            #expect(filesystems.contains { $0.mountPoint == "/" })
        }
        #expect(filesystems.allSatisfy { $0.sizeBytes > 0 && $0.usedBytes <= $0.sizeBytes })
        #expect((second.memory?.totalBytes ?? 0) > 0)
        #expect(second.load != nil)
        #expect((second.uptimeSeconds ?? 0) > 0)
        #expect(second.network?.contains { $0.interface == "lo" } == false)
    }
}
