import Recipes

/// What presses on a device: its RAM or its storage.
public enum PressedResource: String, Codable, Sendable {
    case memory, storage
}

/// A move that relieves one device, with the two devices' use before and after.
public struct Relief: Codable, Sendable, Equatable {
    /// The app that moves, as the snapshot has it.
    public var app: DeployedApp
    /// The pressed device.
    public var from: String
    /// Where it goes.
    public var to: String
    /// Points of use the pressed device gives up.
    public var gain: Double
    /// The pressed device's use of the resource before and after, 0-100.
    public var fromBefore: Double
    public var fromAfter: Double
    /// The destination's use before and after, 0-100.
    public var toBefore: Double
    public var toAfter: Double
    /// What the destination offers, in words: `8 GB free, always on`.
    public var reason: String
}

extension Scheduler {
    /// The moves off `device` that lower its use of `resource`, best first, from the rebalance planning's rules:
    /// an app may only go where it fits (RAM, storage, architecture, an always-on app stays on an always-on device,
    /// see `canTake`), and the best move is the one that leaves the higher of the two devices' use lowest; ties go
    /// to the smaller app, then by name. Apps `movable` refuses (pinned ones) stay. Each move gains at least
    /// `minimumGain` points; at most `limit` are returned, each judged on its own against the snapshot.
    public func relieve(_ snapshot: ClusterSnapshot, device: String, resource: PressedResource, limit: Int = 3, minimumGain: Double = 1,
                        movable: (DeployedApp) -> Bool = { _ in true }) -> [Relief] {
        let devices = snapshot.devices.filter(\.online).sorted { $0.name < $1.name }
        guard let source = devices.first(where: { $0.name == device }), let before = source.use(of: resource) else { return [] }
        var candidates: [(relief: Relief, peak: Double)] = []
        for (index, app) in source.apps.enumerated() where movable(app) {
            var left = source
            left.apps.remove(at: index)
            left.release(app)
            guard let after = left.use(of: resource), before - after >= minimumGain else { continue }
            for target in devices where target.name != source.name && target.canTake(app, from: source) {
                guard let targetBefore = target.use(of: resource) else { continue }
                var taken = target
                taken.take(app)
                let targetAfter = taken.use(of: resource) ?? targetBefore
                let relief = Relief(app: app, from: source.name, to: target.name, gain: ((before - after) * 10).rounded() / 10,
                                    fromBefore: before, fromAfter: after, toBefore: targetBefore, toAfter: targetAfter,
                                    reason: target.offer(resource))
                candidates.append((relief, max(after, targetAfter)))
            }
        }
        let ranked = candidates.sorted { a, b in
            if a.peak != b.peak { return a.peak < b.peak }
            let (sizeA, sizeB) = (a.relief.app.size(of: resource), b.relief.app.size(of: resource))
            if sizeA != sizeB { return sizeA < sizeB }
            return (a.relief.app.deployment ?? a.relief.app.recipe, a.relief.to) < (b.relief.app.deployment ?? b.relief.app.recipe, b.relief.to)
        }
        var seen = Set<String>()
        return ranked.map(\.relief).filter { seen.insert($0.app.deployment ?? $0.app.recipe).inserted }.prefix(limit).map { $0 }
    }
}

extension DeviceState {
    /// RAM or storage in use, 0-100; nil when not reported.
    func use(of resource: PressedResource) -> Double? {
        switch resource {
        case .memory:
            guard let total = memoryTotalBytes, total > 0, let free = freeMemory else { return nil }
            return 100 * (1 - Double(free) / Double(total))
        case .storage:
            guard let total = storageTotalBytes, total > 0, let free = storageAvailableBytes else { return nil }
            return 100 * (1 - Double(free) / Double(total))
        }
    }

    /// `8 GB free, always on`: the room the destination has for the resource and whether it is always on.
    func offer(_ resource: PressedResource) -> String {
        let free = resource == .memory ? freeMemory : storageAvailableBytes
        var words = free.map { ["\(Bytes.words($0)) \(resource == .memory ? "RAM" : "storage") free"] } ?? []
        if effectiveTraits.contains(.alwaysOn) { words.append("always on") }
        return words.joined(separator: ", ")
    }
}

extension DeployedApp {
    /// What it holds of the resource, in bytes.
    func size(of resource: PressedResource) -> Int64 { resource == .memory ? memoryBytes : storageBytes }
}
