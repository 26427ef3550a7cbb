extension Scheduler {
    /// What put the first of a ranking ahead of the second: the first key of the order on which they differ.
    func decision(_ ranking: [(assessment: Assessment, group: Int)], component: PlacementRequest.Component,
                  devices: [String: DeviceState], homelab: Homelab) -> Plan.Decision {
        guard let (chosen, group) = ranking.first else { return Plan.Decision(by: .onlyCandidate, words: "the only device that can take it") }
        guard ranking.count > 1, ranking[1].assessment.eligible else {
            let other = ranking.count > 1 ? ranking[1].assessment : nil
            return Plan.Decision(by: .onlyCandidate, over: other?.device,
                                 words: "the only device that can take it" + (other.map { " (\($0.device): \($0.reason))" } ?? ""))
        }
        let next = ranking[1].assessment
        if chosen.tier != next.tier {
            let why = next.concerns.isEmpty ? "scores \(Bytes.decimal(next.score))" : Self.joined(next.concerns.map(\.words))
            return Plan.Decision(by: .tier, over: next.device, words: "\(next.device) is \(next.tier.words): \(why)")
        }
        if chosen.orderKey.1 != next.orderKey.1 {
            return Plan.Decision(by: .alwaysOn, over: next.device, words: "\(next.device) is not always on")
        }
        if chosen.copies != next.copies {
            return Plan.Decision(by: .spread, over: next.device, words: "\(next.device) already runs \(next.copies) cop\(next.copies == 1 ? "y" : "ies") of it")
        }
        if chosen.orderKey.3 != next.orderKey.3, let here = devices[chosen.device], let there = devices[next.device] {
            let preferred = component.prefer.filter { $0 != .alwaysOn && $0 != .lowPower }
            func met(_ device: DeviceState) -> [String] { preferred.filter { homelab.traits(of: device).contains($0) }.map(\.rawValue) }
            let (mine, theirs) = (met(here), met(there))
            return Plan.Decision(by: .traits, factor: "traits", over: next.device,
                                 words: "it has \(mine.count) of the \(preferred.count) traits the app prefers (\(mine.joined(separator: ", "))), "
                                    + "\(next.device) \(theirs.count)" + (theirs.isEmpty ? "" : " (\(theirs.joined(separator: ", ")))"))
        }
        if ranking[1].group != group {
            // Each factor's share of the difference in points: a judgement factor by its weight in the mean, fit by its
            // points, room (taken off) by its points the other way.
            let mine = Dictionary(chosen.factors.map { ($0.name, $0) }) { first, _ in first }
            let judged = chosen.factors.filter { !Self.packingFactors.contains($0.name) }.map(\.weight).reduce(0, +)
            let deciding = next.factors.compactMap { theirs -> (Assessment.Factor, Assessment.Factor, Double)? in
                guard let own = mine[theirs.name] else { return nil }
                let difference = own.score - theirs.score
                let points = own.name == "fit" ? own.weight * difference / 100 : own.name == "room" ? -own.weight * difference / 100
                    : judged > 0 ? own.weight * difference / judged : 0
                return (own, theirs, points)
            }.max { ($0.2, $1.0.name) < ($1.2, $0.0.name) }
            let words = "scores \(Bytes.decimal(chosen.score)) against \(Bytes.decimal(next.score))"
                + (deciding.map { ", mostly on \($0.0.name): \($0.0.note), against \($0.1.note)" } ?? "")
            return Plan.Decision(by: .score, factor: deciding?.0.name, over: next.device, words: words)
        }
        let free = { (name: String) in devices[name]?.freeMemory.map { $0 - component.memoryBytes } }
        if let a = free(chosen.device), let b = free(next.device), a != b {
            return Plan.Decision(by: .tighterFit, over: next.device,
                                 words: "within \(Bytes.decimal(equalWithin)) points of \(next.device), which counts as equal: the tighter fit "
                                    + "(\(Bytes.words(a)) RAM left after this app, against \(Bytes.words(b))) keeps \(next.device)'s larger hole")
        }
        return Plan.Decision(by: .name, over: next.device, words: "as good as \(next.device): first by name")
    }

    /// Why a component of a joint set is not on the first device of its own ranking.
    func jointDecision(_ component: PlacementRequest.Component, chosen: Assessment, ranking: [(assessment: Assessment, group: Int)],
                       set: [(PlacementRequest.Component, Assessment)]) -> Plan.Decision {
        let first = ranking.first?.assessment.device ?? chosen.device
        let sharing = set.filter { $0.0.name != component.name && $0.1.device == first }.map(\.0.name)
        let words = sharing.isEmpty
            ? "placed with the other components: the set scores best this way (\(first) ranks first alone)"
            : "\(first) ranks first alone, but the set fits best with \(Self.joined(sharing)) there"
        return Plan.Decision(by: .joint, over: first, words: words)
    }

    /// Why packing put a component on `chosen` rather than on `over`: whichever of fit and room gave more points, in words.
    func packingReason(_ chosen: Assessment, over: Assessment, component: PlacementRequest.Component, request: PlacementRequest,
                       devices: [String: DeviceState], homelab: Homelab) -> String {
        guard let here = devices[chosen.device], let there = devices[over.device] else { return "it fits more tightly" }
        let (fitHere, fitThere) = (Fit(here, component), Fit(there, component))
        let fitGain = weights.fit * (fitHere.score - fitThere.score) / 100
        let roomGain = weights.room * ((over.factors.first { $0.name == "room" }?.score ?? 0) - (chosen.factors.first { $0.name == "room" }?.score ?? 0)) / 100
        if roomGain > fitGain, let room = scarceRoom(there, component: component, request: request, traits: homelab.traits(of: there), homelab: homelab) {
            return "it keeps \(over.device)'s \(room.kind) for the apps that need it"
        }
        var kept: [(gain: Double, words: String)] = []
        if let a = fitThere.storage, let b = fitHere.storage, let free = there.storageAvailableBytes {
            kept.append((a - b, "keeps \(over.device)'s \(Bytes.words(free)) of storage for apps that need it"))
        }
        if let a = fitThere.memory, let b = fitHere.memory, let free = there.freeMemory {
            kept.append((a - b, "keeps \(over.device)'s \(Bytes.words(free)) of RAM for larger apps"))
        }
        if let a = fitThere.cpu, let b = fitHere.cpu { kept.append((a - b, "keeps \(over.device)'s idle CPU for heavier apps")) }
        let best = kept.max { $0.gain < $1.gain }?.words ?? "keeps \(over.device)'s room for larger apps"
        return "\(chosen.device) fits it more tightly, which \(best)"
    }
}
