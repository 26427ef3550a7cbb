import Foundation
import GRDB
import Logging
import Protocol
import Scheduler

/// The insights of the homelab, computed on demand from the metrics history and the recorded events
/// (`GET /v1/insights`), and the start of a suggested move.
public final class InsightsService: Sendable {
    let store: Store
    let registry: DeviceRegistry
    let deployments: DeploymentService
    let scheduler: Scheduler
    /// What is looked for.
    public let settings: InsightSettings
    let mover: any AppMover
    let logger: Logger

    init(store: Store, registry: DeviceRegistry, deployments: DeploymentService, scheduler: Scheduler, settings: InsightSettings,
         mover: any AppMover, logger: Logger) {
        self.store = store
        self.registry = registry
        self.deployments = deployments
        self.scheduler = scheduler
        self.settings = settings
        self.mover = mover
        self.logger = logger
    }

    /// Every insight now, most severe first.
    public func current(now: Date = Date()) async throws -> [Insight] {
        let devices = try await registry.list().filter { $0.status != .pending }
        let apps = try await deployments.list()
        let oneShots = await deployments.oneShotServices(apps)
        let (history, settings, thresholds) = (registry.history, self.settings, registry.thresholds)
        var found = try await store.read { db -> [Insight] in
            let finder = InsightFinder(history: history, settings: settings, now: now, db: db)
            var found: [Insight] = []
            for device in devices {
                for disk in try history.series(of: .device(device.id), named: .disk, in: db) {
                    if let insight = try finder.fillingUp(SeriesKey(subject: .device(device.id), name: .disk, label: disk.label), device: device.name) {
                        found.append(insight)
                    }
                }
                let candidates = [try finder.fillingUp(SeriesKey(subject: .device(device.id), name: .memory), device: device.name),
                                  try finder.temperature(deviceID: device.id, device: device.name),
                                  try finder.dailyPattern(.device(device.id), name: device.name, device: device.name, deployment: nil),
                                  try finder.rebootLoop(deviceID: device.id, device: device.name)]
                found += candidates.compactMap { $0 }
            }
            let exits = try ContainerExits.since(now.addingTimeInterval(-3600), in: db)
            for app in apps {
                let devicesOfApp = Set(app.components.map(\.device))
                if devicesOfApp.count == 1, let device = devices.first(where: { $0.name == app.components.first?.device }),
                   let insight = try finder.appMemoryGrowth(app, deviceID: device.id, device: device.name) {
                    found.append(insight)
                }
                if let insight = try finder.dailyPattern(.deployment(app.id), name: app.name, device: nil, deployment: app.name) { found.append(insight) }
                guard app.state == .running else { continue }
                var count = 0, outOfMemory = 0, services: Set<String> = []
                for component in app.components {
                    let summary = exits[component.project] ?? ContainerExits.Summary()
                    let ignored = oneShots[app.id]?[component.name] ?? []
                    count += summary.total(ignoring: ignored)
                    outOfMemory += summary.outOfMemory
                    services.formUnion(summary.exits.keys.filter { !ignored.contains($0) && !$0.isEmpty })
                }
                if let insight = InsightFinder.restartLoop(app, exits: count, outOfMemory: outOfMemory, services: services.sorted(),
                                                           threshold: thresholds.restartLoop) {
                    found.append(insight)
                }
            }
            return found
        }
        found += try await overloads(devices, apps: apps, now: now)
        return found.sorted { a, b in
            a.severity.rank != b.severity.rank ? a.severity.rank > b.severity.rank : a.id < b.id
        }
    }

    /// Starts the move an insight suggests (a person's click, or an automatic move); the deployment must not be pinned.
    @discardableResult
    public func start(_ id: String, automatic: Bool = false, now: Date = Date()) async throws -> MoveSuggestion {
        guard let insight = try await current(now: now).first(where: { $0.id == id }) else {
            throw HomelabError.notFound("no insight \(id) now (it may have cleared)")
        }
        guard let move = insight.suggestion else {
            throw HomelabError(.noSuggestion, "insight \(id) suggests no move")
        }
        guard try await !deployments.isPinned(move.deployment).pinned else {
            throw HomelabError.conflict("\(move.deployment) is pinned to \(move.from): unpin it to move it")
        }
        let how = automatic ? "automatically" : "on request"
        await deployments.parts.activity("insight.move", "Moving \(move.deployment) from \(move.from) to \(move.to) \(how): \(insight.sentence)", deployment: move.deployment, now: now)
        do {
            try await mover.move(deployment: move.deployment, component: move.component, to: move.to)
        } catch {
            await deployments.parts.activity("insight.move-failed", "Could not move \(move.deployment) to \(move.to): \(error)", deployment: move.deployment, now: now)
            throw error
        }
        return move
    }
}

extension InsightSeverity {
    /// Higher is more severe.
    var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .critical: 2
        }
    }
}
