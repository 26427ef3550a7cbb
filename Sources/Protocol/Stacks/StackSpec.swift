import FoundationEssentials

/// A stack: the compose-spec subset a recipe renders, and what the agent brings its device to.
///
/// Its JSON form is a compose file (JSON is YAML); the agent keeps it, with the project name moved
/// to `x-homelab-project` for Compose v1, in the project's working directory, where
/// `docker compose` / `docker-compose` on the device read it.
/// Every optional field is omitted from the JSON when absent. `docs/stacks.md` lists the fields.
public struct StackSpec: Codable, Equatable, Sendable {
    /// The compose project name: `[a-z0-9][a-z0-9_-]*`.
    public var name: String
    /// Services by name.
    public var services: [String: ServiceSpec]
    /// Networks by name; a service without `networks` (and without `network_mode`) joins `default`.
    public var networks: [String: NetworkSpec]?
    /// Named volumes by name.
    public var volumes: [String: VolumeSpec]?
    /// Contents of files the stack refers to by relative path (`env_file`), written into the project's
    /// working directory. A compose extension field (`x-`), which Compose ignores.
    public var files: [String: String]?
    /// The deployment this stack belongs to (`io.homelab.deployment`); the project name when absent.
    public var deployment: String?

    enum CodingKeys: String, CodingKey {
        case name, services, networks, volumes
        case files = "x-homelab-files"
        case deployment = "x-homelab-deployment"
    }

    /// Creates a stack.
    public init(name: String, services: [String: ServiceSpec], networks: [String: NetworkSpec]? = nil,
                volumes: [String: VolumeSpec]? = nil, files: [String: String]? = nil, deployment: String? = nil) {
        self.name = name
        self.services = services
        self.networks = networks
        self.volumes = volumes
        self.files = files
        self.deployment = deployment
    }
}

/// One service: one container (replicas come later).
public struct ServiceSpec: Codable, Equatable, Sendable {
    public var image: String
    /// Exec form; replaces the image's `CMD`.
    public var command: [String]?
    /// Exec form; replaces the image's `ENTRYPOINT`.
    public var entrypoint: [String]?
    /// Variables; they win over those read from `env_file`.
    public var environment: [String: String]?
    /// Relative paths of env files, whose contents are in the stack's `x-homelab-files`.
    public var envFile: [String]?
    public var ports: [PortSpec]?
    /// Named volumes, bind mounts and tmpfs mounts.
    public var volumes: [MountSpec]?
    /// tmpfs mounts: `/path` or `/path:options` (e.g. `/run:size=64m`).
    public var tmpfs: [String]?
    /// Networks to join, with aliases.
    public var networks: [String: ServiceNetwork]?
    public var dependsOn: [String: Dependency]?
    public var healthcheck: Healthcheck?
    /// `no`, `always`, `unless-stopped`, `on-failure` or `on-failure:N`.
    public var restart: String?
    public var labels: [String: String]?
    public var user: String?
    public var workingDir: String?
    public var capAdd: [String]?
    public var capDrop: [String]?
    /// `host[:container[:permissions]]`, e.g. `/dev/ttyUSB0:/dev/ttyUSB0:rwm`.
    public var devices: [String]?
    public var privileged: Bool?
    /// `host`, `none` or `bridge`; when set, `networks` must be absent.
    public var networkMode: String?
    public var sysctls: [String: String]?
    public var ulimits: [String: Ulimit]?
    /// Memory limit in bytes.
    public var memLimit: Int64?
    /// CPU limit in cores (e.g. 0.5).
    public var cpus: Double?
    public var logging: Logging?
    /// Allocate a terminal: the logs are then one raw stream.
    public var tty: Bool?

    enum CodingKeys: String, CodingKey {
        case image, command, entrypoint, environment, ports, volumes, tmpfs, networks, healthcheck, restart, labels, user
        case devices, privileged, sysctls, ulimits, cpus, logging, tty
        case envFile = "env_file"
        case dependsOn = "depends_on"
        case workingDir = "working_dir"
        case capAdd = "cap_add"
        case capDrop = "cap_drop"
        case networkMode = "network_mode"
        case memLimit = "mem_limit"
    }

    /// Creates a service running `image`; set the other fields as needed.
    public init(image: String) { self.image = image }
}

/// A published or exposed port. Read from the compose long syntax or the short one
/// (`[host_ip:][published:]target[/protocol]`); written in the short one, which every Compose reads.
public struct PortSpec: Codable, Equatable, Hashable, Sendable {
    /// The container port.
    public var target: Int
    /// The host port; absent to only expose the port to the stack's networks.
    public var published: Int?
    /// `tcp` (default), `udp` or `sctp`.
    public var `protocol`: String?
    /// The host address to bind; all addresses when absent.
    public var hostIP: String?

    enum CodingKeys: String, CodingKey {
        case target, published, `protocol`
        case hostIP = "host_ip"
    }

    /// Creates a port.
    public init(target: Int, published: Int? = nil, protocol: String? = nil, hostIP: String? = nil) {
        self.target = target
        self.published = published
        self.protocol = `protocol`
        self.hostIP = hostIP
    }

    /// The protocol, `tcp` when absent.
    public var transport: String { self.protocol ?? "tcp" }

    /// The short syntax.
    public var shortSyntax: String {
        var text = published.map { "\($0):\(target)" } ?? "\(target)"
        if let hostIP { text = (hostIP.contains(":") ? "[\(hostIP)]" : hostIP) + ":" + text }
        return self.protocol.map { text + "/" + $0 } ?? text
    }

