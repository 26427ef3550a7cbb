extension Scheduler {
    /// Where one instance goes on `devices`, with each component's choice and what decided it; nil when no set fits.
    /// One component: the first eligible device of its ranking. Several: the best set that fits together (``joint(_:request:in:)``).
    /// `ranked`: each component's ranking of these devices, when the caller has it already.
    func place(instance: Int, on devices: [DeviceState], request: PlacementRequest, in homelab: Homelab,
               ranked known: [[(assessment: Assessment, group: Int)]]? = nil) -> Plan.Placement? {
        let byName = Dictionary(devices.map { ($0.name, $0) }) { first, _ in first }
        let rankings = known ?? request.components.map { ranked(devices, for: $0, request: request, in: homelab) }
        let chosen: [Assessment]
        let unpacked: [Assessment]?
        if request.components.count == 1 {
            guard let first = rankings[0].first?.assessment, first.eligible else { return nil }
            chosen = [first]
            // Judgement alone: the same assessments ordered by the judgement instead of the score.
            let judged = order(rankings[0].map(\.assessment), freeAfter: Self.freeAfter(devices, request.components[0])) { $0.judgement }
            unpacked = judged.first.map { [$0.assessment] }
        } else {
            guard let set = joint(devices, request: request, in: homelab, ranked: rankings.map { $0.map(\.assessment) }) else { return nil }
            chosen = set
            unpacked = withoutPacking.joint(devices, request: request, in: homelab)
        }
        var choices: [Plan.Choice] = []
        for (index, component) in request.components.enumerated() {
            let assessment = chosen[index]
            let decision: Plan.Decision
            if rankings[index].first?.assessment.device == assessment.device {
                decision = self.decision(rankings[index], component: component, devices: byName, homelab: homelab)
            } else {
                decision = jointDecision(component, chosen: assessment, ranking: rankings[index], set: Array(zip(request.components, chosen)))
            }
            var packing: Plan.Packing?
            if let other = unpacked?[index], other.device != assessment.device,
               let theirs = rankings[index].first(where: { $0.assessment.device == other.device })?.assessment {
                packing = Plan.Packing(over: other.device, reason: packingReason(assessment, over: theirs, component: component, request: request,
                                                                                devices: byName, homelab: homelab))
            }
            choices.append(Plan.Choice(component: component.name, device: assessment.device, tier: assessment.tier, score: assessment.score,
                                       reason: assessment.reason, decision: decision, packing: packing))
        }
        let score = (combinedScore(chosen, request: request) * 10).rounded() / 10
        return Plan.Placement(instance: instance, devices: Dictionary(uniqueKeysWithValues: choices.map { ($0.component, $0.device) }), score: score,
                              choices: choices)
    }

    /// The best set of devices for the components of one instance, needs summed per device, ordered as a ranking is:
    /// the fewest tiers below Recommended, the most always-on devices for the components that want them, the fewest
    /// copies of the app, the most preferred traits, then the combined score, where sets within ``equalWithin`` count as equal and go by the RAM
    /// left free, the tighter first, then by names.
    /// `ranked`: each component's ranking of these devices, when the caller has it already.
    func joint(_ devices: [DeviceState], request: PlacementRequest, in homelab: Homelab, ranked: [[Assessment]]? = nil) -> [Assessment]? {
        let byName = Dictionary(devices.map { ($0.name, $0) }) { first, _ in first }
        let rankings = ranked ?? request.components.map { rank(devices, for: $0, request: request, in: homelab) }
        let options = rankings.map { $0.filter(\.eligible).prefix(candidatesPerComponent) }
        guard options.allSatisfy({ !$0.isEmpty }) else { return nil }
        struct Candidate {
            var choice: [Assessment]
            var kind: (Int, Int, Int, Double)
            var score: Double
            var freeAfter: Int64
        }
        var sets: [Candidate] = []
        var choice: [Assessment] = []
        func search(_ index: Int) {
            if index == options.count {
                guard let left = fits(choice, request: request, devices: byName) else { return }
                let keys = choice.map(\.orderKey)
                sets.append(Candidate(choice: choice, kind: (keys.map(\.0).reduce(0, +), keys.map(\.1).reduce(0, +), keys.map(\.2).reduce(0, +),
                                                             keys.map(\.3).reduce(0, +)),
                                      score: combinedScore(choice, request: request), freeAfter: left))
                return
            }
            for option in options[index] {
                choice.append(option)
                search(index + 1)
                choice.removeLast()
            }
        }
        search(0)
        func names(_ set: Candidate) -> [String] { set.choice.map(\.device) }
        guard let best = sets.min(by: { a, b in
            if a.kind != b.kind { return a.kind < b.kind }
            if a.score != b.score { return a.score > b.score }
            return names(a).lexicographicallyPrecedes(names(b))
        }) else { return nil }
        return sets.filter { $0.kind == best.kind && best.score - $0.score <= equalWithin }.min { a, b in
            a.freeAfter != b.freeAfter ? a.freeAfter < b.freeAfter : names(a).lexicographicallyPrecedes(names(b))
        }?.choice
    }

    /// The RAM left free on the devices of a set after all its components (unknown figures count as 0), or nil when
    /// the components placed together on a device do not fit its free RAM, storage and ports.
    func fits(_ choice: [Assessment], request: PlacementRequest, devices: [String: DeviceState]) -> Int64? {
        var memory: [String: Int64] = [:], storage: [String: Int64] = [:], ports: [String: Set<String>] = [:]
        for (component, assessment) in zip(request.components, choice) {
            memory[assessment.device, default: 0] += component.memoryBytes
            storage[assessment.device, default: 0] += component.storageBytes
            for port in component.ports where !ports[assessment.device, default: []].insert(port).inserted { return nil }
        }
        var left: Int64 = 0
        for (name, needed) in memory {
            guard let device = devices[name] else { return nil }
            if let free = device.freeMemory {
                if needed > free { return nil }
                left += free - needed
            }
            if let free = device.storageAvailableBytes, storage[name, default: 0] > free { return nil }
        }
        return left
    }
}
