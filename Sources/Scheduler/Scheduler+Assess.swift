import Foundation
import Recipes

extension Scheduler {
    /// Storage kept free on every device, as a share of its total (a full disk breaks apps).
    static let storageMargin = 0.1
    /// Room an app's data should have to grow, as a multiple of what its recipe declares: less than this above the
    /// margin is low storage.
    static let storageGrowth = 4.0
    /// RAM left free after the app, as a share of the total, below which the device is near its RAM limit.
    static let memoryMargin = 0.1
    /// Scores from which an eligible device is Recommended, and under which it is Not recommended.
    static let recommendedLine = 60.0, okLine = 35.0
    /// The factors that are packing, not judgement: points added to (fit) or taken from (room) the judgement.
    static let packingFactors: Set<String> = ["fit", "room"]

    /// One device for one component: the hard filters, the weighted factors, the concerns, the tier and the words.
    public func assess(_ device: DeviceState, for component: PlacementRequest.Component, request: PlacementRequest, in homelab: Homelab) -> Assessment {
        let traits = homelab.traits(of: device)
        var rejections: [String] = []
        var warnings: [String] = []
        if !device.online { rejections.append("offline") }
        if device.draining { rejections.append("draining") }
        if request.notOn.contains(device.name) { rejections.append("excluded by request") }
        if let group = request.group, !device.groups.contains(group) { rejections.append("not in group \(group)") }
        if let machine = device.architecture {
            let architecture = RecipeArchitecture(machine: machine)
            if architecture.map({ !request.architectures.contains($0) }) ?? true {
                rejections.append("\(architecture?.rawValue ?? machine) is not supported (the app runs on \(request.architectures.map(\.rawValue).joined(separator: ", ")))")
            }
        } else {
            warnings.append("architecture not reported yet")
        }
        let freeMemory = device.freeMemory
        if let free = freeMemory {
            if component.memoryBytes > free { rejections.append("\(Bytes.words(free)) RAM free, app needs \(Bytes.words(component.memoryBytes))") }
        } else {
            warnings.append("no memory figures yet (a fresh device): RAM not checked")
        }
        if let free = device.storageAvailableBytes {
            if component.storageBytes > free {
                rejections.append("\(Bytes.words(free)) storage free, app needs \(Bytes.words(component.storageBytes))")
            }
        } else {
            warnings.append("no storage figures yet: storage not checked")
        }
        for port in component.ports where device.publishedPorts.contains(port) { rejections.append("port \(port) already published there") }
        if component.gpu && !traits.contains(.gpu) { rejections.append("no GPU") }
        if component.alwaysOn && !traits.contains(.alwaysOn) { rejections.append("not always on, and the app must be") }

        let factors = factors(device, component: component, request: request, traits: traits, homelab: homelab, warnings: &warnings)
        let copies = device.apps.filter { $0.recipe == request.recipe }.count
        guard rejections.isEmpty else {
            return Assessment(device: device.name, tier: .notRecommended, score: 0, judgement: 0, factors: factors, rejections: rejections, concerns: [],
                              strengths: [], copies: copies, warnings: warnings, reason: rejections[0])
        }
        // The judgement: the weighted mean of every factor but packing's, which decides the tier; packing adds (fit) and
        // takes (room) its points on top.
        let judged = factors.filter { !Self.packingFactors.contains($0.name) }
        let total = judged.map(\.weight).reduce(0, +)
        let judgement = total > 0 ? judged.map { $0.score * $0.weight }.reduce(0, +) / total : 0
        let wantsAlwaysOn = component.wantsAlwaysOn
        var concerns = concerns(device, component: component, traits: traits)
        if judgement < Self.okLine {
            // The weakest factors a concern does not already name.
            let named: Set<String> = concerns.contains { $0.code == .notAlwaysOn } ? ["always-on"] : []
            let weakest = judged.filter { $0.weight > 0 && !named.contains($0.name) }.sorted { ($0.score, $0.name) < ($1.score, $1.name) }.prefix(2)
            concerns.append(.init(code: .lowScore, words: "weak on " + Self.joined(weakest.map { "\($0.name) (\($0.note))" })))
        }
        // An always-on device stays at least OK for an app that wants one: such an app never goes elsewhere while it fits.
        let floor = wantsAlwaysOn && traits.contains(.alwaysOn)
        let tier: Assessment.Tier = judgement >= Self.recommendedLine && concerns.isEmpty ? .recommended
            : judgement >= Self.okLine || floor ? .ok : .notRecommended
        let packing = factors.filter { $0.name == "fit" }.map { $0.score * $0.weight / 100 }.reduce(0, +)
            - factors.filter { $0.name == "room" }.map { $0.score * $0.weight / 100 }.reduce(0, +)
        // Each tier's scores stay under the line of the tier above, so the list reads the same by tier and by score.
        let ceiling = tier == .recommended ? 100 + weights.fit : tier == .ok ? Self.recommendedLine - 0.1 : Self.okLine - 0.1
        let score = (min(ceiling, judgement + packing) * 10).rounded() / 10
        let strengths = strengths(device, component: component, traits: traits, concerns: concerns)
        var reason = strengths.isEmpty ? "fits" : Self.joined(strengths)
        if !concerns.isEmpty { reason += ", but " + Self.joined(concerns.map(\.words)) }
        return Assessment(device: device.name, tier: tier, score: score, judgement: (judgement * 10).rounded() / 10, factors: factors, rejections: [],
                          concerns: concerns, strengths: strengths,
                          copies: copies, warnings: warnings, reason: reason)
    }