    /// Parses the short syntax, or returns nil.
    public init?(shortSyntax text: String) {
        var rest = Substring(text)
        if let slash = rest.lastIndex(of: "/") {
            self.protocol = String(rest[rest.index(after: slash)...])
            rest = rest[..<slash]
        }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            hostIP = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...].drop { $0 == ":" }
        }
        var parts = rest.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 3 && hostIP == nil { hostIP = parts.removeFirst() }
        guard (1...2).contains(parts.count), let target = Int(parts.last!) else { return nil }
        self.target = target
        if parts.count == 2 {
            guard let published = Int(parts[0]) else { return nil }
            self.published = published
        }
    }

    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            guard let parsed = PortSpec(shortSyntax: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                        debugDescription: "\"\(text)\" is not [host_ip:][published:]target[/protocol]"))
            }
            self = parsed
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        target = try container.decode(Int.self, forKey: .target)
        published = try container.decodeIfPresent(Int.self, forKey: .published)
        self.protocol = try container.decodeIfPresent(String.self, forKey: .protocol)
        hostIP = try container.decodeIfPresent(String.self, forKey: .hostIP)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(shortSyntax)
    }
}

/// A mount (compose long syntax).
public struct MountSpec: Codable, Equatable, Sendable {
    /// `volume`, `bind` or `tmpfs`.
    public var type: String
    /// The stack's volume name (`volume`) or the host path (`bind`); absent for `tmpfs`.
    public var source: String?
    /// The path in the container.
    public var target: String
    public var readOnly: Bool?
    public var tmpfs: TmpfsOptions?

    /// tmpfs size.
    public struct TmpfsOptions: Codable, Equatable, Sendable {
        /// Bytes.
        public var size: Int64?
        public init(size: Int64?) { self.size = size }
    }

    enum CodingKeys: String, CodingKey {
        case type, source, target, tmpfs
        case readOnly = "read_only"
    }

    /// Creates a mount.
    public init(type: String, source: String? = nil, target: String, readOnly: Bool? = nil, tmpfs: TmpfsOptions? = nil) {
        self.type = type
        self.source = source
        self.target = target
        self.readOnly = readOnly
        self.tmpfs = tmpfs
    }
}

/// A service's attachment to a network.
public struct ServiceNetwork: Codable, Equatable, Sendable {
    /// Other names the service answers to on that network.
    public var aliases: [String]?
    public init(aliases: [String]? = nil) { self.aliases = aliases }
}

/// A `depends_on` entry.
public struct Dependency: Codable, Equatable, Sendable {
    /// When the dependency counts as ready.
    public enum Condition: String, Codable, Sendable {
        case serviceStarted = "service_started"
        case serviceHealthy = "service_healthy"
        case serviceCompletedSuccessfully = "service_completed_successfully"
    }
    public var condition: Condition
    public init(condition: Condition = .serviceStarted) { self.condition = condition }
}

/// A container health check.
public struct Healthcheck: Codable, Equatable, Sendable {
    /// `["CMD", …]`, `["CMD-SHELL", "…"]` or `["NONE"]`.
    public var test: [String]?
    public var interval: ComposeDuration?
    public var timeout: ComposeDuration?
    public var retries: Int?
    public var startPeriod: ComposeDuration?
    /// Turns off the image's health check.
    public var disable: Bool?

    enum CodingKeys: String, CodingKey {
        case test, interval, timeout, retries, disable
        case startPeriod = "start_period"
    }

    /// Creates a health check.
    public init(test: [String]?, interval: ComposeDuration? = nil, timeout: ComposeDuration? = nil, retries: Int? = nil,
                startPeriod: ComposeDuration? = nil, disable: Bool? = nil) {
        self.test = test
        self.interval = interval
        self.timeout = timeout
        self.retries = retries
        self.startPeriod = startPeriod
        self.disable = disable
    }
}

/// A resource limit.
public struct Ulimit: Codable, Equatable, Sendable {
    public var soft: Int64
    public var hard: Int64
    public init(soft: Int64, hard: Int64) {
        self.soft = soft
        self.hard = hard
    }
}

/// Where a container's logs go.
public struct Logging: Codable, Equatable, Sendable {
    public var driver: String?
    public var options: [String: String]?
    public init(driver: String?, options: [String: String]? = nil) {
        self.driver = driver
        self.options = options
    }
}

/// A top-level network.
public struct NetworkSpec: Codable, Equatable, Sendable {
    /// No route beyond the network.
    public var `internal`: Bool?
    public var labels: [String: String]?
    /// Shared with other stacks under its own `name` (not prefixed by the project): the reverse proxy's
    /// network. The agent makes it when missing and never removes it.
    public var external: Bool?
    /// The engine's name of an external network (default: its key).
    public var name: String?
    public init(internal: Bool? = nil, labels: [String: String]? = nil, external: Bool? = nil, name: String? = nil) {
        self.internal = `internal`
        self.labels = labels
        self.external = external
        self.name = name
    }
}

extension StackSpec {
    /// Services another service waits for with `service_completed_successfully`: one-shot jobs, allowed to have exited.
    public var oneShotServices: Set<String> {
        Set(services.values.flatMap { ($0.dependsOn ?? [:]).filter { $0.value.condition == .serviceCompletedSuccessfully }.keys })
    }

    /// The engine's name of network `key`: `PROJECT_key`, or an external network's own name.
    public func engineNetworkName(_ key: String) -> String {
        guard let network = networks?[key], network.external == true else { return "\(name)_\(key)" }
        return network.name ?? key
    }
}

/// A top-level named volume.
public struct VolumeSpec: Codable, Equatable, Sendable {
    public var labels: [String: String]?
    public init(labels: [String: String]? = nil) { self.labels = labels }
}
