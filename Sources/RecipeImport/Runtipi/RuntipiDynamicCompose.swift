import Yams

/// Runtipi's dynamic compose (`docker-compose.json`: a list of services in Runtipi's own spelling) read as the
/// compose services it stands for, so the one compose conversion applies.
enum RuntipiDynamicCompose {
    struct Service {
        var name: String
        /// The service in compose spelling.
        var compose: Node
        var isMain: Bool
        var internalPort: String?
    }

    static func services(of file: SourceFile, context: ImportContext) throws(ImportError) -> [Service] {
        guard let list = file.root.value("services")?.items, !list.isEmpty else {
            throw file.problem("has no services (a list of services in Runtipi's dynamic compose)", at: file.root.value("services") ?? file.root)
        }
        var result: [Service] = []
        for (index, item) in list.enumerated() {
            guard let name = item.string("name"), !name.isEmpty else {
                throw file.problem("services[\(index)] has no name", at: item)
            }
            guard item.string("image") != nil else {
                throw file.problem("services[\(index)] (\(name)) has no image", at: item)
            }
            let place = "\(file.name): services.\(name)"
            var pairs: [(String, Node)] = []
            for (key, value) in item.entries ?? [] {
                switch key {
                case "name", "isMain", "internalPort": continue
                case "environment": pairs.append(("environment", environment(value)))
                case "addPorts": pairs.append(("ports", .list((value.items ?? []).flatMap(ports))))
                case "volumes": pairs.append(("volumes", .list((value.items ?? []).enumerated().compactMap { volume($0.element, at: "\(place).volumes[\($0.offset)]", context: context) })))
                case "healthCheck": pairs.append(("healthcheck", healthcheck(value)))
                default: pairs.append((composeKey(key), value))
                }
            }
            if !pairs.contains(where: { $0.0 == "restart" }) { pairs.append(("restart", .str("unless-stopped"))) }
            let compose = Node.mapping(.init(pairs.map { (Node.str($0.0), $0.1) }, Tag(.map), .block))
            result.append(Service(name: name, compose: compose, isMain: item.flag("isMain") ?? false,
                                  internalPort: item.value("internalPort")?.text))
        }
        for (key, _) in file.root.entries ?? [] where !["services", "schemaVersion", "$schema"].contains(key) {
            let why = key == "overrides"
                ? "per-architecture changes to the services; a recipe runs the same services on every architecture"
                : "not a field of Runtipi's dynamic compose that a recipe carries"
            context.drop("\(file.name): \(key)", why)
        }
        return result
    }

    /// Runtipi's camel-case keys in compose spelling (unknown keys unchanged, then noted by the conversion).
    static func composeKey(_ key: String) -> String {
        let table = [
            "networkMode": "network_mode", "extraHosts": "extra_hosts", "dependsOn": "depends_on", "capAdd": "cap_add",
            "capDrop": "cap_drop", "workingDir": "working_dir", "shmSize": "shm_size", "readOnly": "read_only",
            "securityOpt": "security_opt", "stopSignal": "stop_signal", "stopGracePeriod": "stop_grace_period",
            "stdinOpen": "stdin_open",
        ]
        return table[key] ?? key
    }

    /// An object, or (schema 2) a list of `{key, value}`, as a compose environment map.
    private static func environment(_ node: Node) -> Node {
        if node.entries != nil { return node }
        let pairs = (node.items ?? []).compactMap { item -> (Node, Node)? in
            guard let key = item.string("key"), let value = item.value("value") else { return nil }
            return (Node.str(key), value)
        }
        return .mapping(.init(pairs, Tag(.map), .block))
    }

    /// `{containerPort, hostPort, tcp, udp, interface}` as short-syntax ports (one per protocol).
    private static func ports(_ node: Node) -> [Node] {
        guard let container = node.value("containerPort")?.text else { return [] }
        let host = node.value("hostPort")?.text
        let interface = node.string("interface")
        let base = [interface, host, container].compactMap { $0 }.joined(separator: ":")
        var result: [Node] = []
        if node.flag("tcp") ?? true { result.append(.str(base)) }
        if node.flag("udp") ?? false { result.append(.str(base + "/udp")) }
        return result
    }

    /// `{hostPath, containerPath, readOnly}` as a short-syntax mount.
    private static func volume(_ node: Node, at place: String, context: ImportContext) -> Node? {
        guard let host = node.string("hostPath"), let container = node.string("containerPath") else {
            context.drop(place, "a volume without hostPath or containerPath; left out")
            return nil
        }
        for key in ["shared", "private"] where node.flag(key) == true {
            context.drop("\(place).\(key)", "mount propagation is not in our compose subset")
        }
        return .str("\(host):\(container)" + (node.flag("readOnly") == true ? ":ro" : ""))
    }

    /// `{test, interval, timeout, retries, startPeriod, startInterval}`: a test string is a shell command.
    private static func healthcheck(_ node: Node) -> Node {
        var pairs: [(Node, Node)] = []
        for (key, value) in node.entries ?? [] {
            let composeKey = ["startPeriod": "start_period", "startInterval": "start_interval"][key] ?? key
            pairs.append((.str(composeKey), value))
        }
        return .mapping(.init(pairs, Tag(.map), .block))
    }
}
