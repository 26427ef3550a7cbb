import Foundation
import GRDB
import Logging
import Protocol
import ServiceLifecycle

/// Asks the devices, every interval, what each deployment's containers are doing: their usage goes into the
/// deployment's history (CPU, memory, network rate) and their state, health and restarts make its ``AppHealth``;
/// a change of colour is published (`health.changed`) and recorded in the activity feed.
struct AppWatcher: Service {
    let deployments: DeploymentService
    let registry: DeviceRegistry
    let events: EventHub
    let interval: Duration
    let logger: Logger

    /// Network counters of a deployment at its last poll, for the rate.
    struct Counters: Sendable {
        var time: Date
        var bytes: Int64
    }

    func run() async throws {
        // Ends quietly at shutdown: a service that throws then makes the group cancel everything else.
        try? await cancelWhenGracefulShutdown {
            var counters: [String: Counters] = [:]
            while true {
                do {
                    try await poll(&counters, now: Date())
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("watching apps: \(error)")
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// One round: every device that runs a component is asked once for its stacks, and for the usage of the running ones.
    func poll(_ counters: inout [String: Counters], now: Date) async throws {
        let all = try await deployments.list()
        let running = all.filter { $0.state == .running }
        let devices = Set(running.flatMap { $0.components.map(\.device) })
        let stacks = await withTaskGroup(of: (String, [StackStatus]?).self) { group in
            for device in devices {
                group.addTask { [registry] in (device, try? await registry.ask(device, StackList(), timeout: .seconds(10))) }
            }
            return await group.reduce(into: [String: [StackStatus]]()) { $0[$1.0] = $1.1 }
        }
        var usage: [String: [ContainerStats]] = [:]
        await withTaskGroup(of: (String, ContainerStats?).self) { group in
            for deployment in running {
                for component in deployment.components {
                    let containers = stacks[component.device]?.first { $0.project == component.project }?.containers ?? []
                    guard containers.contains(where: { $0.state == "running" }) else { continue }
                    group.addTask { [registry] in
                        (deployment.id, try? await registry.ask(component.device, StackStatsRequest(StackRef(project: component.project)),
                                                                timeout: .seconds(20)).total)
                    }
                }
            }
            for await (id, stats) in group { if let stats { usage[id, default: []].append(stats) } }
        }
        var values: [(id: String, values: [SeriesValue])] = []
        for deployment in running {
            guard let parts = usage[deployment.id] else { continue }
            let total = ContainerStats.total(parts)
            let bytes = total.networkRxBytes + total.networkTxBytes
            var rate: Double?
            if let before = counters[deployment.id], now > before.time, bytes >= before.bytes {
                rate = Double(bytes - before.bytes) / now.timeIntervalSince(before.time)
            }
            counters[deployment.id] = Counters(time: now, bytes: bytes)
            values.append((deployment.id, SeriesValues.app(cpuPercent: total.cpuPercent, memoryBytes: Double(total.memoryBytes), networkBytesPerSecond: rate)))
        }
        counters = counters.filter { id, _ in running.contains { $0.id == id } }
        let history = registry.history, written = values
        try await registry.store.write { db in
            for (id, values) in written {
                for value in values { try history.add(value, to: .deployment(id), at: now, in: db) }
            }
        }
        try await judge(all, stacks: stacks, now: now)
    }

    /// Each deployment's health from what its devices said; a changed colour is stored, published and recorded.
    func judge(_ all: [DeploymentResource], stacks: [String: [StackStatus]], now: Date) async throws {
        var judged: [(DeploymentResource, AppHealth)] = []
        let exits = try await registry.store.read { db in try ContainerExits.since(now.addingTimeInterval(-3600), in: db) }
        let oneShots = await deployments.oneShotServices(all)
        for deployment in all {
            var containers: [String: [StackStatus.Container]?] = [:]
            var restarts = 0
            for component in deployment.components {
                let ignored = oneShots[deployment.id]?[component.name] ?? []
                restarts += exits[component.project]?.total(ignoring: ignored) ?? 0
                containers[component.name] = stacks[component.device].map { stacks in
                    (stacks.first { $0.project == component.project }?.containers ?? []).filter { !(ignored.contains($0.service) && $0.state != "running") }
                }
            }
            judged.append((deployment, AppHealth.evaluate(deployment: deployment.name, state: deployment.state, containers: containers,
                                                          restartsLastHour: restarts, thresholds: registry.thresholds, now: now)))
        }
        let results = judged
        let changes = try await registry.store.write { db -> [(AppHealth, HealthLevel?)] in
            var changes: [(AppHealth, HealthLevel?)] = []
            for (deployment, health) in results {
                let before = try String.fetchOne(db, sql: "SELECT health FROM appHealth WHERE deploymentID = ?", arguments: [deployment.id])
                    .flatMap { JSONText.decode(AppHealth.self, $0) }
                try db.execute(sql: "INSERT OR REPLACE INTO appHealth (deploymentID, health) VALUES (?, ?)", arguments: [deployment.id, JSONText.encode(health)])
                if before?.level != health.level { changes.append((health, before?.level)) }
            }
            try db.execute(sql: "DELETE FROM appHealth WHERE deploymentID NOT IN (SELECT id FROM deployment)")
            return changes
        }
        for (health, before) in changes {
            var event = RegistryEvent(type: .healthChanged, time: now, device: nil)
            event.health = HealthChange(subject: .deployment, name: health.deployment, level: health.level, previous: before, reason: health.reason)
            events.publish(event)
            // News for the activity feed: turning yellow or red, and recovering from it; not a first green or unknown.
            guard [.yellow, .red].contains(health.level) || [.yellow, .red].contains(before ?? .unknown) else { continue }
            await deployments.parts.activity(RegistryEvent.Kind.healthChanged.rawValue, "\(health.deployment) is \(health.level.rawValue): \(health.reason)", deployment: health.deployment, now: now)
        }
    }
}
