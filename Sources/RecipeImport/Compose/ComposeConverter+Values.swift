import Yams

/// The service values that need more than a copy: environment, networks, dependencies, health checks, labels and
/// resources.
extension ComposeConverter {
    /// `environment` as a map (a `KEY=VALUE` list becomes one); every value a string.
    func environment(_ node: Node, at place: String) -> Node? {
        var pairs: [(String, Node?)] = []
        if let entries = node.entries {
            pairs = entries.map { ($0.key, $0.value.isNull ? nil : $0.value) }
        } else if let items = node.items {
            for item in items {
                guard let text = item.text else { continue }
                if let equals = text.firstIndex(of: "=") {
                    pairs.append((String(text[..<equals]), Node.scalar(.init(String(text[text.index(after: equals)...]), Tag(.str), .doubleQuoted))))
                } else {
                    pairs.append((text, nil))
                }
            }
        } else {
            context.drop(place, "neither a map nor a list; left out")
            return nil
        }
        var result: [(String, Node)] = []
        for (key, value) in pairs {
            let keyPlace = "\(place).\(key)"
            guard let value, let text = value.text else {
                context.drop(keyPlace, "no value: compose would take it from the shell that runs it; a recipe has none")
                continue
            }
            result.append((key, .str(value.isString ? context.rewrite(text, at: keyPlace) : text)))
        }
        return result.isEmpty ? nil : .map(result)
    }

    func networks(_ node: Node, at place: String) -> Node? {
        var left: [String] = []
        if let items = node.items {
            let names = items.compactMap(\.text)
            left = names.filter { storeNetworks.contains($0) }
            let kept = names.filter { !storeNetworks.contains($0) && $0 != "default" }
            if !left.isEmpty { context.drop(place, "\(left.joined(separator: ", ")): \(rules.storeNetworkWhy)") }
            return kept.isEmpty ? nil : .list(kept.map { .str($0) })
        }
        var kept: [(String, Node)] = []
        for (name, settings) in node.entries ?? [] {
            if storeNetworks.contains(name) {
                context.drop("\(place).\(name)", rules.storeNetworkWhy)
                continue
            }
            var entries: [(String, Node)] = []
            for (key, value) in settings.entries ?? [] {
                if key == "aliases" {
                    entries.append((key, copy(value, at: "\(place).\(name).\(key)")))
                } else {
                    context.drop("\(place).\(name).\(key)", "our compose subset sets network aliases only; Docker picks addresses")
                }
            }
            kept.append((name, .map(entries)))
        }
        // Only the default network, with nothing set: the service is on it anyway.
        if kept.allSatisfy({ $0.0 == "default" && $0.1.entries?.isEmpty != false }) { return nil }
        return .map(kept)
    }

    func dependsOn(_ node: Node, at place: String) -> Node? {
        func keep(_ name: String) -> Bool {
            if serviceNames.contains(name) { return true }
            context.drop("\(place).\(name)", "the service \(name) is not part of the recipe")
            return false
        }
        if let items = node.items {
            let names = items.compactMap(\.text).filter(keep)
            return names.isEmpty ? nil : .list(names.map { .str($0) })
        }
        var kept: [(String, Node)] = []
        for (name, settings) in node.entries ?? [] where keep(name) {
            var entries: [(String, Node)] = []
            for (key, value) in settings.entries ?? [] {
                if key == "condition" {
                    entries.append((key, copy(value, at: "\(place).\(name).\(key)")))
                } else {
                    context.drop("\(place).\(name).\(key)", "our compose subset reads the condition of a dependency only")
                }
            }
            kept.append((name, .map(entries)))
        }
        return kept.isEmpty ? nil : .map(kept)
    }

    func healthcheck(_ node: Node, at place: String) -> Node {
        var kept: [(String, Node)] = []
        for (key, value) in node.entries ?? [] {
            if ["test", "interval", "timeout", "start_period", "retries", "disable"].contains(key) {
                kept.append((key, copy(value, at: "\(place).\(key)")))
            } else {
                context.drop("\(place).\(key)", "our compose subset has no health check \(key)")
            }
        }
        return .map(kept)
    }

