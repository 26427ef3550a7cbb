import Foundation
import Protocol

/// Turns a component's compose fragment, in the spellings compose files use, into the canonical JSON
/// `StackSpec` decodes: string commands split, `KEY=VALUE` lists made maps, short volume syntax made
/// long, sizes made bytes. Scalars are rendered (templates substituted) as they are read, so a value
/// never becomes structure. Keys outside the runtime's subset are refused by name.
struct ComposeNormalizer {
    static let topLevelKeys = ["services", "volumes", "networks"]
    static let serviceKeys = ["image", "command", "entrypoint", "environment", "ports", "volumes", "tmpfs", "networks", "depends_on",
                              "healthcheck", "restart", "labels", "user", "working_dir", "cap_add", "cap_drop", "devices", "privileged",
                              "network_mode", "sysctls", "ulimits", "mem_limit", "cpus", "logging", "tty"]
    /// Compose keys people use that the runtime does not carry (yet); named in the error.
    static let unsupported: [String: String] = [
        "build": "images are pulled, never built on a device",
        "container_name": "containers are named by the project, so two deployments never clash",
        "env_file": "put the variables under environment",
    ]

    var reader: TreeReader
    /// Renders a scalar's text; nil when it holds a bad template (then it has recorded the problem).
    let render: (String, Place, inout TreeReader) -> String?

    init(reader: TreeReader, render: @escaping (String, Place, inout TreeReader) -> String?) {
        self.reader = reader
        self.render = render
    }

    mutating func text(_ tree: ComposeTree) -> String? {
        guard case .scalar(let raw, _, let place) = tree, !tree.isNull else {
            reader.fail(tree, "must be text")
            return nil
        }
        return render(raw, place, &reader)
    }

    mutating func number(_ tree: ComposeTree, what: String = "a whole number") -> Int? {
        guard let value = text(tree) else { return nil }
        guard let number = Int(value) else {
            reader.fail(tree, "\"\(value)\" is not \(what)")
            return nil
        }
        return number
    }

    mutating func flag(_ tree: ComposeTree) -> Bool? {
        switch text(tree) {
        case "true", "True", "TRUE"?: return true
        case "false", "False", "FALSE"?: return false
        case nil: return nil
        case let other?:
            reader.fail(tree, "\"\(other)\" is not true or false")
            return nil
        }
    }

    mutating func strings(_ tree: ComposeTree) -> [String]? {
        if case .scalar = tree, !tree.isNull { return text(tree).map { [$0] } }
        return reader.list(tree)?.compactMap { text($0) }
    }

