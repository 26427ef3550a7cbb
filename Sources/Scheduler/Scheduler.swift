import Recipes

/// "Where should this app run?": a pure function of a snapshot and a request (no I/O, no clock).
/// Hard filters reject devices with reasons; soft factors (0-100, weighted) rank the rest; components
/// of one instance are placed jointly so the whole set fits; instances spread over devices.
public struct Scheduler: Sendable {
    public var weights: Weights
    /// Candidates per component considered in the joint search (the best by score).
    public var candidatesPerComponent = 6
    /// Placements scoring within this many points of the best count as equally good: the tightest fit wins.
    public var packingTolerance = 40.0

    public init(weights: Weights = Weights()) { self.weights = weights }

    public func plan(_ snapshot: ClusterSnapshot, _ request: PlacementRequest) -> Plan {
        let devices = snapshot.devices.sorted { $0.name < $1.name }
        let rankings = request.components.map { component in
            Plan.Ranking(component: component.name, devices: rank(devices, for: component, request: request))
        }
        var state = devices
        var placements: [Plan.Placement] = []
        var unplaced: [String] = []
        var used: Set<String> = []
        for instance in 1...max(1, request.instances) {
            let available = request.allowSameDevice ? state : state.filter { !used.contains($0.name) }
            guard let best = bestSet(available, request: request) else {
                let why = used.isEmpty ? "no device, or set of devices, can take every component (see the rankings)"
                    : "no device left without an instance that can take it (\(used.count) used; --allow-same-device to share)"
                unplaced.append("instance \(instance): \(why)")
                break
            }
            placements.append(Plan.Placement(instance: instance, devices: best.devices, score: best.score, reason: best.reason))
            for component in request.components {
                guard let name = best.devices[component.name], let index = state.firstIndex(where: { $0.name == name }) else { continue }
                state[index].reserve(component, recipe: request.recipe, category: request.category)
                used.insert(name)
            }
        }
        return Plan(recipe: request.recipe, rankings: rankings, placements: placements, unplaced: unplaced)
    }

    /// Every device for one component: eligible ones by score (then name), rejected ones after (by name).
    public func rank(_ devices: [DeviceState], for component: PlacementRequest.Component, request: PlacementRequest) -> [Assessment] {
        devices.map { assess($0, for: component, request: request) }.sorted { a, b in
            if a.eligible != b.eligible { return a.eligible }
            if a.score != b.score { return a.score > b.score }
            return a.device < b.device
        }
    }

