import Recipes

/// "Where should this app run?": a pure function of a snapshot and a request (no I/O, no clock).
/// Hard filters reject devices with reasons; soft factors (0-100, weighted, packing among them) score the rest;
/// the ranking is the order the placement uses, so for a one-component app the device placed is the first listed.
/// Components of one instance are placed jointly so the whole set fits; instances spread over devices.
public struct Scheduler: Sendable {
    public var weights: Weights
    /// Candidates per component considered in the joint search (the first of each ranking).
    public var candidatesPerComponent = 6
    /// Scores within this many points of the best of their group count as equal (hysteresis): they go by the RAM
    /// left after the app, the tighter fit first, then by name, so that momentary noise cannot reorder them.
    public var equalWithin = 3.0

    public init(weights: Weights = Weights()) { self.weights = weights }

    public func plan(_ snapshot: ClusterSnapshot, _ request: PlacementRequest) -> Plan {
        let devices = snapshot.devices.sorted { $0.name < $1.name }
        let homelab = Homelab(devices)
        let ranked = request.components.map { self.ranked(devices, for: $0, request: request, in: homelab) }
        let rankings = zip(request.components, ranked).map { Plan.Ranking(component: $0.name, devices: $1.map(\.assessment)) }
        var state = devices
        var placements: [Plan.Placement] = []
        var unplaced: [String] = []
        var used: Set<String> = []
        for instance in 1...max(1, request.instances) {
            let available = request.allowSameDevice ? state : state.filter { !used.contains($0.name) }
            // The first instance sees the homelab as the rankings do: their order is its order.
            let fresh = placements.isEmpty && available.count == devices.count
            guard let placement = place(instance: instance, on: available, request: request, in: homelab, ranked: fresh ? ranked : nil) else {
                let why = used.isEmpty ? "no device, or set of devices, can take every component (see the rankings)"
                    : "no device left without an instance that can take it (\(used.count) used; --allow-same-device to share)"
                unplaced.append("instance \(instance): \(why)")
                break
            }
            placements.append(placement)
            for component in request.components {
                guard let name = placement.devices[component.name], let index = state.firstIndex(where: { $0.name == name }) else { continue }
                state[index].reserve(component, recipe: request.recipe, category: request.category)
                used.insert(name)
            }
        }
        return Plan(recipe: request.recipe, rankings: rankings, placements: placements, unplaced: unplaced)
    }

    /// Every device for one component, in the order the placement uses (see `order(_:freeAfter:)`), judged
    /// within the homelab these devices make.
    public func rank(_ devices: [DeviceState], for component: PlacementRequest.Component, request: PlacementRequest) -> [Assessment] {
        rank(devices, for: component, request: request, in: Homelab(devices))
    }

    /// Every device for one component, judged within `homelab`, in the order the placement uses.
    public func rank(_ devices: [DeviceState], for component: PlacementRequest.Component, request: PlacementRequest, in homelab: Homelab) -> [Assessment] {
        ranked(devices, for: component, request: request, in: homelab).map(\.assessment)
    }

    /// The ranking with each device's group of equal scores.
    func ranked(_ devices: [DeviceState], for component: PlacementRequest.Component, request: PlacementRequest,
                in homelab: Homelab) -> [(assessment: Assessment, group: Int)] {
        order(devices.map { assess($0, for: component, request: request, in: homelab) }, freeAfter: Self.freeAfter(devices, component))
    }

    /// The RAM each device would have left after `component`, by name; unknown figures last.
    static func freeAfter(_ devices: [DeviceState], _ component: PlacementRequest.Component) -> (String) -> Int64 {
        let free = Dictionary(devices.map { ($0.name, $0.freeMemory.map { $0 - component.memoryBytes } ?? .max) }) { first, _ in first }
        return { free[$0] ?? .max }
    }

    /// Eligible first; then by tier; then, for an app that wants one, always-on devices; then those with the fewest
    /// copies of the app (instances go round-robin); then those with more of the traits the app prefers; then by
    /// `score` (the score, or the judgement alone), where the scores within ``equalWithin`` of the best of their
    /// group count as equal and go by the RAM left after the app (`freeAfter`), the tighter fit first (it keeps the
    /// larger hole for a larger app), then by name. Rejected ones after, by name. Each comes with its group.
    func order(_ assessments: [Assessment], freeAfter: (String) -> Int64,
               score: (Assessment) -> Double = \.score) -> [(assessment: Assessment, group: Int)] {
        let eligible = assessments.filter(\.eligible).map { (assessment: $0, key: $0.orderKey, score: score($0), left: freeAfter($0.device)) }
            .sorted { a, b in (a.key.0, a.key.1, a.key.2, a.key.3, -a.score, a.assessment.device) < (b.key.0, b.key.1, b.key.2, b.key.3, -b.score, b.assessment.device) }
        var out: [(assessment: Assessment, group: Int)] = []
        var group = 0
        var start = 0
        while start < eligible.count {
            let leader = eligible[start]
            var end = start + 1
            while end < eligible.count, eligible[end].key == leader.key, leader.score - eligible[end].score <= equalWithin { end += 1 }
            let members = eligible[start..<end].sorted { a, b in a.left != b.left ? a.left < b.left : a.assessment.device < b.assessment.device }
            out += members.map { ($0.assessment, group) }
            group += 1
            start = end
        }
        for rejected in assessments.filter({ !$0.eligible }).sorted(by: { $0.device < $1.device }) {
            out.append((rejected, group))
            group += 1
        }
        return out
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

    /// The same scheduler without packing: what judgement alone would choose.
    var withoutPacking: Scheduler {
        var copy = self
        copy.weights.fit = 0
        copy.weights.room = 0
        return copy
    }
}

extension Assessment {
    /// The keys that come before the score: tier, always on when the app wants it, the fewest copies of the app
    /// (instances round-robin), the most of the preferred traits.
    var orderKey: (Int, Int, Int, Double) {
        (tier.rank, concerns.contains { $0.code == .notAlwaysOn } ? 1 : 0, copies, -(factors.first { $0.name == "traits" && $0.weight > 0 }?.score ?? 0))
    }
}

extension DeviceState {
    /// Free memory: the latest sample's available memory, else the total less what apps reserved.
    var freeMemory: Int64? {
        memoryAvailableBytes ?? memoryTotalBytes.map { $0 - apps.map(\.memoryBytes).reduce(0, +) }
    }

    /// Takes a placed component's needs off what is free, so the next placement sees them: RAM, storage, ports, and
    /// its share of the CPU (half a GHz per unit of CPU weight).
    public mutating func reserve(_ component: PlacementRequest.Component, recipe: String, category: String?) {
        if let free = memoryAvailableBytes { memoryAvailableBytes = free - component.memoryBytes }
        if let free = storageAvailableBytes { storageAvailableBytes = free - component.storageBytes }
        publishedPorts += component.ports
        let share = cpuCapacityGHz.map { 100 * Scheduler.ghzPerCPUWeight * Double(component.cpuWeight) / $0 }
        if let share, let busy = cpuBusyPercent { cpuBusyPercent = min(100, busy + share) }
        apps.append(DeployedApp(recipe: recipe, category: category, memoryBytes: component.memoryBytes, storageBytes: component.storageBytes,
                                cpuPercent: share))
    }
}
