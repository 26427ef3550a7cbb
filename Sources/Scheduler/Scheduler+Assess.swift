import Recipes

extension Scheduler {
    /// One device for one component: the hard filters, then the weighted factors, the tier and the words.
    public func assess(_ device: DeviceState, for component: PlacementRequest.Component, request: PlacementRequest) -> Assessment {
        let traits = device.effectiveTraits
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

        let factors = factors(device, component: component, request: request, traits: traits, warnings: &warnings)
        let total = factors.map(\.weight).reduce(0, +)
        var score = rejections.isEmpty && total > 0 ? (factors.map { $0.score * $0.weight }.reduce(0, +) / total * 10).rounded() / 10 : 0
        // Less than a tenth of the storage left free is a weak point: the device can take it, but a full disk
        // breaks apps, so its score stays below the line of the recommended. RAM may fill (the RAM factor
        // already weighs it, and packing keeps room for large apps).
        let storageLeft = device.storageAvailableBytes.flatMap { free in
            device.storageTotalBytes.map { $0 > 0 ? Double(free - component.storageBytes) / Double($0) : 1 }
        } ?? 1
        let weak = storageLeft < Packing.storageMargin ? factors.filter { $0.name == "storage-headroom" && $0.weight > 0 } : []
        if !weak.isEmpty { score = min(score, 59) }
        let tier: Assessment.Tier = !rejections.isEmpty ? .notRecommended : score >= 60 && weak.isEmpty ? .recommended : score >= 35 ? .ok : .notRecommended
        var reason: String
        if let first = rejections.first {
            reason = "\(device.name): \(first)"
        } else {
            var good: [String] = []
            if let free = freeMemory { good.append("\(Bytes.words(free)) RAM free") }
            if traits.contains(.alwaysOn) { good.append("always on") }
            if component.prefer.contains(.storageOptimized) && traits.contains(.storageOptimized) { good.append("storage-optimized") }
            if traits.contains(.lowPower) && (component.alwaysOn || component.prefer.contains(.lowPower)) { good.append("low power") }
            reason = "\(device.name): " + (good.isEmpty ? "fits" : Self.joined(good))
            if let point = weak.first { reason += ", but only \(point.note)" }
        }
        return Assessment(device: device.name, tier: tier, score: score, factors: factors, rejections: rejections, warnings: warnings, reason: reason)
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

    /// The soft factors, each 0-100 with its weight (0: does not apply to this component).
    func factors(_ device: DeviceState, component: PlacementRequest.Component, request: PlacementRequest, traits: Set<DeviceTrait>,
                 warnings: inout [String]) -> [Assessment.Factor] {
        var out: [Assessment.Factor] = []
        func add(_ name: String, _ score: Double, _ weight: Double, _ note: String) {
            out.append(.init(name: name, score: Self.clamp(score), weight: weight, note: note))
        }
        // Headroom: what stays free after this app, as a share of the total (`score(share)`).
        func headroom(_ name: String, free: Int64?, total: Int64?, need: Int64, weight: Double, what: String, score: (Double) -> Double) {
            guard let free, let total, total > 0 else {
                add(name, 50, weight, "unknown")
                return
            }
            let after = free - need
            add(name, score(Double(after) / Double(total)), weight, "\(Bytes.words(max(0, after))) \(what) free of \(Bytes.words(total)) after this app")
        }
        // RAM: a fifth left free is the comfortable margin. Below it the score falls to 0; above it, fuller devices
        // score a little higher (100 at the margin, 60 when empty), so apps pack and large holes stay for large apps.
        headroom("ram-headroom", free: device.freeMemory, total: device.memoryTotalBytes, need: component.memoryBytes, weight: weights.ramHeadroom,
                 what: "RAM") { share in share < 0.2 ? 60 + share / 0.2 * 40 : 100 - (share - 0.2) / 0.8 * 40 }
        // Storage fills slowly and is cheap to leave free: half free or more is full marks.
        headroom("storage-headroom", free: device.storageAvailableBytes, total: device.storageTotalBytes, need: component.storageBytes,
                 weight: weights.storageHeadroom, what: "storage") { share in share / 0.5 * 100 }

        // CPU: cores × GHz × idle share, against half a GHz per unit of CPU weight; four times that is full marks.
        let ghz = (device.cpuMHz ?? 1500) / 1000
        let idle = 1 - (device.cpuBusyPercent ?? 50) / 100
        if let cores = device.cores {
            let capacity = Double(cores) * ghz * idle
            let idleWords = device.cpuBusyPercent == nil ? "load unknown" : "\(Int((idle * 100).rounded())) % idle"
            add("cpu", capacity / (0.5 * Double(component.cpuWeight) * 4) * 100, weights.cpuCapability,
                "\(cores) cores × \(Bytes.decimal(ghz))\(device.cpuMHz == nil ? " (assumed)" : "") GHz, \(idleWords)")
        } else {
            add("cpu", 50, weights.cpuCapability, "unknown")
        }

        // Reliability: 90 % availability is 0, 100 % is full marks, less 5 per reboot.
        if let availability = device.availability {
            add("reliability", (availability - 0.9) / 0.1 * 100 - 5 * Double(device.reboots ?? 0), weights.reliability,
                "online \(Bytes.decimal(availability * 100)) % of \(Self.days(device.observedDays ?? 30)), \(device.reboots ?? 0) reboots")
        } else {
            add("reliability", 50, weights.reliability, "no history yet")
            warnings.append("no availability history yet")
        }

        let wantsAlwaysOn = component.alwaysOn || component.prefer.contains(.alwaysOn)
        add("always-on", traits.contains(.alwaysOn) ? 100 : 0, wantsAlwaysOn ? weights.alwaysOnFit : 0,
            traits.contains(.alwaysOn) ? "always on" : "not always on")

        // Power: 5 W or less is full marks, 60 W or more none; twice the weight for apps that run all the time.
        let powerScore: Double = device.watts.map { (60 - $0) / 55 * 100 } ?? (traits.contains(.lowPower) ? 80 : 50)
        add("power", powerScore, weights.powerDraw * (wantsAlwaysOn ? 2 : 1), device.watts.map { "\(Bytes.decimal($0)) W" } ?? "unknown")

        add("load", 100 - (device.cpuBusyPercent ?? 50), weights.load, device.cpuBusyPercent.map { "\(Int($0.rounded())) % CPU busy" } ?? "unknown")

        // Spread: never with another instance of the same app if it can be helped; fewer same-category apps is better.
        let same = device.apps.filter { $0.recipe == request.recipe }.count
        let sameCategory = device.apps.filter { $0.category != nil && $0.category == request.category }.count
        add("spread", same > 0 ? 0 : max(50, 100 - 10 * Double(sameCategory)), weights.spread,
            same > 0 ? "already runs \(request.recipe)" : "\(sameCategory) \(request.category ?? "") app\(sameCategory == 1 ? "" : "s") there")

        let preferred = component.prefer.filter { $0 != .alwaysOn }
        let met = preferred.filter { traits.contains($0) }
        add("traits", preferred.isEmpty ? 100 : Double(met.count) / Double(preferred.count) * 100, preferred.isEmpty ? 0 : weights.traits,
            preferred.isEmpty ? "no preference" : "has \(met.map(\.rawValue).joined(separator: ", ").isEmpty ? "none" : met.map(\.rawValue).joined(separator: ", ")) of \(preferred.map(\.rawValue).joined(separator: ", "))")
        return out
    }
}

/// Sizes and numbers as people read them.
public enum Bytes {
    /// `512 MB`, `7.5 GB`, `2 TB` (powers of 1024).
    public static func words(_ bytes: Int64) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB", "PB"]
        var value = Double(max(0, bytes))
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return "\(decimal(value)) \(units[unit])"
    }

    /// One decimal, none when whole: `7.5`, `8`.
    static func decimal(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
