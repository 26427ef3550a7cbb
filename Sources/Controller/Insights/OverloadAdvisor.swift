import Foundation
import GRDB
import Protocol
import Scheduler

extension InsightsService {
    /// Devices whose RAM (or a disk) stayed above `overloadPercent` for `overloadAfter`, each with the move the
    /// scheduler's relief planning suggests: the app whose move lowers the pressure most, where it fits best.
    func overloads(_ devices: [DeviceResource], apps: [DeploymentResource], now: Date) async throws -> [Insight] {
        let (history, settings) = (registry.history, self.settings)
        let window = Int(settings.overloadAfter)
        let pressed = try await store.read { db -> [(DeviceResource, PressedResource, Sustained, String)] in
            var pressed: [(DeviceResource, PressedResource, Sustained, String)] = []
            for device in devices where device.status == .online {
                var keys = [(SeriesKey(subject: .device(device.id), name: .memory), PressedResource.memory, "RAM")]
                for disk in try history.series(of: .device(device.id), named: .disk, in: db) {
                    keys.append((SeriesKey(subject: .device(device.id), name: .disk, label: disk.label), .storage, "disk \(disk.label)"))
                }
                for (key, resource, label) in keys {
                    let recent = try history.recent(key, seconds: window, now: now, in: db)
                    guard let capacity = recent.capacity, capacity > 0 else { continue }
                    let percent = recent.rows.map { RollupRow(bucket: $0.bucket, sum: $0.sum / capacity * 100, count: $0.count, max: $0.max / capacity * 100) }
                    guard let figures = Sustained.measure(percent, threshold: settings.overloadPercent, window: window, resolution: recent.rung.resolution, now: now),
                          figures.holds(buckets: Sustained.buckets(window: window, resolution: recent.rung.resolution)) else { continue }
                    pressed.append((device, resource, figures, label))
                    break  // One overload per device: RAM first, then the first full disk.
                }
            }
            return pressed
        }
        guard !pressed.isEmpty else { return [] }
        let snapshot = try await measuredSnapshot(window: window, now: now)
        let pinned = try await deployments.pinnedNames()
        return pressed.map { device, resource, figures, label in
            let id = "\(InsightKind.overload.rawValue):device:\(device.name):\(resource == .memory ? "memory" : "disk")"
            let head = "\(device.name): \(label) above \(Words.percent(settings.overloadPercent)) for \(Words.span(settings.overloadAfter)) (\(Words.percent(figures.latest)) now)"
            var numbers = ["usedPercent": figures.latest, "averagePercent": figures.average, "thresholdPercent": settings.overloadPercent,
                           "windowSeconds": settings.overloadAfter]
            let movable = { (app: DeployedApp) in !(app.deployment.map(pinned.contains) ?? true) }
            guard let relief = scheduler.relieve(snapshot, device: device.name, resource: resource, movable: movable).first,
                  let name = relief.app.deployment, let app = apps.first(where: { $0.name == name }) else {
                let here = snapshot.devices.first { $0.name == device.name }?.apps ?? []
                let why = here.isEmpty ? "no app of the homelab runs there" : here.allSatisfy { !movable($0) } ? "its apps are pinned"
                    : "no other device can take one of its apps"
                return Insight(id: id, kind: .overload, severity: .critical, device: device.name, sentence: "\(head); \(why)", numbers: numbers)
            }
            let component = app.components.first { $0.device == device.name }?.name ?? app.components.first?.name ?? name
            let held = resource == .memory ? relief.app.memoryBytes : relief.app.storageBytes
            numbers["appBytes"] = Double(held)
            numbers["gainPoints"] = relief.gain
            numbers["usedPercentAfter"] = relief.fromAfter
            numbers["destinationPercentAfter"] = relief.toAfter
            let suggestion = MoveSuggestion(deployment: name, component: component, from: device.name, to: relief.to, reason: relief.reason, gain: relief.gain,
                                            command: "homelab apps migrate \(name) --to \(relief.to)",
                                            start: "/v1/insights/\(id)/start")
            return Insight(id: id, kind: .overload, severity: .critical, device: device.name, deployment: name,
                           sentence: "\(head); \(name) uses \(Words.bytes(Double(held))) of it → move it to \(relief.to)? (\(relief.reason))",
                           numbers: numbers, suggestion: suggestion)
        }
    }

    /// The scheduler's snapshot with each app holding the more of what it reserved and what it used on average over
    /// the window (an app that outgrew its recipe's figure is moved for what it really takes), its CPU share measured.
    func measuredSnapshot(window: Int, now: Date) async throws -> ClusterSnapshot {
        var snapshot = try await deployments.snapshot()
        let apps = try await deployments.list()
        let history = registry.history
        let measured = try await store.read { db -> [String: (memory: Double?, cpu: Double?)] in
            var out: [String: (memory: Double?, cpu: Double?)] = [:]
            for app in apps {
                func mean(_ name: MetricsSeriesName) throws -> Double? {
                    let rows = try history.recent(SeriesKey(subject: .deployment(app.id), name: name), seconds: window, now: now, in: db).rows
                    let count = rows.reduce(0) { $0 + $1.count }
                    return count > 0 ? rows.reduce(0) { $0 + $1.sum } / Double(count) : nil
                }
                out[app.name] = (try mean(.memory), try mean(.cpu))
            }
            return out
        }
        for index in snapshot.devices.indices {
            let cores = Double(snapshot.devices[index].cores ?? 1)
            for app in snapshot.devices[index].apps.indices {
                guard let name = snapshot.devices[index].apps[app].deployment, let usage = measured[name] else { continue }
                // A multi-device deployment's figures are its total: only a single-device app's are its own here.
                guard Set(apps.first { $0.name == name }?.components.map(\.device) ?? []).count == 1 else { continue }
                if let memory = usage.memory { snapshot.devices[index].apps[app].memoryBytes = max(snapshot.devices[index].apps[app].memoryBytes, Int64(memory)) }
                if let cpu = usage.cpu { snapshot.devices[index].apps[app].cpuPercent = min(100, cpu / max(1, cores)) }
            }
        }
        return snapshot
    }
}
