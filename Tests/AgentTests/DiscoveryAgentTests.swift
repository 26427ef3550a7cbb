@testable import Agent
import Foundation
import Logging
import NIOCore
import Protocol
import Testing

@Suite("Agent discovery settings and profiles")
struct DiscoveryAgentTests {
    @Test("discovery, its interfaces, the announce interval and a profile are read from the config, with clear errors")
    func configKeys() throws {
        var config = AgentConfig()
        #expect(config.discovery.enabled)
        #expect(config.discovery.interfaces.isEmpty)
        try config.set("discovery", "off", source: "agent.yaml:1")
        try config.set("discovery_interfaces", "eth0, wlan0", source: "agent.yaml:2")
        try config.set("announce_interval", "10s", source: "agent.yaml:3")
        try config.set("profile", "ram=8G,disk=2T,cores=4,always-on=true,watts=15,arch=arm64", source: "agent.yaml:4")
        #expect(!config.discovery.enabled)
        #expect(config.discovery.interfaces == ["eth0", "wlan0"])
        #expect(config.announceInterval == .seconds(10))
        #expect(config.profile == HardwareProfile(memoryBytes: 8 << 30, diskBytes: 2 << 40, cores: 4, architecture: "aarch64", alwaysOn: true, watts: 15))

        let badFlag = #expect(throws: AgentError.self) { try config.set("discovery", "maybe", source: "agent.yaml:9") }
        #expect(badFlag?.message == "agent.yaml:9: discovery must be true or false, got 'maybe'")
        let badProfile = #expect(throws: AgentError.self) { try config.set("profile", "ram=1G,gpu=yes", source: "agent.yaml:7") }
        #expect(badProfile?.message == "agent.yaml:7: profile: unknown key 'gpu' (known: ram, disk, cores, arch, always-on, watts)")
    }

    @Test("profile values are checked one by one", arguments: [
        ("ram=lots", "ram must be a size like 512M, 8G or 2T, got 'lots'"),
        ("cores=0", "cores must be a positive whole number, got '0'"),
        ("arch=sparc", "arch must be one of aarch64, amd64, arm64, armv6, armv6l, armv7, armv7l, x86_64, got 'sparc'"),
        ("always-on=sometimes", "always-on must be true or false, got 'sometimes'"),
        ("watts=-3", "watts must be a number, got '-3'"),
        ("ram", "'ram' is not key=value"),
    ])
    func profileErrors(text: String, message: String) {
        let error = #expect(throws: HardwareProfileError.self) { try HardwareProfile(parsing: text) }
        #expect(error?.description == message)
    }

    @Test("a profile caps facts and samples to what it declares (use as the machine's share), never above what the machine has")
    func profileCaps() {
        let profile = try! HardwareProfile(parsing: "ram=512M,disk=16G,cores=1,arch=armv7")
        let facts = DeviceFacts(hostname: "vm", architecture: "x86_64", cpu: CPUInfo(model: "EPYC", cores: 2, maxFrequencyMHz: nil),
                                memoryBytes: 24 << 30, agentVersion: "0.1.0")
        let capped = profile.capping(facts)
        #expect(capped.memoryBytes == 512 << 20)
        #expect(capped.cpu.cores == 1)
        #expect(capped.architecture == "armv7l")
        #expect(capped.profile?.simulated == true)

        let big = try! HardwareProfile(parsing: "ram=64G,cores=16")
        #expect(big.capping(facts).memoryBytes == 24 << 30, "a profile never reports more than the machine has")
        #expect(big.capping(facts).cpu.cores == 2)

        var sample = MetricsSample(time: Date())
        sample.memory = MemoryUsage(totalBytes: 24 << 30, availableBytes: 20 << 30, swapTotalBytes: 0, swapUsedBytes: 0)
        sample.filesystems = [
            FilesystemUsage(mountPoint: "/", device: "/dev/vda1", type: "ext4", sizeBytes: 100 << 30, usedBytes: 10 << 30, availableBytes: 90 << 30),
            FilesystemUsage(mountPoint: "/data", device: "/dev/vdb", type: "ext4", sizeBytes: 100 << 30, usedBytes: 1, availableBytes: 1),
        ]
        sample.cpu = CPUUsage(totalPercent: 10, perCorePercent: [5, 15])
        let cappedSample = profile.capping(sample)
        #expect(cappedSample.memory?.totalBytes == 512 << 20)
        #expect(cappedSample.memory?.availableBytes == (512 << 20) * 5 / 6, "the machine's share in use (1/6), not its 4 GB")
        #expect(cappedSample.filesystems?.first?.sizeBytes == 16 << 30)
        #expect(cappedSample.filesystems?.first?.usedBytes == (16 << 30) / 10)
        #expect(cappedSample.filesystems?.first?.availableBytes == (16 << 30) * 9 / 10)
        #expect(cappedSample.filesystems?.last?.sizeBytes == 100 << 30, "only the root filesystem is the device's disk")
        #expect(cappedSample.cpu?.perCorePercent == [5])
    }