    /// What keeps an eligible device from Recommended: low storage, RAM near its limit, not always on for an app that wants it.
    func concerns(_ device: DeviceState, component: PlacementRequest.Component, traits: Set<DeviceTrait>) -> [Assessment.Concern] {
        var concerns: [Assessment.Concern] = []
        if let free = device.storageAvailableBytes, let total = device.storageTotalBytes, total > 0 {
            let after = free - component.storageBytes
            let aboveMargin = Double(after) - Self.storageMargin * Double(total)
            if aboveMargin < Self.storageGrowth * Double(component.storageBytes) || aboveMargin < 0 {
                concerns.append(.init(code: .lowStorage, words: "low storage (\(Bytes.words(after)) free of \(Bytes.words(total)) after this app)"))
            }
        }
        if let free = device.freeMemory, let total = device.memoryTotalBytes, total > 0 {
            let after = free - component.memoryBytes
            if Double(after) < Self.memoryMargin * Double(total) {
                concerns.append(.init(code: .nearMemoryLimit, words: "near its RAM limit (\(Bytes.words(after)) free of \(Bytes.words(total)) after this app)"))
            }
        }
        if component.wantsAlwaysOn && !traits.contains(.alwaysOn) { concerns.append(.init(code: .notAlwaysOn, words: "not always on")) }
        return concerns
    }

    /// What speaks for a device, in the order a person weighs it: RAM, storage the app needs, always on, low power, the traits it prefers.
    func strengths(_ device: DeviceState, component: PlacementRequest.Component, traits: Set<DeviceTrait>, concerns: [Assessment.Concern]) -> [String] {
        var good: [String] = []
        if let free = device.freeMemory, !concerns.contains(where: { $0.code == .nearMemoryLimit }) { good.append("\(Bytes.words(free)) RAM free") }
        let bigData = component.storageBytes >= 10 << 30 || component.prefer.contains(.storageOptimized)
        if bigData, let free = device.storageAvailableBytes, !concerns.contains(where: { $0.code == .lowStorage }) {
            good.append("\(Bytes.words(free)) storage free")
        }
        if traits.contains(.alwaysOn) { good.append("always on") }
        if traits.contains(.lowPower) && (component.wantsAlwaysOn || component.prefer.contains(.lowPower)) { good.append("low power") }
        let words: [DeviceTrait: String] = [.gpu: "a GPU", .fastCPU: "a fast CPU", .highMemory: "high memory"]
        for trait in [DeviceTrait.gpu, .fastCPU, .highMemory] where traits.contains(trait) && (component.prefer.contains(trait) || trait == .gpu && component.gpu) {
            good.append(words[trait]!)
        }
        return good
    }

