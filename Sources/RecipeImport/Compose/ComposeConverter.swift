import Yams

/// Converts a store's compose services, volumes and networks into our compose subset: values rewritten into our
/// template syntax, bind mounts of the store's data folder made named volumes, and everything outside the subset
/// noted as dropped (never passed through).
final class ComposeConverter {
    let context: ImportContext
    let rules: ComposeRules
    /// The services the recipe keeps (for `depends_on`).
    let serviceNames: Set<String>
    var component = ComponentDraft()
    /// Named volumes by what they stand for (`data:<path>` or `named:<name>`).
    var volumeKeys: [String: String] = [:]
    /// Networks the services leave: the store's own and external ones.
    var storeNetworks: Set<String>
    /// Memory the services reserve (`deploy.resources.reservations.memory`), summed.
    var reservedMemory: Int64 = 0

    init(context: ImportContext, rules: ComposeRules, serviceNames: Set<String>) {
        self.context = context
        self.rules = rules
        self.serviceNames = serviceNames
        storeNetworks = rules.storeNetworks
    }

    /// The converted component: every service, the named volumes they use and the networks kept.
    func finish(services: [ServiceDraft]) -> ComponentDraft {
        var result = component
        result.services = services
        if reservedMemory > 0 { result.memory = "\((reservedMemory + (1 << 20) - 1) >> 20)M" }
        return result
    }

    // MARK: Top level

    /// Top-level `networks`: external ones are left (services leave them too); the rest keep `internal` and `labels`.
    func convertNetworks(_ node: Node?) {
        guard let node, let entries = node.entries else { return }
        for (name, value) in entries {
            let place = "\(rules.file): networks.\(name)"
            if storeNetworks.contains(name) {
                context.drop(place, rules.storeNetworkWhy)
                continue
            }
            if value.flag("external") == true || value.value("external")?.entries != nil {
                storeNetworks.insert(name)
                context.drop(place, "an external network made outside the app; the services stay on the stack's network")
                continue
            }
            var kept: [(String, Node)] = []
            for (key, setting) in value.entries ?? [] {
                switch key {
                case "internal": kept.append((key, copy(setting, at: "\(place).\(key)")))
                case "labels": kept.append((key, labels(setting, at: "\(place).\(key)")))
                case "driver" where setting.text == "bridge": continue
                default: context.drop("\(place).\(key)", "our compose subset has no network \(key); the agent makes bridge networks")
                }
            }
            component.networks.append((name, .map(kept)))
        }
    }

    /// Top-level `volumes`: each becomes a named volume of the deployment (options noted as dropped).
    func convertVolumes(_ node: Node?) {
        guard let node, let entries = node.entries else { return }
        for (name, value) in entries {
            let place = "\(rules.file): volumes.\(name)"
            for (key, _) in value.entries ?? [] where key != "labels" {
                let why = key == "external"
                    ? "a volume made outside the app; the deployment makes its own"
                    : "our compose subset has no volume \(key); the agent makes local volumes"
                context.drop("\(place).\(key)", why)
            }
            _ = namedVolume(key: "named:\(name)", preferred: name)
        }
    }

    // MARK: Services

    /// One service, converted.
    func convertService(name: String, _ node: Node) -> ServiceDraft {
        var draft = ServiceDraft(name: name)
        let at = "\(rules.file): services.\(name)"
        guard let entries = node.entries else {
            context.drop(at, "not a mapping; the service is left out")
            return draft
        }
        let hostNetwork = node.string("network_mode") == "host"
        for (key, value) in entries {
            let place = "\(at).\(key)"
            switch key {
            case "ports" where hostNetwork:
                context.drop(place, "with network_mode host the container uses the device's ports directly; published ports have no effect")
            case "networks" where hostNetwork:
                context.drop(place, "with network_mode host the container joins no network")
            case "image", "restart", "user", "working_dir":
                draft.values[key] = copy(value, at: place)
            case "logging":
                draft.values[key] = logging(value, at: place)
            case "command", "entrypoint", "tmpfs", "cap_add", "cap_drop", "devices", "sysctls", "ulimits", "privileged", "tty":
                draft.values[key] = copy(value, at: place)
            case "mem_limit":
                draft.values[key] = memory(value, at: place)
            case "cpus":
                draft.values[key] = cpus(value, at: place)
            case "environment":
                if let environment = environment(value, at: place) { draft.values[key] = environment }
            case "ports":
                draft.ports = ports(value, at: place)
            case "volumes":
                let volumes = self.volumes(value, at: place)
                if !volumes.isEmpty { draft.values[key] = .list(volumes) }
            case "networks":
                if let networks = networks(value, at: place) { draft.values[key] = networks }
            case "depends_on":
                if let dependencies = dependsOn(value, at: place) { draft.values[key] = dependencies }
            case "healthcheck":
                draft.values[key] = healthcheck(value, at: place)
            case "labels":
                let labels = labels(value, at: place)
                if labels.entries?.isEmpty == false { draft.values[key] = labels }
            case "network_mode":
                let mode = value.text ?? ""
                if ["host", "none", "bridge"].contains(mode) {
                    draft.values[key] = .str(mode)
                } else {
                    context.drop(place, "network_mode \"\(mode)\" is not in our compose subset (host, none or bridge)")
                }
            case "deploy":
                deploy(value, at: place, into: &draft)
            case "container_name":
                let alias = value.text ?? ""
                let renamed = alias != name && !alias.isEmpty ? "; the app's references to \(alias) now name the service \(name)" : ""
                context.drop(place, ComposeRules.whyDropped(serviceKey: key) + renamed)
            case "runtime" where value.text == "nvidia", "gpus":
                component.gpu = true
                context.drop(place, "GPU access is not in our compose subset; the component now requires a device with a GPU")
            case _ where rules.consumedServiceKeys.contains(key):
                continue
            default:
                context.drop(place, ComposeRules.whyDropped(serviceKey: key))
            }
        }
        return draft
    }

    // MARK: Values

    /// A copy of `node` in our terms: strings rewritten, other scalars kept as written, merge keys applied.
    func copy(_ node: Node, at place: String) -> Node {
        switch node {
        case .scalar(let scalar):
            if node.isString { return .str(context.rewrite(scalar.string, at: place)) }
            return .plain(scalar.string, tag: node.tagName)
        case .sequence(let sequence):
            return .list(sequence.enumerated().map { copy($0.element, at: "\(place)[\($0.offset)]") })
        case .mapping:
            return .map((node.entries ?? []).map { ($0.key, copy($0.value, at: "\(place).\($0.key)")) })
        case .alias:
            return .str("")
        }
    }
}
