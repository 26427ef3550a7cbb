import Recipes

/// A proposed move of one app, and what it gains.
public struct Move: Codable, Sendable, Equatable {
    public var app: String
    public var from: String
    public var to: String
    /// Points of peak pressure (the highest device's max of RAM used % and CPU busy %) this move removes.
    public var gain: Double
    public var reason: String
}

extension Scheduler {
    /// Moves that lower the homelab's peak pressure, one at a time, each the best available: an app leaves
    /// the most pressed device for the device where the higher of the two pressures afterwards is lowest.
    /// A move stays within one architecture (the same images run) and never takes an app off an always-on
    /// device to one that is not. Stops when no move gains at least `minimumGain` points, or after `limit`.
    public func rebalance(_ snapshot: ClusterSnapshot, limit: Int = 10, minimumGain: Double = 1) -> [Move] {
        var devices = snapshot.devices.filter(\.online).sorted { $0.name < $1.name }
        var moves: [Move] = []
        while moves.count < limit {
            let peak = devices.map(\.pressure).max() ?? 0
            guard let sourceIndex = devices.indices.max(by: { devices[$0].pressure < devices[$1].pressure || (devices[$0].pressure == devices[$1].pressure && devices[$0].name > devices[$1].name) })
            else { break }
            let source = devices[sourceIndex]
            var best: (move: Move, app: Int, target: Int, after: [DeviceState])?
            for (appIndex, app) in source.apps.enumerated() {
                for (targetIndex, target) in devices.enumerated() where targetIndex != sourceIndex && target.canTake(app, from: source) {
                    var after = devices
                    after[sourceIndex].apps.remove(at: appIndex)
                    after[sourceIndex].release(app)
                    after[targetIndex].take(app)
                    let newPeak = after.map(\.pressure).max() ?? 0
                    let gain = ((peak - newPeak) * 10).rounded() / 10
                    guard gain >= minimumGain else { continue }
                    if let current = best, gain < current.move.gain || (gain == current.move.gain && (app.recipe, target.name) >= (current.move.app, current.move.to)) {
                        continue
                    }
                    let reason = "\(source.name) \(Self.percent(source.pressure)) → \(Self.percent(after[sourceIndex].pressure)), "
                        + "\(target.name) \(Self.percent(target.pressure)) → \(Self.percent(after[targetIndex].pressure))"
                    best = (Move(app: app.recipe, from: source.name, to: target.name, gain: gain, reason: reason), appIndex, targetIndex, after)
                }
            }
            guard let chosen = best else { break }
            moves.append(chosen.move)
            devices = chosen.after
        }
        return moves
    }

    static func percent(_ value: Double) -> String { "\(Bytes.decimal(value)) %" }
}

extension DeviceState {
    /// The higher of RAM used % and CPU busy %; 0 when neither is known.
    var pressure: Double {
        let ram = memoryTotalBytes.flatMap { total in freeMemory.map { total > 0 ? 100 * (1 - Double($0) / Double(total)) : 0 } } ?? 0
        return max(ram, cpuBusyPercent ?? 0)
    }

    /// Whether `app` from `source` fits here: free RAM and storage, the same architecture, and always-on kept.
    func canTake(_ app: DeployedApp, from source: DeviceState) -> Bool {
        guard online, !draining, let free = freeMemory, free >= app.memoryBytes, (storageAvailableBytes ?? .max) >= app.storageBytes,
              let here = architecture, let there = source.architecture,
              (RecipeArchitecture(machine: here).map { $0 == RecipeArchitecture(machine: there) } ?? (here == there)) else { return false }
        if source.effectiveTraits.contains(.alwaysOn) && !effectiveTraits.contains(.alwaysOn) { return false }
        return true
    }

    /// Gives back what `app` held.
    mutating func release(_ app: DeployedApp) {
        if let free = memoryAvailableBytes { memoryAvailableBytes = free + app.memoryBytes }
        if let free = storageAvailableBytes { storageAvailableBytes = free + app.storageBytes }
        if let busy = cpuBusyPercent, let share = app.cpuPercent { cpuBusyPercent = max(0, busy - share) }
    }

    /// Takes what `app` holds (its CPU share scaled by the two devices' core counts is not known: kept as is).
    mutating func take(_ app: DeployedApp) {
        if let free = memoryAvailableBytes { memoryAvailableBytes = free - app.memoryBytes }
        if let free = storageAvailableBytes { storageAvailableBytes = free - app.storageBytes }
        if let busy = cpuBusyPercent, let share = app.cpuPercent { cpuBusyPercent = min(100, busy + share) }
        apps.append(app)
    }
}