    static func joined(_ parts: [String]) -> String {
        parts.count <= 1 ? parts.joined() : parts.dropLast().joined(separator: ", ") + " and " + parts.last!
    }

    /// `30 days`, `2.5 days`, `3 hours`, `12 minutes`.
    static func days(_ days: Double) -> String {
        if days >= 1 { return "\(Bytes.decimal(days)) day\(days == 1 ? "" : "s")" }
        let hours = days * 24
        return hours >= 1 ? "\(Bytes.decimal(hours)) hour\(hours == 1 ? "" : "s")" : "\(max(1, Int((hours * 60).rounded()))) minutes"
    }

    static func clamp(_ value: Double) -> Double { (min(100, max(0, value)) * 10).rounded() / 10 }

    /// `72 %`.
    static func sharePercent(_ share: Double) -> String { "\(Int((share * 100).rounded())) %" }

    /// The soft factors, each 0-100 with its weight (0: does not apply to this component).
    func factors(_ device: DeviceState, component: PlacementRequest.Component, request: PlacementRequest, traits: Set<DeviceTrait>,
                 homelab: Homelab, warnings: inout [String]) -> [Assessment.Factor] {
        var out: [Assessment.Factor] = []
        func add(_ name: String, _ score: Double, _ weight: Double, _ note: String) {
            out.append(.init(name: name, score: Self.clamp(score), weight: weight, note: note))
        }
        // RAM: a quarter left free after this app is comfortable; below it the score falls to 0 when nothing would be left.
        if let free = device.freeMemory, let total = device.memoryTotalBytes, total > 0 {
            let after = free - component.memoryBytes
            add("ram-headroom", Double(after) / Double(total) / 0.25 * 100, weights.ramHeadroom,
                "\(Bytes.words(max(0, after))) RAM free of \(Bytes.words(total)) after this app")
        } else {
            add("ram-headroom", 50, weights.ramHeadroom, "unknown")
        }
        // Storage: the room above the 10 % margin after this app, against the room its data needs to grow; twice that
        // is full marks (300 GB free of 2 TB is plenty for a 1 GB app, 5 GB of a 16 GB card is not).
        if let free = device.storageAvailableBytes, let total = device.storageTotalBytes, total > 0 {
            let after = free - component.storageBytes
            let room = Double(after) - Self.storageMargin * Double(total)
            let wanted = 2 * Self.storageGrowth * Double(component.storageBytes)
            add("storage-headroom", room <= 0 ? 0 : wanted <= 0 ? 100 : room / wanted * 100, weights.storageHeadroom,
                "\(Bytes.words(max(0, after))) storage free of \(Bytes.words(total)) after this app")
        } else {
            add("storage-headroom", 50, weights.storageHeadroom, "unknown")
        }

        // CPU: cores × GHz × idle share, against half a GHz per unit of CPU weight; four times that is full marks.
        let ghz = (device.cpuMHz ?? 1500) / 1000
        let idle = 1 - (device.cpuBusyPercent ?? 50) / 100
        if let cores = device.cores {
            let capacity = Double(cores) * ghz * idle
            let idleWords = device.cpuBusyPercent == nil ? "load unknown" : "\(Int((idle * 100).rounded())) % idle"
            add("cpu", capacity / (Self.ghzPerCPUWeight * Double(component.cpuWeight) * 4) * 100, weights.cpuCapability,
                "\(cores) cores × \(Bytes.decimal(ghz))\(device.cpuMHz == nil ? " (assumed)" : "") GHz, \(idleWords)")
        } else {
            add("cpu", 50, weights.cpuCapability, "unknown")
        }

        // Reliability: 90 % availability is 0, 100 % is full marks, less 5 per reboot; a week of history counts in full,
        // less leans toward the 50 of no history (a device enrolled an hour ago has proved nothing yet).
        if let availability = device.availability {
            let observed = device.observedDays ?? 30
            let measured = (availability - 0.9) / 0.1 * 100 - 5 * Double(device.reboots ?? 0)
            add("reliability", 50 + (Self.clamp(measured) - 50) * min(1, observed / 7), weights.reliability,
                "online \(Bytes.decimal(availability * 100)) % of \(Self.days(observed)), \(device.reboots ?? 0) reboots")
        } else {
            add("reliability", 50, weights.reliability, "no history yet")
            warnings.append("no availability history yet")
        }

        let wantsAlwaysOn = component.wantsAlwaysOn
        add("always-on", traits.contains(.alwaysOn) ? 100 : 0, wantsAlwaysOn ? weights.alwaysOnFit : 0,
            traits.contains(.alwaysOn) ? "always on" : "not always on")

        // Power, against the homelab's lowest draw; twice the weight for apps that run all the time, and twice again
        // for apps that prefer low power (that preference is weighed here, not among the traits).
        add("power", homelab.powerScore(device), weights.powerDraw * (wantsAlwaysOn ? 2 : 1) * (component.prefer.contains(.lowPower) ? 2 : 1),
            device.watts.map { watts in
                let above = watts - (homelab.lowestWatts ?? watts)
                return "\(Bytes.decimal(watts)) W" + (above > 0 ? ", \(Bytes.decimal(above)) W above the homelab's lowest" : ", the homelab's lowest")
            } ?? "unknown")

        add("load", 100 - (device.cpuBusyPercent ?? 50), weights.load, device.cpuBusyPercent.map { "\(Int($0.rounded())) % CPU busy" } ?? "unknown")

        // Spread: never with another instance of the same app if it can be helped; fewer same-category apps is better.
        let same = device.apps.filter { $0.recipe == request.recipe }.count
        let sameCategory = device.apps.filter { $0.category != nil && $0.category == request.category }.count
        add("spread", same > 0 ? 0 : max(50, 100 - 10 * Double(sameCategory)), weights.spread,
            same > 0 ? "already runs \(request.recipe)" : "\(sameCategory) \(request.category ?? "") app\(sameCategory == 1 ? "" : "s") there")

        let preferred = component.prefer.filter { $0 != .alwaysOn && $0 != .lowPower }
        let met = preferred.filter { traits.contains($0) }
        add("traits", preferred.isEmpty ? 100 : Double(met.count) / Double(preferred.count) * 100, preferred.isEmpty ? 0 : weights.traits,
            preferred.isEmpty ? "no preference" : "has \(met.map(\.rawValue).joined(separator: ", ").isEmpty ? "none" : met.map(\.rawValue).joined(separator: ", ")) of \(preferred.map(\.rawValue).joined(separator: ", "))")

        let fit = Fit(device, component)
        add("fit", fit.score, weights.fit, fit.note)

        let room = scarceRoom(device, component: component, request: request, traits: traits, homelab: homelab)
        add("room", room.map { 100 * pow($0.share, 2) } ?? 0, weights.room, room.map { "takes \($0.kind)" } ?? "takes no scarce room")
        return out
    }
}