    /// Labels as a map, without the store's own.
    func labels(_ node: Node, at place: String) -> Node {
        var pairs: [(String, String)] = []
        if let entries = node.entries {
            pairs = entries.map { ($0.key, $0.value.text ?? "") }
        } else {
            for item in node.items ?? [] {
                guard let text = item.text else { continue }
                let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
                pairs.append((parts[0], parts.count > 1 ? parts[1] : ""))
            }
        }
        let dropped = pairs.filter { rules.isStoreLabel($0.0) }.map(\.0)
        if !dropped.isEmpty {
            let shown = dropped.prefix(3).joined(separator: ", ") + (dropped.count > 3 ? ", … (\(dropped.count) in all)" : "")
            context.drop(place, "\(shown): \(rules.storeLabelWhy)")
        }
        return .map(pairs.filter { !rules.isStoreLabel($0.0) }.map { ($0.0, .str(context.rewrite($0.1, at: "\(place).\($0.0)"))) })
    }

    /// `deploy.resources`: limits become `mem_limit`/`cpus`, reserved memory the component's requirement, a GPU
    /// reservation a GPU requirement; the rest is noted.
    func deploy(_ node: Node, at place: String, into draft: inout ServiceDraft) {
        for (key, _) in node.entries ?? [] where key != "resources" {
            context.drop("\(place).\(key)", "our compose subset has no deploy \(key)")
        }
        guard let resources = node.value("resources") else { return }
        for (kind, settings) in resources.entries ?? [] {
            let kindPlace = "\(place).resources.\(kind)"
            for (key, value) in settings.entries ?? [] {
                let keyPlace = "\(kindPlace).\(key)"
                switch (kind, key) {
                case ("limits", "memory") where draft.values["mem_limit"] == nil:
                    draft.values["mem_limit"] = memory(value, at: keyPlace)
                case ("limits", "cpus") where draft.values["cpus"] == nil:
                    draft.values["cpus"] = cpus(value, at: keyPlace)
                case ("reservations", "memory"):
                    if let bytes = value.text.flatMap(Self.bytes) {
                        reservedMemory += bytes
                    } else {
                        context.drop(keyPlace, "not a size; no memory requirement made of it")
                    }
                case ("reservations", "devices"):
                    let capabilities = (value.items ?? []).flatMap { ($0.value("capabilities")?.items ?? []).compactMap(\.text) }
                    if capabilities.contains("gpu") {
                        component.gpu = true
                        context.drop(keyPlace, "GPU access is not in our compose subset; the component now requires a device with a GPU")
                    } else {
                        context.drop(keyPlace, "device reservations are not in our compose subset (devices maps device files)")
                    }
                default:
                    context.drop(keyPlace, "our compose subset has no \(kind) \(key)")
                }
            }
        }
    }

    func memory(_ node: Node, at place: String) -> Node {
        guard let text = node.text, let bytes = Self.bytes(text) else { return copy(node, at: place) }
        return .str("\((bytes + (1 << 20) - 1) >> 20)m")
    }

    func cpus(_ node: Node, at place: String) -> Node {
        guard let text = node.text, Double(text) != nil else { return copy(node, at: place) }
        return .plain(text, tag: .float)
    }

    /// `512M`, `1g`, `1.5GiB`, `256mb`, `1024` (bytes) as bytes.
    static func bytes(_ text: String) -> Int64? {
        let lower = text.lowercased().filter { !$0.isWhitespace }
        let digits = lower.prefix { $0.isNumber || $0 == "." }
        guard let number = Double(digits), number >= 0 else { return nil }
        var unit = lower.dropFirst(digits.count)
        if unit.hasSuffix("ib") { unit = unit.dropLast(2) } else if unit.hasSuffix("b") { unit = unit.dropLast() }
        let scale: Double
        switch unit {
        case "": scale = 1
        case "k": scale = 1024
        case "m": scale = 1024 * 1024
        case "g": scale = 1024 * 1024 * 1024
        case "t": scale = 1024 * 1024 * 1024 * 1024
        default: return nil
        }
        return Int64((number * scale).rounded(.up))
    }

    /// `logging`: its driver and options.
    func logging(_ node: Node, at place: String) -> Node {
        var kept: [(String, Node)] = []
        for (key, value) in node.entries ?? [] {
            if key == "driver" || key == "options" {
                kept.append((key, copy(value, at: "\(place).\(key)")))
            } else {
                context.drop("\(place).\(key)", "our compose subset sets a logging driver and its options only")
            }
        }
        return .map(kept)
    }
}
