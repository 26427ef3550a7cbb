import Foundation
import NIOCore
import NIOPosix
import Protocol
import Synchronization
import Testing
@testable import Controller

@Suite("Network scan: targets, limits, guesses")
struct ScanTests {
    static func address(_ text: String) -> UInt32 { IPv4Network.parseAddress(text)! }

    @Test("CIDRs parse with host bits cleared, a bare address is a /32, and the hosts exclude network and broadcast")
    func cidr() throws {
        let network = try #require(IPv4Network("192.168.1.77/24"))
        #expect(network.description == "192.168.1.0/24")
        #expect(network.hosts.count == 254)
        #expect(network.hosts.first.map(IPv4Network.format) == "192.168.1.1")
        #expect(network.hosts.last.map(IPv4Network.format) == "192.168.1.254")
        #expect(IPv4Network("10.0.0.5")?.description == "10.0.0.5/32")
        #expect(IPv4Network("10.0.0.5")?.hosts.map(IPv4Network.format) == ["10.0.0.5"])
        #expect(IPv4Network("10.0.0.4/31")?.hosts.count == 2)
        for bad in ["", "10.0.0", "10.0.0.256/24", "10.0.0.1/33", "10.0.0.1/-1", "a.b.c.d", "10.0.0.1/24/1", "10.0.0.01x", "::1"] {
            #expect(IPv4Network(bad) == nil, "\(bad) is refused")
        }
    }

    @Test("private, loopback, link-local, CGNAT and benchmark ranges are private; the rest, or a range spilling out, is not")
    func privateRanges() {
        for text in ["10.1.2.0/24", "172.16.0.0/12", "172.31.255.0/24", "192.168.0.0/16", "127.0.0.0/8", "169.254.1.0/24", "100.64.0.0/10", "198.18.0.0/24", "198.19.0.0/16"] {
            #expect(IPv4Network(text)!.isPrivate, "\(text)")
        }
        for text in ["8.8.8.0/24", "172.32.0.0/16", "192.167.255.0/24", "11.0.0.0/8", "192.168.0.0/15", "0.0.0.0/0", "198.20.0.0/24"] {
            #expect(!IPv4Network(text)!.isPrivate, "\(text)")
        }
    }

    @Test("public targets are refused unless forced, so are targets over 4096 addresses; nested networks merge")
    func limits() throws {
        #expect(throws: HomelabError.self) { try ScanTargets.resolve(["8.8.8.0/24"], force: false) }
        #expect(try ScanTargets.resolve(["8.8.8.0/24"], force: true).map(\.description) == ["8.8.8.0/24"])
        #expect(throws: HomelabError.self) { try ScanTargets.resolve(["10.0.0.0/15"], force: true) }
        #expect(throws: HomelabError.self) { try ScanTargets.resolve(["10.0.0.0/19"], force: false) }
        #expect(try ScanTargets.resolve(["10.0.0.0/20"], force: false).count == 1)
        #expect(throws: HomelabError.self) { try ScanTargets.resolve(["10.0.0.0/24", "10.0.1.0/24", "nonsense"], force: false) }
        let merged = try ScanTargets.resolve(["192.168.1.7", "192.168.1.0/24", "192.168.1.128/25", "10.0.0.1"], force: false)
        #expect(merged.map(\.description) == ["10.0.0.1/32", "192.168.1.0/24"])
    }

    @Test("the default targets are the attached subnets, each cut to the /24 around the address")
    func defaults() throws {
        let interfaces = [ScanTargets.InterfaceAddress(address: Self.address("10.20.30.40"), prefix: 16),
                          ScanTargets.InterfaceAddress(address: Self.address("198.18.0.2"), prefix: 25)]
        #expect(ScanTargets.defaults(interfaces).map(\.description) == ["10.20.30.0/24", "198.18.0.0/25"])
        let settings = try ScanService.settings(for: ScanRequest(), interfaces: interfaces)
        #expect(settings.networks.map(\.description) == ["10.20.30.0/24", "198.18.0.0/25"])
        #expect(settings.skip == [Self.address("10.20.30.40"), Self.address("198.18.0.2")], "the controller never probes itself")
        #expect(settings.ports == [22, 80, 139, 443, 445, 2375, 2376, 5000, 5001, 7443, 7444, 8006])
        #expect(throws: HomelabError.self) { try ScanService.settings(for: ScanRequest(timeLimitSeconds: 601), interfaces: interfaces) }
        #expect(throws: HomelabError.self) { try ScanService.settings(for: ScanRequest(ports: [0]), interfaces: interfaces) }
        #expect(throws: HomelabError.self) { try ScanService.settings(for: ScanRequest(concurrency: 1000), interfaces: interfaces) }
    }

