import Foundation
import NIOCore
import NIOPosix
import Protocol
import Synchronization

/// Probes every address of some networks on a few TCP ports, with bounded concurrency and rate, a
/// per-attempt timeout and a total time limit. It never sends to an address outside its networks.
struct NetworkScanner: Sendable {
    /// How a scan runs.
    struct Settings: Sendable {
        var networks: [IPv4Network]
        var ports: [Int]
        var timeLimit: Duration
        var hostTimeout: Duration
        var concurrency: Int
        var ratePerSecond: Int
        var reverseDNS: Bool
        /// Addresses never probed (the controller's own).
        var skip: Set<UInt32> = []
        /// Ports whose first line is read (SSH speaks first).
        var bannerPorts: Set<Int> = [22]

        /// Every address probed, in order: the networks' hosts less the skipped ones.
        var addresses: [UInt32] { networks.flatMap(\.hosts).filter { !skip.contains($0) } }

        /// The default ports: SSH, the controller's ports, web, SMB, Synology DSM, Proxmox, Docker.
        static let defaultPorts = [22, 7443, 7444, 80, 443, 445, 139, 5000, 5001, 8006, 2375, 2376]
    }

    /// What one address answered.
    struct HostResult: Sendable {
        var address: String
        var services: [ScannedService]
        var mac: String?
        var hostname: String?
    }

    let group: any EventLoopGroup

    /// Runs the scan until done, the time limit, or `cancelled()`; `found` gets each live host and
    /// `probed` the count after each address.
    func run(_ settings: Settings, cancelled: @escaping @Sendable () -> Bool,
             found: @escaping @Sendable (HostResult) async -> Void, probed: @escaping @Sendable (Int) async -> Void) async -> ScanState {
        let addresses = settings.addresses
        let pacer = Pacer(perSecond: settings.ratePerSecond)
        let probe = PortProbe(group: group)
        let count = Counter()
        let scanner = self
        return await withTaskGroup(of: ScanState?.self) { outer in
            outer.addTask {
                await withTaskGroup(of: Void.self) { hosts in
                    var next = 0
                    while next < addresses.count {
                        // At most `concurrency` hosts in flight: wait for one to end before the next starts.
                        if next >= settings.concurrency {
                            guard await hosts.next() != nil, !Task.isCancelled else { break }
                        }
                        let address = IPv4Network.format(addresses[next])
                        next += 1
                        hosts.addTask {
                            if let result = await scanner.scanHost(address, settings: settings, probe: probe, pacer: pacer), !Task.isCancelled {
                                await found(result)
                            }
                            await probed(count.increment())
                        }
                    }
                    await hosts.waitForAll()
                }
                return Task.isCancelled ? nil : .completed
            }
            outer.addTask {
                try? await Task.sleep(for: settings.timeLimit)
                return Task.isCancelled ? nil : .timedOut
            }
            outer.addTask {
                while !Task.isCancelled {
                    if cancelled() { return .canceled }
                    try? await Task.sleep(for: .milliseconds(100))
                }
                return nil
            }
            let outcome = await outer.next() ?? nil
            outer.cancelAll()
            return outcome ?? .completed
        }
    }

    /// Every port of one address at once; nil when nothing answered at all (no host there).
    private func scanHost(_ address: String, settings: Settings, probe: PortProbe, pacer: Pacer) async -> HostResult? {
        let outcomes = await withTaskGroup(of: (Int, PortProbe.Outcome).self) { group in
            for port in settings.ports {
                group.addTask {
                    await pacer.wait()
                    if Task.isCancelled { return (port, .silent) }
                    return (port, await probe.probe(address: address, port: port, timeout: settings.hostTimeout, readBanner: settings.bannerPorts.contains(port)))
                }
            }
            var outcomes: [Int: PortProbe.Outcome] = [:]
            for await (port, outcome) in group { outcomes[port] = outcome }
            return outcomes
        }
        guard outcomes.values.contains(where: { $0 != .silent }) else { return nil }
        let services = outcomes.compactMap { port, outcome -> ScannedService? in
            guard case .open(let banner) = outcome else { return nil }
            return ScannedService(port: port, name: HostGuess.serviceName(port: port), banner: banner)
        }.sorted { $0.port < $1.port }
        let hostname = settings.reverseDNS ? await ReverseDNS.name(of: address, within: .seconds(2)) : nil
        return HostResult(address: address, services: services, mac: NeighbourTable.read()[address], hostname: hostname)
    }
}

/// A counter shared by concurrent tasks.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    /// Adds one and returns the new value.
    func increment() -> Int { value.add(1, ordering: .relaxed).newValue }
}

/// Spaces connection attempts: at most `perSecond` start in any second.
actor Pacer {
    private let interval: Duration
    private var next = ContinuousClock.now

    init(perSecond: Int) { interval = .seconds(1) / max(1, perSecond) }

    func wait() async {
        let now = ContinuousClock.now
        let slot = max(now, next)
        next = slot + interval
        if slot > now { try? await Task.sleep(until: slot, clock: .continuous) }
    }
}