    /// The best set of devices for one instance, with every component's needs summed per device.
    func bestSet(_ devices: [DeviceState], request: PlacementRequest) -> (devices: [String: String], score: Double, reason: String)? {
        let byName = Dictionary(devices.map { ($0.name, $0) }) { first, _ in first }
        let packing = Packing(devices: devices, request: request)
        // The best few by score, plus the tightest fits among the devices packing may choose: on a large homelab the
        // hole that fits best is rarely among the few best scored.
        let options = request.components.map { component -> [Assessment] in
            let eligible = rank(devices, for: component, request: request).filter(\.eligible)
            guard let top = eligible.first else { return [] }
            var chosen = Array(eligible.prefix(candidatesPerComponent))
            let packable = eligible.filter { assessment in
                assessment.score >= top.score - packingTolerance
                    && (assessment.tier == top.tier || assessment.tier == .ok && packing.keepsMargin(assessment.device, storage: component.storageBytes))
            }
            let tightest = packable.map { ($0, packing.cost([(component, $0.device)])) }.sorted { $0.1 < $1.1 }.map(\.0)
            for assessment in tightest.prefix(candidatesPerComponent) where !chosen.contains(where: { $0.device == assessment.device }) {
                chosen.append(assessment)
            }
            return chosen
        }
        guard options.allSatisfy({ !$0.isEmpty }) else { return nil }
        // Every set that fits, with its score and what it costs the homelab's room.
        var sets: [(choice: [Assessment], score: Double, cost: Packing.Cost)] = []
        var choice: [Assessment] = []
        func search(_ index: Int) {
            if index == options.count {
                guard fits(choice, request: request, devices: byName) else { return }
                sets.append((choice, combinedScore(choice, request: request), packing.cost(Array(zip(request.components, choice.map(\.device))))))
                return
            }
            for option in options[index] {
                choice.append(option)
                search(index + 1)
                choice.removeLast()
            }
        }
        search(0)
        // The reference is the top-scored set of the best tier with the fewest copies of this app on its devices.
        // Equally good: the sets of that tier, and sets at least OK on every device that keep the storage margin and
        // put as many always-on components on always-on devices, all within `packingTolerance` points of it and with
        // no more copies. Among them the one that costs the homelab's room least wins (best fit, see `Packing.Cost`),
        // so large holes stay for large apps; then score, then names.
        func tiers(_ choice: [Assessment]) -> Int { choice.map(\.tier.rank).reduce(0, +) }
        func copies(_ choice: [Assessment]) -> Int {
            choice.map { assessment in byName[assessment.device]?.apps.filter { $0.recipe == request.recipe }.count ?? 0 }.reduce(0, +)
        }
        func alwaysOnKept(_ choice: [Assessment]) -> Int {
            zip(request.components, choice).filter { component, assessment in
                (component.alwaysOn || component.prefer.contains(.alwaysOn)) && byName[assessment.device]?.effectiveTraits.contains(.alwaysOn) == true
            }.count
        }
        func safe(_ choice: [Assessment]) -> Bool {
            var storage: [String: Int64] = [:]
            for (component, assessment) in zip(request.components, choice) { storage[assessment.device, default: 0] += component.storageBytes }
            return choice.allSatisfy { $0.tier != .notRecommended } && storage.allSatisfy { packing.keepsMargin($0.key, storage: $0.value) }
        }
        guard let bestTier = sets.map({ tiers($0.choice) }).min() else { return nil }
        let inTier = sets.filter { tiers($0.choice) == bestTier }
        guard let fewest = inTier.map({ copies($0.choice) }).min() else { return nil }
        let sameTier = inTier.filter { copies($0.choice) == fewest }
        guard let top = sameTier.map(\.score).max(),
              let reference = sameTier.filter({ $0.score == top }).min(by: { $0.choice.map(\.device).lexicographicallyPrecedes($1.choice.map(\.device)) })
        else { return nil }
        let kept = alwaysOnKept(reference.choice)
        let equal = sets.filter { set in
            set.score >= top - packingTolerance && copies(set.choice) <= fewest
                && (tiers(set.choice) == bestTier || safe(set.choice) && alwaysOnKept(set.choice) >= kept)
        }
        let best = equal.min { a, b in
            if copies(a.choice) != copies(b.choice) { return copies(a.choice) < copies(b.choice) }
            if a.cost != b.cost { return a.cost < b.cost }
            if a.score != b.score { return a.score > b.score }
            return a.choice.map(\.device).lexicographicallyPrecedes(b.choice.map(\.device))
        }
        guard let best else { return nil }
        var devices: [String: String] = [:]
        for (component, assessment) in zip(request.components, best.choice) { devices[component.name] = assessment.device }
        var reason = zip(request.components, best.choice).map { component, assessment in
            request.components.count == 1 ? assessment.reason : "\(component.name) → \(assessment.reason)"
        }.joined(separator: "; ")
        if best.score < top {
            let over = reference.choice.map(\.device).joined(separator: " + ")
            let tier = tiers(best.choice) > bestTier ? "\(reference.choice.map(\.tier).min()?.words ?? ""), " : ""
            let because = copies(best.choice) < fewest ? "fewer copies of \(request.recipe) run there" : best.cost.because(reference.cost)
            reason += "; packed: chosen over \(over) (\(tier)scored higher) because \(because)"
        }
        return (devices, (best.score * 10).rounded() / 10, reason)
    }

    /// Whether the components placed together on each device fit its free RAM, storage and ports.
    func fits(_ choice: [Assessment], request: PlacementRequest, devices: [String: DeviceState]) -> Bool {
        var memory: [String: Int64] = [:], storage: [String: Int64] = [:], ports: [String: Set<String>] = [:]
        for (component, assessment) in zip(request.components, choice) {
            memory[assessment.device, default: 0] += component.memoryBytes
            storage[assessment.device, default: 0] += component.storageBytes
            for port in component.ports where !ports[assessment.device, default: []].insert(port).inserted { return false }
        }
        for (name, needed) in memory {
            guard let device = devices[name] else { return false }
            if let free = device.freeMemory, needed > free { return false }
            if let free = device.storageAvailableBytes, storage[name, default: 0] > free { return false }
        }
        return true
    }

    /// The mean of the components' scores, plus locality: linked components on one device talk without the network.
    func combinedScore(_ choice: [Assessment], request: PlacementRequest) -> Double {
        let mean = choice.map(\.score).reduce(0, +) / Double(max(1, choice.count))
        let device = Dictionary(zip(request.components.map(\.name), choice.map(\.device))) { first, _ in first }
        let links = request.components.flatMap { component in component.links.map { (component.name, $0) } }
        guard !links.isEmpty, weights.locality > 0 else { return mean }
        let together = links.filter { device[$0.0] != nil && device[$0.0] == device[$0.1] }.count
        return mean + weights.locality * 5 * Double(together) / Double(links.count)
    }
}

extension DeviceState {
    /// Free memory: the latest sample's available memory, else the total less what apps reserved.
    var freeMemory: Int64? {
        memoryAvailableBytes ?? memoryTotalBytes.map { $0 - apps.map(\.memoryBytes).reduce(0, +) }
    }

    /// Takes a placed component's needs off what is free, so the next placement sees them.
    public mutating func reserve(_ component: PlacementRequest.Component, recipe: String, category: String?) {
        if let free = memoryAvailableBytes { memoryAvailableBytes = free - component.memoryBytes }
        if let free = storageAvailableBytes { storageAvailableBytes = free - component.storageBytes }
        publishedPorts += component.ports
        apps.append(DeployedApp(recipe: recipe, category: category, memoryBytes: component.memoryBytes, storageBytes: component.storageBytes))
    }
}