    @Test("an SSH banner names the OS: Debian with its release, Ubuntu, Raspberry Pi OS, FreeBSD, Dropbear; nothing otherwise")
    func banners() {
        let cases: [(String, String?)] = [
            ("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", "Debian 12"),
            ("SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u1\r", "Debian 11"),
            ("SSH-2.0-OpenSSH_9.2p1 Raspbian-2+deb12u1", "Raspberry Pi OS"),
            ("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10", "Ubuntu 22.04"),
            ("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5", "Ubuntu 24.04"),
            ("SSH-2.0-OpenSSH_9.3 FreeBSD-20230316", "FreeBSD"),
            ("SSH-2.0-dropbear_2022.83", "embedded Linux (Dropbear)"),
            ("SSH-2.0-OpenSSH_9.7", nil),
            ("HTTP/1.1 400 Bad Request", nil),
        ]
        for (banner, os) in cases { #expect(HostGuess.operatingSystem(fromSSHBanner: banner) == os, "\(banner)") }
    }

    @Test("MAC vendor prefixes: Raspberry Pi, Synology, QNAP, Intel; any case and separator; unknown prefixes are nil")
    func vendors() {
        #expect(MACVendors.lookup("dc:a6:32:12:34:56")?.name == "Raspberry Pi Trading")
        #expect(MACVendors.lookup("B8-27-EB-00-00-01")?.guess == .raspberryPi)
        #expect(MACVendors.lookup("00:11:32:aa:bb:cc")?.name == "Synology")
        #expect(MACVendors.lookup("24:5e:be:01:02:03")?.guess == .nas)
        #expect(MACVendors.lookup("a0:36:9f:01:02:03")?.guess == .x86)
        #expect(MACVendors.lookup("02:42:ac:11:00:02")?.name == "Docker container")
        #expect(MACVendors.lookup("ee:ee:ee:01:02:03") == nil)
        #expect(MACVendors.lookup("not a mac") == nil)
    }

    @Test("the guess comes from the vendor first, then Synology/SMB ports (NAS), Proxmox (x86), the OS")
    func guesses() {
        #expect(HostGuess.guess(vendor: MACVendors.lookup("dc:a6:32:00:00:01"), ports: [22], os: "Debian 12") == .raspberryPi)
        #expect(HostGuess.guess(vendor: nil, ports: [22, 5001], os: nil) == .nas)
        #expect(HostGuess.guess(vendor: nil, ports: [139, 445], os: nil) == .nas)
        #expect(HostGuess.guess(vendor: nil, ports: [22, 8006], os: "Debian 12") == .x86)
        #expect(HostGuess.guess(vendor: nil, ports: [22], os: "Raspberry Pi OS") == .raspberryPi)
        #expect(HostGuess.guess(vendor: nil, ports: [22], os: "Debian 12") == .unknown)
    }

    @Test("the neighbour table keeps complete entries only")
    func neighbours() {
        let text = """
            IP address       HW type     Flags       HW address            Mask     Device
            198.18.0.10      0x1         0x2         DC:A6:32:01:02:03     *        eth0
            198.18.0.11      0x1         0x0         00:00:00:00:00:00     *        eth0
            198.18.0.12      0x1         0x6         3a:1b:00:aa:bb:cc     *        eth0
            garbage line
            198.18.0.13      0x1         0x2         00:00:00:00:00:00     *        eth0
            """
        #expect(NeighbourTable.parse(text) == ["198.18.0.10": "dc:a6:32:01:02:03", "198.18.0.12": "3a:1b:00:aa:bb:cc"])
        #expect(NeighbourTable.parse("") == [:])
    }

    @Test("a loopback scan finds the open port with its banner, a live host with every port closed, and nothing outside its targets")
    func loopbackScan() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.pipeline.addHandler(BannerHandler()) }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let open = try #require(server.localAddress?.port)
        // A port just bound and closed again: refused on every address.
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let closed = try #require(probe.localAddress?.port)
        try await probe.close()
        let settings = NetworkScanner.Settings(networks: [IPv4Network("127.0.0.0/30")!], ports: [open, closed], timeLimit: .seconds(20),
                                               hostTimeout: .milliseconds(500), concurrency: 4, ratePerSecond: 100, reverseDNS: false,
                                               bannerPorts: [open])
        let found = Mutex<[NetworkScanner.HostResult]>([])
        let probed = Mutex<Int>(0)
        let state = await NetworkScanner(group: MultiThreadedEventLoopGroup.singleton).run(
            settings, cancelled: { false }, found: { result in found.withLock { $0.append(result) } },
            probed: { count in probed.withLock { $0 = max($0, count) } })
        #expect(state == .completed)
        #expect(probed.withLock { $0 } == 2, "127.0.0.1 and 127.0.0.2, not the network or broadcast address")
        let results = found.withLock { $0 }.sorted { $0.address < $1.address }
        #expect(results.map(\.address) == ["127.0.0.1", "127.0.0.2"])
        #expect(results.first?.services == [ScannedService(port: open, name: "tcp-\(open)", banner: "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3")])
        #expect(results.last?.services == [], "127.0.0.2 refuses both ports: a live host with nothing open")
    }

    @Test("a canceled scan stops with state canceled")
    func cancel() async throws {
        let settings = NetworkScanner.Settings(networks: [IPv4Network("127.0.0.0/24")!], ports: [1], timeLimit: .seconds(30),
                                               hostTimeout: .milliseconds(500), concurrency: 1, ratePerSecond: 2, reverseDNS: false)
        let state = await NetworkScanner(group: MultiThreadedEventLoopGroup.singleton).run(
            settings, cancelled: { true }, found: { _ in }, probed: { _ in })
        #expect(state == .canceled)
    }

    @Test("the systemd unit the bootstrap installs is deploy/systemd/homelab-agent.service")
    func unitMatchesDeploy() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("deploy/systemd/homelab-agent.service"), encoding: .utf8)
        #expect(RemoteScripts.systemdUnit + "\n" == file)
    }

    @Test("a shell word survives quotes inside it")
    func quoting() {
        #expect(RemoteScripts.quote("it's") == "'it'\\''s'")
        #expect(BootstrapService.parseFacts("arch=x86_64\nos_name=Debian GNU/Linux 12 (bookworm)\nnoise\n") ==
                ["arch": "x86_64", "os_name": "Debian GNU/Linux 12 (bookworm)"])
    }
}

/// Speaks first, as an SSH server does: its identification line once the connection is up.
final class BannerHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(NIOAny(ByteBuffer(string: "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")), promise: nil)
    }
}