    @Test("a controller's announced address is used, an unspecified host means the sender, junk is refused")
    func announcedEndpoint() {
        #expect(AgentAnnouncer.endpoint("198.18.0.2:7444", source: "198.18.0.9") == .init(host: "198.18.0.2", port: 7444))
        #expect(AgentAnnouncer.endpoint("0.0.0.0:7444", source: "198.18.0.9") == .init(host: "198.18.0.9", port: 7444))
        #expect(AgentAnnouncer.endpoint("[fd00::2]:7444", source: "x") == .init(host: "fd00::2", port: 7444))
        #expect(AgentAnnouncer.endpoint("198.18.0.2", source: "x") == nil)
        #expect(AgentAnnouncer.endpoint("198.18.0.2:99999", source: "x") == nil)
        #expect(AgentAnnouncer.endpoint(nil, source: "x") == nil)
    }

    @Test("the locator waits for an endpoint, and a ring cuts a retry wait short")
    func locator() async throws {
        let locator = ControllerLocator(configured: nil)
        let waiter = Task { try await locator.waitForEndpoint() }
        #expect(locator.discovered(.init(host: "198.18.0.2", port: 7444)))
        #expect(!locator.discovered(.init(host: "198.18.0.2", port: 7444)), "the same endpoint is no change")
        locator.ring()
        #expect(try await waiter.value == .init(host: "198.18.0.2", port: 7444))

        let clock = ContinuousClock()
        let started = clock.now
        let sleeper = Task { try await locator.sleep(for: .seconds(600)) }
        try await Task.sleep(for: .milliseconds(50))
        locator.ring()
        try await sleeper.value
        #expect(clock.now - started < .seconds(600))

        let configured = ControllerLocator(configured: .init(host: "10.0.0.1", port: 7444))
        #expect(!configured.discovered(.init(host: "198.18.0.66", port: 7444)), "announcements never override a configured address")
        #expect(configured.endpoint == .init(host: "10.0.0.1", port: 7444))
    }

    @Test("the agent announces its id, enrollment state and key, unlinked before it connects")
    func announcementContent() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("announce-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let identity = try AgentIdentity.loadOrCreate(directory: dir)
        let status = LinkStatus()
        let announcer = AgentAnnouncer(settings: DiscoverySettings(), interval: .seconds(30), identity: identity, joinToken: nil,
                                       status: status, locator: ControllerLocator(configured: nil), logger: Logger(label: "test"))
        var announcement = announcer.announcement()
        #expect(announcement.id == identity.deviceID)
        #expect(announcement.keyFingerprint == identity.keyFingerprint)
        #expect(announcement.state == .unenrolled)
        #expect(announcement.linked == false)
        status.set(.pending(name: "nas"))
        announcement = announcer.announcement()
        #expect(announcement.state == .pending)
        #expect(try AnnouncementCodec.decode(AnnouncementCodec.encode(announcement)) == announcement)

        let simulated = AgentAnnouncer(settings: DiscoverySettings(), interval: .seconds(30), identity: identity, joinToken: nil,
                                       status: status, locator: ControllerLocator(configured: nil), architecture: "armv7l",
                                       logger: Logger(label: "test"))
        #expect(simulated.announcement().architecture == "armv7l", "a simulated device announces its profile's architecture")
    }
}