    /// A map of strings from a mapping (numbers and booleans as written) or a `KEY=VALUE` list.
    mutating func stringMap(_ tree: ComposeTree) -> [String: String]? {
        var out: [String: String] = [:]
        if case .list(let items, _) = tree {
            for item in items {
                guard let line = text(item) else { continue }
                guard let equals = line.firstIndex(of: "="), equals != line.startIndex else {
                    reader.fail(item, "\"\(line)\" is not KEY=VALUE")
                    continue
                }
                out[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            return out
        }
        guard let entries = reader.map(tree) else { return nil }
        for entry in entries {
            if entry.value.isNull {
                reader.fail(entry.value, "has no value (a compose file would take it from the shell; a recipe must say it)")
                continue
            }
            if let value = text(entry.value) { out[entry.key] = value }
        }
        return out
    }

    // MARK: The fragment

    mutating func stack(_ tree: ComposeTree, name: String, deployment: String) -> [String: Any] {
        var out: [String: Any] = ["name": name, "x-homelab-deployment": deployment]
        guard let entries = reader.map(tree, allowed: Self.topLevelKeys) else { return out }
        for entry in entries {
            switch entry.key {
            case "services":
                var services: [String: Any] = [:]
                for service in reader.map(entry.value) ?? [] { services[service.key] = self.service(service.value) }
                out["services"] = services
            case "volumes":
                var volumes: [String: Any] = [:]
                for volume in reader.map(entry.value) ?? [] { volumes[volume.key] = self.labelled(volume.value, extra: []) }
                out["volumes"] = volumes
            case "networks":
                var networks: [String: Any] = [:]
                for network in reader.map(entry.value) ?? [] { networks[network.key] = self.labelled(network.value, extra: ["internal"]) }
                out["networks"] = networks
            default: break
            }
        }
        return out
    }

    /// A top-level volume or network: nothing, or `labels` (and `internal` for networks).
    mutating func labelled(_ tree: ComposeTree, extra: [String]) -> [String: Any] {
        var out: [String: Any] = [:]
        for entry in reader.map(tree, allowed: ["labels"] + extra) ?? [] {
            switch entry.key {
            case "labels": out["labels"] = stringMap(entry.value)
            case "internal": out["internal"] = flag(entry.value)
            default: break
            }
        }
        return out
    }

    mutating func service(_ tree: ComposeTree) -> [String: Any] {
        var out: [String: Any] = [:]
        guard let entries = tree.entries else {
            reader.fail(tree, "must be a mapping of service fields")
            return out
        }
        for entry in entries {
            let value = entry.value
            switch entry.key {
            case "image", "restart", "user", "working_dir", "network_mode": out[entry.key] = text(value)
            case "command", "entrypoint":
                if case .scalar = value, let line = text(value) {
                    if let words = ShellWords.split(line) { out[entry.key] = words } else { reader.fail(value, "has an unclosed quote") }
                } else {
                    out[entry.key] = strings(value)
                }
            case "environment", "labels", "sysctls": out[entry.key] = stringMap(value)
            case "cap_add", "cap_drop", "devices", "tmpfs": out[entry.key] = strings(value)
            case "privileged", "tty": out[entry.key] = flag(value)
            case "ports": out["ports"] = reader.list(value)?.compactMap { port($0) }
            case "volumes": out["volumes"] = reader.list(value)?.compactMap { mount($0) }
            case "networks": out["networks"] = serviceNetworks(value)
            case "depends_on": out["depends_on"] = dependencies(value)
            case "healthcheck": out["healthcheck"] = healthcheck(value)
            case "ulimits": out["ulimits"] = ulimits(value)
            case "mem_limit":
                if let size = text(value) {
                    if let bytes = TreeReader.bytes(size) { out["mem_limit"] = bytes } else { reader.fail(value, "\"\(size)\" is not a size (e.g. 512m, 1g)") }
                }
            case "cpus":
                if let cpus = text(value) {
                    if let number = Double(cpus), number > 0 { out["cpus"] = number } else { reader.fail(value, "\"\(cpus)\" is not a number of CPUs") }
                }
            case "logging":
                var logging: [String: Any] = [:]
                for item in reader.map(value, allowed: ["driver", "options"]) ?? [] {
                    if item.key == "driver" { logging["driver"] = text(item.value) } else { logging["options"] = stringMap(item.value) }
                }
                out["logging"] = logging
            default:
                if let why = Self.unsupported[entry.key] {
                    reader.fail(value, "is not supported: \(why)")
                } else {
                    reader.fail(value, "is not a compose key the homelab runtime supports\(TreeReader.suggestion(for: entry.key, among: Self.serviceKeys))")
                }
            }
        }
        return out
    }

    mutating func port(_ tree: ComposeTree) -> Any? {
        if case .scalar = tree {
            guard let spec = text(tree) else { return nil }
            if spec.contains("-") && !spec.hasPrefix("[") {
                reader.fail(tree, "\"\(spec)\" is a port range; publish each port on its own")
                return nil
            }
            guard PortSpec(shortSyntax: spec) != nil else {
                reader.fail(tree, "\"\(spec)\" is not [host_ip:][published:]target[/protocol]")
                return nil
            }
            return spec
        }
        var out: [String: Any] = [:]
        for entry in reader.map(tree, allowed: ["target", "published", "protocol", "host_ip", "mode"]) ?? [] {
            switch entry.key {
            case "target", "published": out[entry.key] = number(entry.value, what: "a port")
            case "mode": if let mode = text(entry.value), mode != "host" { reader.fail(entry.value, "only mode host is supported") }
            default: out[entry.key] = text(entry.value)
            }
        }
        return out
    }

    /// `source:target[:ro|rw]` (a bind mount when the source is a path) or the long syntax.
    mutating func mount(_ tree: ComposeTree) -> Any? {
        if case .scalar = tree {
            guard let spec = text(tree) else { return nil }
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard (1...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else {
                reader.fail(tree, "\"\(spec)\" is not source:target[:ro]")
                return nil
            }
            if parts.count == 1 {
                reader.fail(tree, "\"\(spec)\" has no source: anonymous volumes are lost on every recreate; name the volume")
                return nil
            }
            var out: [String: Any] = ["source": parts[0], "target": parts[1]]
            out["type"] = parts[0].hasPrefix("/") || parts[0].hasPrefix(".") || parts[0].hasPrefix("~") ? "bind" : "volume"
            if parts.count == 3 {
                let options = parts[2].split(separator: ",")
                if let unknown = options.first(where: { !["ro", "rw", "z", "Z"].contains($0) }) {
                    reader.fail(tree, "\"\(unknown)\" is not a mount option the runtime supports (ro, rw)")
                }
                if options.contains("ro") { out["read_only"] = true }
            }
            return out
        }
        var out: [String: Any] = [:]
        for entry in reader.map(tree, allowed: ["type", "source", "target", "read_only", "tmpfs"]) ?? [] {
            switch entry.key {
            case "read_only": out["read_only"] = flag(entry.value)
            case "tmpfs":
                if let size = entry.value["size"].flatMap({ text($0) }) {
                    if let bytes = TreeReader.bytes(size) { out["tmpfs"] = ["size": bytes] } else { reader.fail(entry.value, "\"\(size)\" is not a size") }
                }
            default: out[entry.key] = text(entry.value)
            }
        }
        return out
    }

    mutating func serviceNetworks(_ tree: ComposeTree) -> [String: Any]? {
        var out: [String: Any] = [:]
        if case .list(let items, _) = tree {
            for item in items { if let name = text(item) { out[name] = [String: Any]() } }
            return out
        }
        for entry in reader.map(tree) ?? [] {
            var network: [String: Any] = [:]
            for option in reader.map(entry.value, allowed: ["aliases"]) ?? [] { network["aliases"] = strings(option.value) }
            out[entry.key] = network
        }
        return out
    }

    mutating func dependencies(_ tree: ComposeTree) -> [String: Any]? {
        var out: [String: Any] = [:]
        if case .list(let items, _) = tree {
            for item in items { if let name = text(item) { out[name] = ["condition": "service_started"] } }
            return out
        }
        for entry in reader.map(tree) ?? [] {
            var condition = "service_started"
            for option in reader.map(entry.value, allowed: ["condition", "restart", "required"]) ?? [] where option.key == "condition" {
                condition = text(option.value) ?? condition
            }
            out[entry.key] = ["condition": condition]
        }
        return out
    }

    mutating func healthcheck(_ tree: ComposeTree) -> [String: Any]? {
        var out: [String: Any] = [:]
        for entry in reader.map(tree, allowed: ["test", "interval", "timeout", "retries", "start_period", "disable"]) ?? [] {
            switch entry.key {
            case "test":
                if case .scalar = entry.value { out["test"] = text(entry.value).map { ["CMD-SHELL", $0] } } else { out["test"] = strings(entry.value) }
            case "retries": out["retries"] = number(entry.value)
            case "disable": out["disable"] = flag(entry.value)
            default: out[entry.key] = text(entry.value)
            }
        }
        return out
    }

    mutating func ulimits(_ tree: ComposeTree) -> [String: Any]? {
        var out: [String: Any] = [:]
        for entry in reader.map(tree) ?? [] {
            if case .scalar = entry.value {
                if let limit = number(entry.value) { out[entry.key] = ["soft": limit, "hard": limit] }
                continue
            }
            var limit: [String: Any] = [:]
            for option in reader.map(entry.value, allowed: ["soft", "hard"]) ?? [] { limit[option.key] = number(option.value) }
            out[entry.key] = limit
        }
        return out
    }
}

/// Splits a command line into words as a POSIX shell would, without expansion: quotes and backslashes.
enum ShellWords {
    /// Nil when a quote is never closed.
    static func split(_ line: String) -> [String]? {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped {
                word.append(character)
                escaped = false
                continue
            }
            switch (quote, character) {
            case (nil, "\\"), ("\"", "\\"):
                escaped = true
                inWord = true
            case (nil, "'"), (nil, "\""):
                quote = character
                inWord = true
            case ("'", "'"), ("\"", "\""):
                quote = nil
            case (nil, " "), (nil, "\t"), (nil, "\n"):
                if inWord { words.append(word) }
                word = ""
                inWord = false
            default:
                word.append(character)
                inWord = true
            }
        }
        if quote != nil || escaped { return nil }
        if inWord { words.append(word) }
        return words
    }
}
