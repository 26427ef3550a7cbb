import Foundation
import GRDB
import NIOPosix
import Protocol
import Synchronization

/// Network scans: checks a request, runs it on the operation runner, publishes `scan.progress`
/// events, keeps the recent scans in memory and every host found in the store.
public actor ScanService {
    let store: Store
    let events: EventHub
    let runner: JobRunner
    let registry: DeviceRegistry
    let discovery: DiscoveryService
    /// Scans kept in memory for `GET /v1/scans`.
    static let kept = 20

    private var scans: [String: ScanResource] = [:]
    private var order: [String] = []
    private let flags = CancelFlags()

    /// Creates the service.
    public init(store: Store, events: EventHub, runner: JobRunner, registry: DeviceRegistry, discovery: DiscoveryService) {
        self.store = store
        self.events = events
        self.runner = runner
        self.registry = registry
        self.discovery = discovery
    }

    /// The settings a request asks for, checked: targets (or the defaults), limits, ports.
    static func settings(for request: ScanRequest, interfaces: [ScanTargets.InterfaceAddress] = ScanTargets.interfaceAddresses()) throws -> NetworkScanner.Settings {
        let force = request.force ?? false
        let networks = request.targets.isEmpty ? ScanTargets.defaults(interfaces) : try ScanTargets.resolve(request.targets, force: force)
        guard !networks.isEmpty else { throw HomelabError.badRequest("no targets given and no IPv4 subnet attached to this controller") }
        let ports = request.ports ?? NetworkScanner.Settings.defaultPorts
        guard !ports.isEmpty, ports.count <= 64, ports.allSatisfy({ (1...65535).contains($0) }) else {
            throw HomelabError.badRequest("ports must be 1 to 64 numbers between 1 and 65535")
        }
        let timeLimit = request.timeLimitSeconds ?? 60
        guard timeLimit > 0, timeLimit <= 600 else { throw HomelabError.badRequest("timeLimitSeconds must be between 0 and 600") }
        let hostTimeout = request.hostTimeoutMilliseconds ?? 800
        guard (50...10_000).contains(hostTimeout) else { throw HomelabError.badRequest("hostTimeoutMilliseconds must be between 50 and 10000") }
        let concurrency = request.concurrency ?? 32
        guard (1...256).contains(concurrency) else { throw HomelabError.badRequest("concurrency must be between 1 and 256") }
        let rate = request.ratePerSecond ?? 400
        guard (1...5000).contains(rate) else { throw HomelabError.badRequest("ratePerSecond must be between 1 and 5000") }
        return NetworkScanner.Settings(networks: networks, ports: Array(Set(ports)).sorted(), timeLimit: .milliseconds(Int(timeLimit * 1000)),
                                       hostTimeout: .milliseconds(hostTimeout), concurrency: concurrency, ratePerSecond: rate,
                                       reverseDNS: request.reverseDNS ?? true,
                                       skip: Set(interfaces.map(\.address)))
    }

    /// Starts a scan and answers its first state; progress follows as events.
    public func start(_ request: ScanRequest, now: Date = Date()) throws -> ScanResource {
        let settings = try Self.settings(for: request)
        let id = Secrets.randomHex(bytes: 6)
        let total = settings.addresses.count
        let scan = ScanResource(id: id, state: .running, targets: settings.networks.map(\.description), ports: settings.ports,
                                hostsTotal: total, hostsProbed: 0, candidates: [],
                                timeLimitSeconds: Double(settings.timeLimit.components.seconds) + Double(settings.timeLimit.components.attoseconds) / 1e18,
                                startedAt: now)
        scans[id] = scan
        order.append(id)
        flags.value.withLock { $0[id] = false }
        while order.count > Self.kept { let old = order.removeFirst(); scans.removeValue(forKey: old); flags.value.withLock { _ = $0.removeValue(forKey: old) } }
        publish(ScanProgress(scan: id, phase: "started", hostsProbed: 0, hostsTotal: total, found: 0))
        runner.submit(operation: { [self] in await self.execute(id: id, settings: settings) })
        return scan
    }

    /// A scan by id.
    public func get(_ id: String) throws -> ScanResource {
        guard let scan = scans[id] else { throw HomelabError.notFound("no scan '\(id)' (the controller keeps the last \(Self.kept))") }
        return scan
    }

    /// The recent scans, newest first, without their candidates.
    public func list() -> [ScanResource] {
        order.reversed().compactMap { scans[$0] }.map { var scan = $0; scan.candidates = []; return scan }
    }

    /// Asks a running scan to stop; what it found stays.
    public func cancel(_ id: String) throws -> ScanResource {
        let scan = try get(id)
        if scan.state == .running { flags.value.withLock { $0[id] = true } }
        return scan
    }

    /// Every host any scan found, by address.
    public func candidates() async throws -> [ScanCandidate] {
        let rows = try await store.read { db in try ScanCandidateRecord.fetchAll(db) }
        let agents = await knownAgents()
        return rows.compactMap(\.decoded).map { candidate in
            var candidate = candidate
            if let device = agents[candidate.address] { candidate.hasAgent = true; candidate.device = device.isEmpty ? candidate.device : device }
            return candidate
        }.sorted { (IPv4Network.parseAddress($0.address) ?? 0) < (IPv4Network.parseAddress($1.address) ?? 0) }
    }

    private func execute(id: String, settings: NetworkScanner.Settings) async {
        let agents = await knownAgents()
        let scanner = NetworkScanner(group: MultiThreadedEventLoopGroup.singleton)
        let flags = self.flags
        let total = scans[id]?.hostsTotal ?? 0
        let state = await scanner.run(settings, cancelled: { flags.value.withLock { $0[id] ?? true } },
                                      found: { result in await self.found(result, scan: id, agents: agents) },
                                      probed: { count in await self.probed(count, scan: id, total: total) })
        scans[id]?.state = state
        scans[id]?.finishedAt = Date()
        publish(ScanProgress(scan: id, phase: "finished", hostsProbed: scans[id]?.hostsProbed ?? 0, hostsTotal: total,
                             found: scans[id]?.candidates.count ?? 0, state: state))
    }

    private func found(_ result: NetworkScanner.HostResult, scan id: String, agents: [String: String]) async {
        guard scans[id]?.state == .running else { return }
        let now = Date()
        let vendor = result.mac.flatMap(MACVendors.lookup)
        let os = result.services.first { $0.port == 22 }?.banner.flatMap(HostGuess.operatingSystem(fromSSHBanner:))
        let previous = try? await store.read { db in try ScanCandidateRecord.fetchOne(db, key: result.address)?.decoded }
        let device = agents[result.address]
        let candidate = ScanCandidate(
            address: result.address, mac: result.mac, vendor: vendor?.name, hostname: result.hostname, services: result.services, os: os,
            guess: HostGuess.guess(vendor: vendor, ports: Set(result.services.map(\.port)), os: os), hasAgent: device != nil,
            device: device.flatMap { $0.isEmpty ? nil : $0 }, firstSeenAt: previous?.firstSeenAt ?? now, lastSeenAt: now, scanID: id)
        let record = ScanCandidateRecord(address: candidate.address, candidate: JSONText.encode(candidate), lastSeenAt: now)
        _ = try? await store.write { db in try record.save(db) }
        scans[id]?.candidates.append(candidate)
        scans[id]?.candidates.sort { (IPv4Network.parseAddress($0.address) ?? 0) < (IPv4Network.parseAddress($1.address) ?? 0) }
        publish(ScanProgress(scan: id, phase: "found", hostsProbed: scans[id]?.hostsProbed ?? 0, hostsTotal: scans[id]?.hostsTotal ?? 0,
                             found: scans[id]?.candidates.count ?? 0, address: candidate.address))
    }

    private func probed(_ count: Int, scan id: String, total: Int) {
        guard scans[id]?.state == .running else { return }
        // Computed first: reading `scans` inside the optional-chained assignment would overlap its write access.
        let probed = max(scans[id]?.hostsProbed ?? 0, count)
        scans[id]?.hostsProbed = probed
        if total > 0, count % max(1, total / 10) == 0 {
            publish(ScanProgress(scan: id, phase: "progress", hostsProbed: count, hostsTotal: total, found: scans[id]?.candidates.count ?? 0))
        }
    }

    /// Address → device name of every registered device, and "" for addresses that announce an agent.
    private func knownAgents() async -> [String: String] {
        var agents: [String: String] = [:]
        for item in await discovery.list(devices: []).items where item.kind == .agent { agents[item.source] = item.device ?? "" }
        for device in (try? await registry.list()) ?? [] { if let address = device.address { agents[address] = device.name } }
        return agents
    }

    private func publish(_ progress: ScanProgress) {
        var event = RegistryEvent(type: .scanProgress, time: Date(), device: nil)
        event.scan = progress
        events.publish(event)
    }
}

/// Which scans were asked to stop, read by the scanner without entering the actor.
final class CancelFlags: Sendable {
    let value = Mutex<[String: Bool]>([:])
}
