import CLI
import Foundation
import NIOCore
import NIOPosix
import Protocol
import Scheduler
import Synchronization
import Testing
import TestSupport

/// The multi-device lab: real namespaces on a bridge, a dockerd and an agent per device, the
/// controller in its own namespace, multicast discovery between them. Root only; as root a
/// missing prerequisite fails `lab up` and with it the test.
@Suite("Multi-device lab", .serialized, .timeLimit(.minutes(10)), .enabled(if: Lab.isRoot, "the lab needs root (network namespaces, a bridge)"))
struct LabTests {
    let lab = Lab()
    /// The controller's heartbeat TTL in these tests (agents ping every second).
    static let ttl = 4

    /// A fresh 3-device lab whose agents have a reusable token and no controller address.
    func freshLab() throws -> ClientSettings {
        try lab.down()
        try lab.up(["3", "--heartbeat-ttl", "\(Self.ttl)"])
        return try lab.settings()
    }

    @Test("three devices with one reusable token and no address are discovered, enrolled and online within 10 s of lab up")
    func discoveredAndEnrolled() async throws {
        let settings = try freshLab()
        defer { try? lab.down() }
        let devices = try await lab.waitForDevices(settings, within: .seconds(10), "3 devices online") { devices in
            devices.count == 3 && devices.allSatisfy { $0.status == .online }
        }
        #expect(Set(devices.map(\.name)) == ["dev1", "dev2", "dev3"])
        #expect(Set(devices.compactMap(\.address)) == ["198.18.0.10", "198.18.0.11", "198.18.0.12"])
        // An agent announces "enrolled" at once when it is, but that datagram can reach the controller just after
        // the session that made it online: the discovery list is read until it says so, for up to 5 s.
        var discovered = try await lab.discovered(settings)
        let deadline = ContinuousClock.now + .seconds(5)
        while discovered.items.filter({ $0.kind == .agent && $0.state == .enrolled }).count < 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            discovered = try await lab.discovered(settings)
        }
        let agents = discovered.items.filter { $0.kind == .agent }
        #expect(Set(agents.compactMap(\.device)) == ["dev1", "dev2", "dev3"], "each announcing agent is matched to its registry entry")
        #expect(agents.allSatisfy { $0.state == .enrolled }, "\(agents.map { "\($0.device ?? "?"): \($0.state?.rawValue ?? "-")" })")
        #expect(discovered.datagrams["accepted", default: 0] >= 3)
        // The agents found the controller themselves: their config has no address.
        let config = try String(contentsOfFile: lab.dir + "/devices/dev1/agent.yaml", encoding: .utf8)
        #expect(!config.contains("controller:"))
    }

    @Test("with 20 % of multicast datagrams dropped on every device, every new device is still discovered within 30 s")
    func lossyMulticast() async throws {
        let settings = try freshLab()
        defer { try? lab.down() }
        try await lab.waitForDevices(settings, within: .seconds(30), "3 devices online") { $0.count == 3 && $0.allSatisfy { $0.status == .online } }
        // New identities behind lossy links: stop each agent, forget its state, drop 20 % both ways, start it again.
        for name in ["dev1", "dev2", "dev3"] {
            try lab.run(["stop-agent", name])
            try FileManager.default.removeItem(atPath: "\(lab.dir)/devices/\(name)/agent")
            for chain in ["INPUT", "OUTPUT"] {
                try lab.run(["exec", name, "iptables", "-A", chain, "-p", "udp", "--dport", "7445",
                             "-m", "statistic", "--mode", "random", "--probability", "0.2", "-j", "DROP"])
            }
            let rules = try lab.run(["exec", name, "iptables", "-S"])
            #expect(rules.contains("--probability 0.20000000"), "the drop rule is in place on \(name)")
        }
        let before = Set(try await lab.discovered(settings).items.map(\.id))
        for name in ["dev1", "dev2", "dev3"] { try lab.run(["start-agent", name]) }
        let deadline = ContinuousClock.now + .seconds(30)
        var fresh: [DiscoveredResource] = []
        while ContinuousClock.now < deadline {
            fresh = try await lab.discovered(settings).items.filter { $0.kind == .agent && !before.contains($0.id) }
            if fresh.count == 3 { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(fresh.count == 3, "discovered only \(fresh.map(\.source)) within 30 s\n\(lab.agentLogs())")
        // And they enrol as new devices (the names are taken, so they get suffixed names or replace nothing).
        try await lab.waitForDevices(settings, within: .seconds(30), "the 3 new identities online") { devices in
            devices.filter { $0.status == .online }.count == 3
        }
    }

    @Test("an agent with neither token nor address finds the controller, waits as pending, and connects once approved")
    func pendingWithoutToken() async throws {
        let settings = try freshLab()
        defer { try? lab.down() }
        try await lab.waitForDevices(settings, within: .seconds(30), "3 devices online") { $0.count == 3 && $0.allSatisfy { $0.status == .online } }
        // dev3 starts over as a new device whose config names neither a token nor a controller.
        try lab.run(["stop-agent", "dev3"])
        try FileManager.default.removeItem(atPath: "\(lab.dir)/devices/dev3/agent")
        let path = "\(lab.dir)/devices/dev3/agent.yaml"
        let config = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("join_token:") }.map { $0 == "name: dev3" ? "name: stranger" : String($0) }
        try (config.joined(separator: "\n") + "\npending_poll_interval: 1s\n").write(toFile: path, atomically: true, encoding: .utf8)
        try lab.run(["start-agent", "dev3"])
        try await lab.waitForDevices(settings, within: .seconds(30), "a pending 'stranger'") { devices in
            devices.first { $0.name == "stranger" }?.status == .pending
        }
        try await APIClient.withClient(settings) { client in
            _ = try await client.post(APIPaths.approve("stranger"), as: DeviceResource.self)
        }
        let devices = try await lab.waitForDevices(settings, within: .seconds(30), "'stranger' online once approved") { devices in
            devices.first { $0.name == "stranger" }?.status == .online
        }
        #expect(devices.first { $0.name == "stranger" }?.address == "198.18.0.12")
    }

    @Test("the static arm64 agent runs under qemu-user on a lab device: it enrolls, reports aarch64 and sends metrics")
    func arm64Agent() async throws {
        let binary = Lab.packageRoot.appendingPathComponent("dist/agents/homelab-agent-linux-arm64").path
        try #require(FileManager.default.isExecutableFile(atPath: binary),
                     "\(binary) is missing: make test builds it (deploy/cross/build-agent.sh arm64 dist/agents)")
        try lab.down()
        defer { try? lab.down() }
        try lab.up(["--device", "pi4:agent=arm64", "--device", "nas", "--no-docker", "--heartbeat-ttl", "\(Self.ttl * 3)"])
        let settings = try lab.settings()
        let devices = try await lab.waitForDevices(settings, within: .seconds(60), "pi4 (arm64 under qemu) and nas online with metrics") { devices in
            devices.count == 2 && devices.allSatisfy { $0.status == .online && $0.metrics != nil }
        }
        let pi = try #require(devices.first { $0.name == "pi4" })
        #expect(pi.facts?.architecture == "aarch64", "uname under qemu-aarch64 says aarch64, and no profile claims it")
        #expect(pi.facts?.profile == nil)
        #expect(devices.first { $0.name == "nas" }?.facts?.architecture == "x86_64")
        #expect(pi.metrics?.memory != nil && pi.metrics?.filesystems?.isEmpty == false)
        let discovered = try await lab.discovered(settings).items.first { $0.device == "pi4" }
        #expect(discovered?.architecture == "aarch64")
        // It answers a request too: the controller asks it for a sample now.
        let asked = Date()
        let sample = try await APIClient.withClient(settings) { client in
            try await client.post("/v1/devices/pi4/sample", as: MetricsSample.self)
        }
        #expect(sample.time >= asked.addingTimeInterval(-1))
        #expect(sample.memory != nil)

        // The scheduler's architecture filter acts on what it reports: a user's amd64-only recipe, dropped into
        // the controller's own catalog folder (read again within 2 s), is not for the Pi, and says why.
        let catalog = lab.dir + "/controller/recipes"
        try FileManager.default.createDirectory(atPath: catalog, withIntermediateDirectories: true)
        try """
            id: x86-only
            name: x86 only
            tagline: An image built for amd64 alone
            category: other
            version: "1"
            architectures: [amd64]
            components:
              - name: app
                requirements: {memory: 16M}
                compose:
                  services:
                    app: {image: busybox:1}
            """.write(toFile: catalog + "/x86-only.yaml", atomically: true, encoding: .utf8)
        var plan: Plan?
        for _ in 0..<50 where plan == nil {
            plan = try? await APIClient.withClient(settings) { client in
                try await client.post("/v1/recommendations", json: RecommendationRequest(recipe: "x86-only"), as: Plan.self)
            }
            if plan == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        let ranking = try #require(plan?.rankings.first?.devices)
        #expect(ranking.first { $0.device == "pi4" }?.rejections == ["arm64 is not supported (the app runs on amd64)"])
        #expect(ranking.first { $0.device == "nas" }?.eligible == true)
        #expect(plan?.placements.first?.devices == ["app": "nas"])
    }

    @Test("a cut link takes its device offline within the heartbeat TTL; restored, it is online within 10 s, with no duplicate")
    func linkCut() async throws {
        let settings = try freshLab()
        defer { try? lab.down() }
        try await lab.waitForDevices(settings, within: .seconds(30), "3 devices online") { $0.count == 3 && $0.allSatisfy { $0.status == .online } }
        try lab.run(["link", "dev2", "down"])
        // The TTL plus the sweep interval (a third of it) plus a second of slack.
        try await lab.waitForDevices(settings, within: .seconds(Self.ttl + Self.ttl / 3 + 2), "dev2 offline after its link was cut") { devices in
            devices.first { $0.name == "dev2" }?.status == .offline
                && devices.filter { $0.name != "dev2" }.allSatisfy { $0.status == .online }
        }
        try lab.run(["link", "dev2", "up"])
        let devices = try await lab.waitForDevices(settings, within: .seconds(10), "dev2 online again after its link came back") { devices in
            devices.first { $0.name == "dev2" }?.status == .online
        }
        #expect(devices.count == 3, "no duplicate registry entry: \(devices.map(\.name))")
    }

    @Test("a restarted controller gets every agent back by itself, nothing duplicated or lost")
    func controllerRestart() async throws {
        let settings = try freshLab()
        defer { try? lab.down() }
        let before = try await lab.waitForDevices(settings, within: .seconds(30), "3 devices online") { $0.count == 3 && $0.allSatisfy { $0.status == .online } }
        try lab.run(["restart-controller"])
        let after = try await lab.waitForDevices(settings, within: .seconds(30), "every device online after the restart") { devices in
            devices.count == 3 && devices.allSatisfy { $0.status == .online }
        }
        #expect(Set(after.map(\.id)) == Set(before.map(\.id)))
        #expect(Set(after.map(\.name)) == Set(before.map(\.name)))
    }

    @Test("a two-component app spans two devices: providers first, the consumer given the provider's address, reached across the bridge")
    func crossDeviceDeployment() async throws {
        try lab.down()
        defer { try? lab.down() }
        try lab.up(["--device", "nas:ram=8G,disk=2T,cores=4,always-on=true", "--device", "pi4:ram=4G,disk=64G,cores=4",
                    "--heartbeat-ttl", "\(Self.ttl * 3)"])
        let settings = try lab.settings()
        let devices = try await lab.waitForDevices(settings, within: .seconds(60), "nas and pi4 online with metrics") { devices in
            devices.count == 2 && devices.allSatisfy { $0.status == .online && $0.metrics != nil }
        }
        try FileManager.default.createDirectory(atPath: lab.dir + "/controller/recipes", withIntermediateDirectories: true)
        try TestRecipes.helloSplit.write(toFile: lab.dir + "/controller/recipes/hello-split.yaml", atomically: true, encoding: .utf8)
        let request = DeployRequest(recipe: "hello-split", name: "split", placement: .devices(["db": "nas", "web": "pi4"]),
                                    inputs: ["IMAGE": "198.18.0.1:5000/busybox:latest"])
        var accepted: DeployAccepted?
        for _ in 0..<50 where accepted == nil {  // the catalog folder is read again within 2 s
            accepted = try? await APIClient.withClient(settings) { try await $0.post(APIPaths.deployments, json: request, as: DeployAccepted.self) }
            if accepted == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        try #require(accepted != nil, "the deploy was not accepted")
        var detail: DeploymentDetail?
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            detail = try await APIClient.withClient(settings) { try await $0.get(APIPaths.deployment("split"), as: DeploymentDetail.self) }
            if detail?.deployment.state.isInProgress == false { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let deployment = try #require(detail?.deployment)
        #expect(deployment.state == .running, "\(deployment.error?.message ?? ""); steps: \(detail?.steps.map(\.message) ?? [])")
        #expect(deployment.components.map(\.name) == ["db", "web"], "the provider starts first")
        let nas = try #require(devices.first { $0.name == "nas" }?.address)
        #expect(deployment.components.first { $0.name == "db" }?.address == nas)
        #expect(deployment.url == "http://\(devices.first { $0.name == "pi4" }?.address ?? "?"):18180/")
        // What the web component on pi4 serves is what it fetched from db on nas: the db container's host name.
        let served = try await ChildProcess.run("/usr/bin/curl", ["-s", "--max-time", "5", deployment.url ?? ""]).output
        let dbContainer = try lab.run(["exec", "nas", "docker", "ps", "-q", "--filter", "label=com.docker.compose.project=split-db"])
        #expect(!dbContainer.isEmpty && served.trimmingCharacters(in: .whitespacesAndNewlines) == dbContainer.trimmingCharacters(in: .whitespacesAndNewlines),
                "served \(served), db container \(dbContainer)")
        let environment = try lab.run(["exec", "pi4", "docker", "inspect", "split-web-front-1", "--format", "{{json .Config.Env}}"])
        #expect(environment.contains("DB_HOST=\(nas)") && environment.contains("DB_PORT=18181"), "\(environment)")
        try await APIClient.withClient(settings) { try await $0.delete(APIPaths.deployment("split") + "?data=delete") }
        #expect(try lab.run(["exec", "nas", "docker", "ps", "-aq", "--filter", "label=com.docker.compose.project=split-db"]).isEmpty)
    }

    @Test("a burst of 10,000 malformed datagrams and 10,000 announcements from 1,000 ids leaves the controller responsive and bounded")
    func flood() async throws {
        let settings = try freshLab()
        defer { try? lab.down() }
        try await lab.waitForDevices(settings, within: .seconds(30), "3 devices online") { $0.count == 3 && $0.allSatisfy { $0.status == .online } }
        let rssBefore = try lab.controllerRSS()

        let done = Flag()
        let flooding = Task {
            defer { done.set() }
            return try await Flood.send(from: "198.18.0.1", malformed: 10_000, announcements: 10_000, ids: 1_000)
        }
        var latencies: [Duration] = []
        try await APIClient.withClient(settings) { client in
            let clock = ContinuousClock()
            // Ask the API over and over while the burst lasts, and a little after.
            while latencies.count < 20 || !done.isSet {
                let started = clock.now
                _ = try await client.get(APIPaths.devices, as: ListResponse<DeviceResource>.self)
                latencies.append(clock.now - started)
            }
        }
        let sent = try await flooding.value
        let rssAfter = try lab.controllerRSS()
        let discovered = try await lab.discovered(settings)

        latencies.sort()
        let median = latencies[latencies.count / 2]
        let p90 = latencies[latencies.count * 9 / 10]
        print("flood: sent \(sent) datagrams; \(latencies.count) API calls meanwhile, median \(median), p90 \(p90), max \(latencies.last!); controller RSS \(rssBefore >> 20) -> \(rssAfter >> 20) MiB; counters \(discovered.datagrams)")
        // Responsive, not fast: how fast is a figure (printed above, for the log), and a 100 ms p90
        // asserted here failed on a loaded CI machine at 110 ms. A controller the burst starves answers in seconds or not at all.
        #expect(latencies.last! < .seconds(2), "every API call answered within 2 s during the burst (median \(median), p90 \(p90), max \(latencies.last!))")
        #expect(rssAfter < rssBefore + (32 << 20), "memory stays bounded: \(rssBefore >> 20) -> \(rssAfter >> 20) MiB")
        let fromFlooder = discovered.items.filter { $0.source == "198.18.0.1" }
        #expect(fromFlooder.count <= 8, "one address speaks for at most 8 ids, got \(fromFlooder.count)")
        #expect(discovered.datagrams["malformed", default: 0] > 0)
        #expect(discovered.datagrams["rate_limited", default: 0] + discovered.datagrams["too_many_ids", default: 0] > 0)
        // The real devices are still there and online.
        #expect(try await lab.devices(settings).filter { $0.status == .online }.count == 3)
    }
}

/// Sends a burst of discovery datagrams from the host's bridge address to the group.
enum Flood {
    static func send(from address: String, malformed: Int, announcements: Int, ids: Int) async throws -> Int {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_sndbuf), value: 4 << 20)
            .bind(host: address, port: 0).get()
        defer { channel.close(promise: nil) }
        guard let options = channel as? any SocketOptionProvider else { throw LabError(description: "no socket options") }
        var interface = in_addr()
        inet_pton(AF_INET, address, &interface)
        try await options.setIPMulticastIF(interface).get()
        try await options.setIPMulticastTTL(1).get()
        let group = try SocketAddress(ipAddress: AnnouncementCodec.defaultGroup, port: AnnouncementCodec.defaultPort)
        var sent = 0
        for index in 0..<(malformed + announcements) {
            let bytes: [UInt8]
            if index % 2 == 0, index / 2 < malformed {
                bytes = Array("{\"hl\":1,\"kind\":\"agent\",\"id\":\(index)".utf8)  // cut-off JSON
            } else {
                let id = String(format: "%032x", index % ids)
                bytes = AnnouncementCodec.encode(.agent(id: id, hostname: "fake-\(index % ids)", version: "0.1.0", architecture: "x86_64",
                                                        state: .unenrolled, linked: false, keyFingerprint: "SHA256:fake"))
            }
            channel.write(AddressedEnvelope(remoteAddress: group, data: ByteBuffer(bytes: bytes)), promise: nil)
            sent += 1
            if sent % 200 == 0 { channel.flush() }
        }
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: group, data: ByteBuffer(string: "end")))
        return sent + 1
    }
}

/// A flag set once, read from another task.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