extension PlacementRequest.Component {
    /// Whether it must, or would rather, run on an always-on device.
    var wantsAlwaysOn: Bool { alwaysOn || prefer.contains(.alwaysOn) }
}

extension Scheduler {
    /// The scarcest kind of room this device has that the app does not need (always on, x86), with the share of it in
    /// use across the homelab: taking it costs the apps that do need it, the more the scarcer it is.
    func scarceRoom(_ device: DeviceState, component: PlacementRequest.Component, request: PlacementRequest, traits: Set<DeviceTrait>,
                    homelab: Homelab) -> (share: Double, kind: String)? {
        var kinds: [(share: Double, kind: String)] = []
        if !component.wantsAlwaysOn && traits.contains(.alwaysOn) {
            kinds.append((homelab.alwaysOnMemoryInUse, "always-on room (\(Self.sharePercent(homelab.alwaysOnMemoryInUse)) of its RAM in use)"))
        }
        if let share = homelab.x86MemoryInUse, device.architecture.flatMap(RecipeArchitecture.init(machine:)) == .amd64,
           request.architectures.contains(where: { $0 != .amd64 }) {
            kinds.append((share, "x86 room (\(Self.sharePercent(share)) of its RAM in use)"))
        }
        return kinds.max { $0.share < $1.share }
    }
}
