import Protocol

/// Translates a ``ContainerCreate`` into the body of `POST /containers/create`.
enum DockerCreateBody {
    static func make(_ create: ContainerCreate) -> DockerJSON {
        let service = create.service
        var config: [String: DockerJSON] = [
            "Image": .string(service.image),
            "Labels": DockerJSON(create.labels),
            "Env": DockerJSON((service.environment ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }),
        ]
        if let command = service.command { config["Cmd"] = DockerJSON(command) }
        if let entrypoint = service.entrypoint { config["Entrypoint"] = DockerJSON(entrypoint) }
        if let tty = service.tty { config["Tty"] = .bool(tty) }
        if let user = service.user { config["User"] = .string(user) }
        if let workingDir = service.workingDir { config["WorkingDir"] = .string(workingDir) }
        if let health = service.healthcheck { config["Healthcheck"] = healthcheck(health) }
        let ports = service.ports ?? []
        if !ports.isEmpty {
            config["ExposedPorts"] = .object(Dictionary(ports.map { ("\($0.target)/\($0.transport)", DockerJSON.object([:])) }, uniquingKeysWith: { a, _ in a }))
        }
        config["HostConfig"] = hostConfig(create, service)
        if let first = create.networks.first {
            config["NetworkingConfig"] = ["EndpointsConfig": .object([first.name: ["Aliases": DockerJSON(first.aliases)]])]
        }
        return .object(config)
    }

    static func healthcheck(_ health: Healthcheck) -> DockerJSON {
        if health.disable == true { return ["Test": ["NONE"]] }
        var object: [String: DockerJSON] = [:]
        if let test = health.test { object["Test"] = DockerJSON(test) }
        // The Engine counts in nanoseconds.
        if let value = health.interval { object["Interval"] = DockerJSON(value.milliseconds * 1_000_000) }
        if let value = health.timeout { object["Timeout"] = DockerJSON(value.milliseconds * 1_000_000) }
        if let value = health.startPeriod { object["StartPeriod"] = DockerJSON(value.milliseconds * 1_000_000) }
        if let value = health.retries { object["Retries"] = DockerJSON(Int64(value)) }
        return .object(object)
    }

    static func hostConfig(_ create: ContainerCreate, _ service: ServiceSpec) -> DockerJSON {
        var host: [String: DockerJSON] = [
            "Mounts": .array((service.volumes ?? []).map(mount)),
            "RestartPolicy": restartPolicy(service.restart),
        ]
        var bindings: [String: [DockerJSON]] = [:]
        for port in service.ports ?? [] {
            guard let published = port.published else { continue }
            bindings["\(port.target)/\(port.transport)", default: []].append(["HostIp": .string(port.hostIP ?? ""), "HostPort": .string(String(published))])
        }
        if !bindings.isEmpty { host["PortBindings"] = .object(bindings.mapValues { .array($0) }) }
        if let mode = service.networkMode {
            host["NetworkMode"] = .string(mode)
        } else if let first = create.networks.first {
            host["NetworkMode"] = .string(first.name)
        }
        var tmpfs: [String: String] = [:]
        for entry in service.tmpfs ?? [] {
            let parts = entry.split(separator: ":", maxSplits: 1)
            tmpfs[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        if !tmpfs.isEmpty { host["Tmpfs"] = DockerJSON(tmpfs) }
        if let caps = service.capAdd { host["CapAdd"] = DockerJSON(caps) }
        if let caps = service.capDrop { host["CapDrop"] = DockerJSON(caps) }
        if let privileged = service.privileged { host["Privileged"] = .bool(privileged) }
        if let devices = service.devices { host["Devices"] = .array(devices.map(device)) }
        if let sysctls = service.sysctls { host["Sysctls"] = DockerJSON(sysctls) }
        if let ulimits = service.ulimits {
            host["Ulimits"] = .array(ulimits.sorted { $0.key < $1.key }.map {
                ["Name": .string($0.key), "Soft": DockerJSON($0.value.soft), "Hard": DockerJSON($0.value.hard)]
            })
        }
        if let memory = service.memLimit { host["Memory"] = DockerJSON(memory) }
        if let cpus = service.cpus { host["NanoCpus"] = DockerJSON(Int64(cpus * 1_000_000_000)) }
        if let logging = service.logging {
            host["LogConfig"] = ["Type": .string(logging.driver ?? "json-file"), "Config": DockerJSON(logging.options ?? [:])]
        }
        return .object(host)
    }

    static func mount(_ mount: MountSpec) -> DockerJSON {
        var object: [String: DockerJSON] = ["Type": .string(mount.type), "Target": .string(mount.target), "ReadOnly": .bool(mount.readOnly ?? false)]
        if let source = mount.source { object["Source"] = .string(source) }
        if let size = mount.tmpfs?.size { object["TmpfsOptions"] = ["SizeBytes": DockerJSON(size)] }
        return .object(object)
    }

    static func restartPolicy(_ policy: String?) -> DockerJSON {
        guard let policy, policy != "no" else { return ["Name": "no"] }
        if policy.hasPrefix("on-failure:"), let count = Int64(policy.dropFirst("on-failure:".count)) {
            return ["Name": "on-failure", "MaximumRetryCount": DockerJSON(count)]
        }
        return ["Name": .string(policy)]
    }

    /// `host[:container[:permissions]]`.
    static func device(_ text: String) -> DockerJSON {
        let parts = text.split(separator: ":").map(String.init)
        return [
            "PathOnHost": .string(parts[0]),
            "PathInContainer": .string(parts.count > 1 ? parts[1] : parts[0]),
            "CgroupPermissions": .string(parts.count > 2 ? parts[2] : "rwm"),
        ]
    }
}
